namespace FnzChain.Ledger.State.RocksDb;

/// <summary>When a block's write counts as committed.</summary>
public enum CommitDurability
{
    /// <summary>fsync the write-ahead log before returning: survives power loss. The default.</summary>
    Synced = 0,

    /// <summary>Return once the OS has the write: survives a process crash, not a power cut. Benchmarks and tests only.</summary>
    Buffered = 1,
}

/// <summary>Options of the RocksDB state database of one channel.</summary>
public sealed class RocksDbStateOptions
{
    public CommitDurability Durability { get; init; } = CommitDurability.Synced;

    /// <summary>Record every committed write in the history column family (Fabric's <c>enableHistoryDatabase</c>).</summary>
    public bool EnableHistory { get; init; } = true;

    /// <summary>Size of the LRU block cache shared by all column families of this channel.</summary>
    public ulong BlockCacheBytes { get; init; } = 64UL * 1024 * 1024;

    /// <summary>Bloom filter bits per key on the state column families (point lookups); 10 gives about 1% false positives.</summary>
    public int BloomBitsPerKey { get; init; } = 10;
}
