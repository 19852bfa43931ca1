using System.Buffers;
using FnzChain.Ledger.Encryption;
using RocksDbSharp;

namespace FnzChain.Ledger.Storage;

/// <summary>Visits one stored entry of a scan; returns false to stop the scan.</summary>
internal delegate bool EntryVisitor(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value);

/// <summary>
/// The RocksDB database of one channel: world state, history, the block-store index, the private data and transient
/// stores and savepoints, one column family each (<see cref="ColumnFamilyNames"/>). The only owner of RocksDB in the
/// ledger besides the RocksDB state database: the stores read it by column through <see cref="Get"/> and the scans,
/// and stage writes into a <see cref="StorageBatch"/>, so a block's index, state, history and private data are
/// written in one atomic batch without the stores naming RocksDB types.
/// </summary>
internal sealed partial class ChannelDatabase : IDisposable
{
    // Kept referenced for the database's lifetime: the native options point at them.
    private readonly Cache _blockCache;
    private readonly DbOptions _dbOptions;
    private readonly ColumnFamilies _columnFamilies;
    private readonly ColumnFamilyHandle[] _columns;
    private readonly AtRestCipher? _cipher;
    private bool _disposed;

    private ChannelDatabase(string path, StorageOptions options, bool readOnly)
    {
        Path = path;
        Options = options;
        IsReadOnly = readOnly;
        _cipher = options.Encryption;
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
        Savepoint = Db.GetColumnFamily(ColumnFamilyNames.Savepoint);
        PrivateData = Db.GetColumnFamily(ColumnFamilyNames.PrivateData);
        Transient = Db.GetColumnFamily(ColumnFamilyNames.Transient);
        _columns = new ColumnFamilyHandle[Enum.GetValues<StorageColumn>().Length];
        _columns[(int)StorageColumn.State] = State;
        _columns[(int)StorageColumn.History] = Db.GetColumnFamily(ColumnFamilyNames.History);
        _columns[(int)StorageColumn.Index] = Db.GetColumnFamily(ColumnFamilyNames.Index);
        _columns[(int)StorageColumn.Savepoint] = Savepoint;
        _columns[(int)StorageColumn.Transient] = Transient;
        _columns[(int)StorageColumn.PrivateData] = PrivateData;
        WriteOptions = new WriteOptions().SetSync(options.Durability == CommitDurability.Synced);
    }

    public string Path { get; }

    public StorageOptions Options { get; }

    public bool IsReadOnly { get; }

    /// <summary>The cipher of encryption at rest, or null when values are stored in the clear.</summary>
    public AtRestCipher? Encryption => _cipher;

    /// <summary>The database, for the RocksDB state database (<c>State/RocksDb</c>), which reads it through snapshots.</summary>
    public RocksDbSharp.RocksDb Db { get; }

    public ColumnFamilyHandle State { get; }

    public ColumnFamilyHandle Savepoint { get; }

    private ColumnFamilyHandle PrivateData { get; }

    private ColumnFamilyHandle Transient { get; }

    /// <summary>Write options honouring <see cref="StorageOptions.Durability"/>: synced means the WAL is fsynced before a write returns.</summary>
    private WriteOptions WriteOptions { get; }

    public static ChannelDatabase Open(string path, StorageOptions options)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(options);
        return new ChannelDatabase(path, options, readOnly: false);
    }

    /// <summary>Opens without taking RocksDB's lock or replaying into the files: for <c>ledger verify</c>.</summary>
    public static ChannelDatabase OpenReadOnly(string path, AtRestCipher? encryption = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return new ChannelDatabase(path, new StorageOptions { Encryption = encryption }, readOnly: true);
    }

    /// <summary>A new, empty batch of writes to this database.</summary>
    public StorageBatch CreateBatch() => new(_columns, _cipher);

    /// <summary>Writes a batch atomically, with the configured durability.</summary>
    public void Write(StorageBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        Db.Write(batch.Native, WriteOptions);
    }

    /// <summary>Writes one entry on its own (with the configured durability).</summary>
    public void Put(StorageColumn column, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        if (_cipher is null)
        {
            Db.Put(key, value, _columns[(int)column], WriteOptions);
            return;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(value.Length + AtRestCipher.Overhead);
        try
        {
            var length = _cipher.Encrypt((AtRestDomain)column, key, value, buffer);
            Db.Put(key, buffer.AsSpan(0, length), _columns[(int)column], WriteOptions);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The stored value of <paramref name="key"/> (decrypted when encryption is on), or null.</summary>
    public byte[]? Get(StorageColumn column, ReadOnlySpan<byte> key)
    {
        var stored = Db.Get(key, _columns[(int)column]);
        return _cipher is null || stored is null ? stored : _cipher.Decrypt((AtRestDomain)column, key, stored);
    }

    /// <summary>Visits the entries from <paramref name="from"/> (inclusive) on in key order, until the visitor returns false or the column ends.</summary>
    public void Scan(StorageColumn column, ReadOnlySpan<byte> from, EntryVisitor visit)
    {
        using var iterator = Db.NewIterator(_columns[(int)column]);
        iterator.Seek(from);
        Visit(column, iterator, forward: true, visit);
    }

    /// <summary>
    /// Visits the entries in [<paramref name="lower"/>, <paramref name="upper"/>) in descending key order, until the
    /// visitor returns false. The bounds are passed to RocksDB, which then reads nothing outside them.
    /// </summary>
    public void ScanBackward(StorageColumn column, byte[] lower, byte[] upper, EntryVisitor visit)
    {
        var options = new ReadOptions().SetIterateLowerBound(lower).SetIterateUpperBound(upper);
        using var iterator = Db.NewIterator(_columns[(int)column], options);
        iterator.SeekToLast();
        Visit(column, iterator, forward: false, visit);
    }

    /// <summary>Decrypts a stored value into <paramref name="buffer"/> (a pooled buffer, grown as needed) and returns the plaintext.</summary>
    internal static ReadOnlySpan<byte> Decrypt(AtRestCipher cipher, AtRestDomain domain, ReadOnlySpan<byte> key, ReadOnlySpan<byte> stored, ref byte[] buffer)
    {
        var length = AtRestCipher.PlaintextLength(domain, stored.Length);
        if (buffer.Length < length)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            buffer = ArrayPool<byte>.Shared.Rent(length);
        }

        return buffer.AsSpan(0, cipher.Decrypt(domain, key, stored, buffer));
    }

    private void Visit(StorageColumn column, Iterator iterator, bool forward, EntryVisitor visit)
    {
        if (_cipher is null)
        {
            for (; iterator.Valid(); Step())
            {
                if (!visit(iterator.GetKeySpan(), iterator.GetValueSpan()))
                {
                    return;
                }
            }

            return;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(256);
        try
        {
            for (; iterator.Valid(); Step())
            {
                var key = iterator.GetKeySpan();
                if (!visit(key, Decrypt(_cipher, (AtRestDomain)column, key, iterator.GetValueSpan(), ref buffer)))
                {
                    return;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        void Step()
        {
            if (forward)
            {
                iterator.Next();
            }
            else
            {
                iterator.Prev();
            }
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

    private static ColumnFamilies CreateColumnFamilies(StorageOptions options, Cache blockCache)
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
