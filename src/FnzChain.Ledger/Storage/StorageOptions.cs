namespace FnzChain.Ledger.Storage;

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

/// <summary>
/// Options of a channel's RocksDB database (<see cref="ChannelDatabase"/>), and of a RocksDB state database opened in
/// a folder of its own. What a ledger keeps (history, lifetimes) is in <see cref="LedgerOptions"/>, not here.
/// </summary>
public sealed record StorageOptions
{
    public CommitDurability Durability { get; init; } = CommitDurability.Synced;

    public StorageCompression Compression { get; init; } = StorageCompression.Lz4;

    /// <summary>Size of the LRU block cache shared by all column families of the database.</summary>
    public ulong BlockCacheBytes { get; init; } = 64UL * 1024 * 1024;

    /// <summary>Bloom filter bits per key on the point-lookup column families; 10 gives about 1% false positives.</summary>
    public int BloomBitsPerKey { get; init; } = 10;

    /// <summary>Encryption at rest of every stored value (null: values stored in the clear). Keys stay in the clear: they order scans.</summary>
    public Encryption.AtRestCipher? Encryption { get; init; }
}
