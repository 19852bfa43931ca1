using FnzChain.Ledger.State.RocksDb;
using RocksDbSharp;

namespace FnzChain.Ledger.Storage;

/// <summary>
/// The RocksDB database of one channel: world state, history, the block-store index and savepoints, one column
/// family each (<see cref="ColumnFamilyNames"/>). The state database and the block store share it so that a
/// block's index entries and its state updates are written in one atomic batch.
/// </summary>
internal sealed class ChannelDatabase : IDisposable
{
    // Kept referenced for the database's lifetime: the native options point at them.
    private readonly Cache _blockCache;
    private readonly DbOptions _dbOptions;
    private readonly ColumnFamilies _columnFamilies;
    private bool _disposed;

    private ChannelDatabase(string path, RocksDbStateOptions options, bool readOnly)
    {
        Path = path;
        Options = options;
        IsReadOnly = readOnly;
        _blockCache = Cache.CreateLru(options.BlockCacheBytes);
        _dbOptions = new DbOptions()
            .SetCreateIfMissing(!readOnly)
            .SetCreateMissingColumnFamilies(!readOnly)
            .SetParanoidChecks(true)
            .IncreaseParallelism(Math.Max(2, Environment.ProcessorCount));
        _columnFamilies = CreateColumnFamilies(options, _blockCache);
        if (readOnly)
        {
            Db = RocksDbSharp.RocksDb.OpenReadOnly(_dbOptions, path, _columnFamilies, errIfLogFileExists: false);
        }
        else
        {
            Directory.CreateDirectory(path);
            Db = RocksDbSharp.RocksDb.Open(_dbOptions, path, _columnFamilies);
        }

        State = Db.GetColumnFamily(ColumnFamilyNames.State);
        History = Db.GetColumnFamily(ColumnFamilyNames.History);
        Index = Db.GetColumnFamily(ColumnFamilyNames.Index);
        Savepoint = Db.GetColumnFamily(ColumnFamilyNames.Savepoint);
        Transient = Db.GetColumnFamily(ColumnFamilyNames.Transient);
        PrivateData = Db.GetColumnFamily(ColumnFamilyNames.PrivateData);
        WriteOptions = new WriteOptions().SetSync(options.Durability == CommitDurability.Synced);
    }

    public string Path { get; }

    public RocksDbStateOptions Options { get; }

    public bool IsReadOnly { get; }

    public RocksDbSharp.RocksDb Db { get; }

    public ColumnFamilyHandle State { get; }

    public ColumnFamilyHandle History { get; }

    public ColumnFamilyHandle Index { get; }

    public ColumnFamilyHandle Savepoint { get; }

    public ColumnFamilyHandle Transient { get; }

    /// <summary>The private data store (<see cref="Private.PrivateDataStore"/>).</summary>
    public ColumnFamilyHandle PrivateData { get; }

    /// <summary>Write options honouring <see cref="RocksDbStateOptions.Durability"/>: synced means the WAL is fsynced before a write returns.</summary>
    public WriteOptions WriteOptions { get; }

    public static ChannelDatabase Open(string path, RocksDbStateOptions options)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return new ChannelDatabase(path, options, readOnly: false);
    }

    /// <summary>Opens without taking RocksDB's lock or replaying into the files: for <c>ledger verify</c>.</summary>
    public static ChannelDatabase OpenReadOnly(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return new ChannelDatabase(path, new RocksDbStateOptions(), readOnly: true);
    }

    public void Write(WriteBatch batch) => Db.Write(batch, WriteOptions);

    /// <summary>
    /// Removes every stored copy of deleted state keys in <paramref name="ranges"/> (encoded, inclusive) from the
    /// files: flushes all column families (the WAL segments holding old writes then become obsolete and are
    /// deleted), then compacts each range through the bottommost level so older versions and tombstones go.
    /// </summary>
    public void Erase(IReadOnlyList<(byte[] Start, byte[] End)> ranges, IReadOnlyList<(byte[] Start, byte[] End)>? privateDataRanges = null)
    {
        ArgumentNullException.ThrowIfNull(ranges);
        var native = Native.Instance;
        var flush = native.rocksdb_flushoptions_create();
        try
        {
            native.rocksdb_flushoptions_set_wait(flush, 1);
            foreach (var family in new[] { Db.GetDefaultColumnFamily(), State, History, Index, Savepoint, Transient, PrivateData, Db.GetColumnFamily(ColumnFamilyNames.PrivateHashState) })
            {
                native.rocksdb_flush_cf(Db.Handle, flush, family.Handle);
            }
        }
        finally
        {
            native.rocksdb_flushoptions_destroy(flush);
        }

        var compact = native.rocksdb_compactoptions_create();
        try
        {
            native.rocksdb_compactoptions_set_bottommost_level_compaction(compact, 2); // kForce: rewrite the bottommost level too
            foreach (var (start, end) in ranges)
            {
                native.rocksdb_compact_range_cf_opt(Db.Handle, State.Handle, compact, start, (UIntPtr)start.Length, end, (UIntPtr)end.Length);
            }

            foreach (var (start, end) in privateDataRanges ?? [])
            {
                native.rocksdb_compact_range_cf_opt(Db.Handle, PrivateData.Handle, compact, start, (UIntPtr)start.Length, end, (UIntPtr)end.Length);
            }

            // The transient store is small and short-lived: compact all of it, so removed copies go too.
            native.rocksdb_compact_range_cf_opt(Db.Handle, Transient.Handle, compact, (byte[]?)null, UIntPtr.Zero, (byte[]?)null, UIntPtr.Zero);
        }
        finally
        {
            native.rocksdb_compactoptions_destroy(compact);
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;

        // Closes the column family handles and the database.
        Db.Dispose();
    }

    private static ColumnFamilies CreateColumnFamilies(RocksDbStateOptions options, Cache blockCache)
    {
        // State families and the index serve point reads (endorsement, MVCC, tx-id lookups): whole-key bloom
        // filters skip SST files that cannot hold the key. History is read by prefix seeks, where they do not help.
        var compression = options.Compression == StorageCompression.None ? Compression.No : Compression.Lz4;
        ColumnFamilyOptions PointLookup() => new ColumnFamilyOptions()
            .SetCompression(compression)
            .SetLevelCompactionDynamicLevelBytes(true)
            .SetBlockBasedTableFactory(new BlockBasedTableOptions()
                .SetBlockCache(blockCache)
                .SetFilterPolicy(BloomFilterPolicy.Create(options.BloomBitsPerKey, false))
                .SetCacheIndexAndFilterBlocks(true)
                .SetPinL0FilterAndIndexBlocksInCache(true));

        ColumnFamilyOptions Sequential() => new ColumnFamilyOptions()
            .SetCompression(compression)
            .SetLevelCompactionDynamicLevelBytes(true)
            .SetBlockBasedTableFactory(new BlockBasedTableOptions().SetBlockCache(blockCache));

        var families = new ColumnFamilies(Sequential());
        families.Add(ColumnFamilyNames.State, PointLookup());
        families.Add(ColumnFamilyNames.PrivateData, PointLookup());
        families.Add(ColumnFamilyNames.PrivateHashState, PointLookup());
        families.Add(ColumnFamilyNames.History, Sequential());
        families.Add(ColumnFamilyNames.Index, PointLookup());
        families.Add(ColumnFamilyNames.Savepoint, Sequential());
        families.Add(ColumnFamilyNames.Transient, Sequential());
        return families;
    }
}
