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
        ColumnFamilyOptions PointLookup() => new ColumnFamilyOptions()
            .SetCompression(Compression.Lz4)
            .SetLevelCompactionDynamicLevelBytes(true)
            .SetBlockBasedTableFactory(new BlockBasedTableOptions()
                .SetBlockCache(blockCache)
                .SetFilterPolicy(BloomFilterPolicy.Create(options.BloomBitsPerKey, false))
                .SetCacheIndexAndFilterBlocks(true)
                .SetPinL0FilterAndIndexBlocksInCache(true));

        ColumnFamilyOptions Sequential() => new ColumnFamilyOptions()
            .SetCompression(Compression.Lz4)
            .SetLevelCompactionDynamicLevelBytes(true)
            .SetBlockBasedTableFactory(new BlockBasedTableOptions().SetBlockCache(blockCache));

        var families = new ColumnFamilies(Sequential());
        families.Add(ColumnFamilyNames.State, PointLookup());
        families.Add(ColumnFamilyNames.PrivateState, PointLookup());
        families.Add(ColumnFamilyNames.PrivateHashState, PointLookup());
        families.Add(ColumnFamilyNames.History, Sequential());
        families.Add(ColumnFamilyNames.Index, PointLookup());
        families.Add(ColumnFamilyNames.Savepoint, Sequential());
        return families;
    }
}
