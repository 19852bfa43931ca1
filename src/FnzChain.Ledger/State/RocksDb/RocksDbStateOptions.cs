namespace FnzChain.Ledger.State.RocksDb;

/// <summary>When a block's write counts as committed.</summary>
public enum CommitDurability
{
    /// <summary>fsync the write-ahead log before returning: survives power loss. The default.</summary>
    Synced = 0,

    /// <summary>Return once the OS has the write: survives a process crash, not a power cut. Benchmarks and tests only.</summary>
    Buffered = 1,
}

/// <summary>How RocksDB compresses table files.</summary>
public enum StorageCompression
{
    /// <summary>LZ4 (the default): cheap, about halves JSON state.</summary>
    Lz4 = 0,

    /// <summary>
    /// Uncompressed table files: every stored byte is visible to a byte scan, which is how the erasure tests (and
    /// the demo) prove that purged values left the files. Erasure itself does not depend on it.
    /// </summary>
    None = 1,
}

/// <summary>Options of the RocksDB state database of one channel.</summary>
public sealed class RocksDbStateOptions
{
    public CommitDurability Durability { get; init; } = CommitDurability.Synced;

    public StorageCompression Compression { get; init; } = StorageCompression.Lz4;

    /// <summary>Record every committed write in the history column family (Fabric's <c>enableHistoryDatabase</c>).</summary>
    public bool EnableHistory { get; init; } = true;

    /// <summary>Size of the LRU block cache shared by all column families of this channel.</summary>
    public ulong BlockCacheBytes { get; init; } = 64UL * 1024 * 1024;

    /// <summary>Bloom filter bits per key on the state column families (point lookups); 10 gives about 1% false positives.</summary>
    public int BloomBitsPerKey { get; init; } = 10;
}
