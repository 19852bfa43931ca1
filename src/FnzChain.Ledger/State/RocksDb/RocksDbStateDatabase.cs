using System.Buffers;
using System.Collections.Concurrent;
using FnzChain.Ledger.History;
using RocksDbSharp;

namespace FnzChain.Ledger.State.RocksDb;

/// <summary>
/// The world state of one channel in an embedded RocksDB database (one database folder per channel).
/// A block's writes, their history entries and the savepoint go to disk in one atomic write batch.
/// </summary>
/// <remarks>
/// Thread-safety: reads and snapshots may run concurrently with each other and with one
/// <see cref="ApplyUpdatesAsync"/> at a time (blocks are applied in order by the committer; concurrent
/// applies are serialised). <see cref="Dispose"/> must not race with calls in flight; it releases open snapshots.
/// </remarks>
public sealed class RocksDbStateDatabase : IStateDatabase
{
    private static readonly byte[] StateSavepointKey = "state"u8.ToArray();

    private readonly RocksDbSharp.RocksDb _db;
    private readonly ColumnFamilyHandle _state;
    private readonly ColumnFamilyHandle _savepoint;
    private readonly RocksDbStateReader _reader;
    private readonly WriteOptions _writeOptions;
    private readonly bool _historyEnabled;
    private readonly Lock _writeLock = new();
    private readonly ConcurrentDictionary<RocksDbStateSnapshot, byte> _openSnapshots = new();

    // Kept referenced for the database's lifetime: the native options point at them.
    private readonly Cache _blockCache;
    private readonly DbOptions _dbOptions;
    private readonly ColumnFamilies _columnFamilies;

    private Version? _latestSavepoint;
    private bool _disposed;

    private RocksDbStateDatabase(string path, RocksDbStateOptions options)
    {
        Path = path;
        _historyEnabled = options.EnableHistory;
        _blockCache = Cache.CreateLru(options.BlockCacheBytes);
        _dbOptions = new DbOptions()
            .SetCreateIfMissing(true)
            .SetCreateMissingColumnFamilies(true)
            .SetParanoidChecks(true)
            .IncreaseParallelism(Math.Max(2, Environment.ProcessorCount));
        _columnFamilies = CreateColumnFamilies(options, _blockCache);
        Directory.CreateDirectory(path);
        _db = RocksDbSharp.RocksDb.Open(_dbOptions, path, _columnFamilies);
        _state = _db.GetColumnFamily(ColumnFamilyNames.State);
        _savepoint = _db.GetColumnFamily(ColumnFamilyNames.Savepoint);
        History = new HistoryStore(_db, _db.GetColumnFamily(ColumnFamilyNames.History));
        _reader = new RocksDbStateReader(_db, _state, snapshot: null);
        _writeOptions = new WriteOptions().SetSync(options.Durability == CommitDurability.Synced);
        var stored = _db.Get(StateSavepointKey, _savepoint, null);
        _latestSavepoint = stored is null ? null : StateEncoding.DecodeSavepoint(stored);
    }

    /// <summary>The database folder.</summary>
    public string Path { get; }

    /// <summary>History of the keys of this channel (empty when history is disabled).</summary>
    public HistoryStore History { get; }

    /// <summary>Opens (creating if needed) the state database of one channel in <paramref name="path"/>.</summary>
    public static RocksDbStateDatabase Open(string path, RocksDbStateOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return new RocksDbStateDatabase(path, options ?? new RocksDbStateOptions());
    }

    public ValueTask<VersionedValue?> GetStateAsync(string ns, string key, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfDisposed();
        return new(_reader.GetState(ns, key));
    }

    public ValueTask<IReadOnlyList<VersionedValue?>> GetStatesAsync(IReadOnlyList<StateKey> keys, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfDisposed();
        return new(_reader.GetStates(keys));
    }

    public ValueTask<QueryPage> GetStateRangeAsync(string ns, string startKey, string endKey, int pageSize, string? bookmark = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfDisposed();
        return new(_reader.GetStateRange(ns, startKey, endKey, pageSize, bookmark));
    }

    /// <summary>Always fails: RocksDB stores opaque bytes and has no JSON indexes.</summary>
    public ValueTask<QueryPage> ExecuteQueryAsync(string ns, string query, int pageSize, string? bookmark = null, CancellationToken cancellationToken = default) =>
        ValueTask.FromException<QueryPage>(new RichQueryNotSupportedException());

    public ValueTask<Version?> GetLatestSavepointAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfDisposed();
        lock (_writeLock)
        {
            return new(_latestSavepoint);
        }
    }

    public ValueTask ApplyUpdatesAsync(UpdateBatch batch, Version savepoint, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfDisposed();
        lock (_writeLock)
        {
            if (_latestSavepoint is { } current && savepoint < current)
            {
                throw new InvalidOperationException($"cannot apply updates at savepoint {savepoint}: the state database is already at {current}");
            }

            WriteBlock(batch, savepoint);
            _latestSavepoint = savepoint;
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<IStateSnapshot> OpenSnapshotAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfDisposed();
        var snapshot = _db.CreateSnapshot();
        var view = new RocksDbStateSnapshot(this, snapshot, new RocksDbStateReader(_db, _state, snapshot));
        _openSnapshots.TryAdd(view, 0);
        return new(view);
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (var snapshot in _openSnapshots.Keys.ToArray())
        {
            snapshot.Dispose();
        }

        // Closes the column family handles and the database.
        _db.Dispose();
    }

    internal void Release(RocksDbStateSnapshot snapshot) => _openSnapshots.TryRemove(snapshot, out _);

    private void WriteBlock(UpdateBatch batch, Version savepoint)
    {
        var keyBuffer = ArrayPool<byte>.Shared.Rent(512);
        var valueBuffer = ArrayPool<byte>.Shared.Rent(4096);
        try
        {
            using var writeBatch = new WriteBatch();
            foreach (var write in batch.Writes)
            {
                StateLimits.ValidateKey(write.Namespace, write.Key);
                StateEncoding.EnsureCapacity(ref keyBuffer, StateEncoding.MaxKeyLength(write.Namespace, write.Key));
                var keyLength = StateEncoding.EncodeKey(write.Namespace, write.Key, keyBuffer);
                if (write.IsDelete)
                {
                    writeBatch.Delete(keyBuffer.AsSpan(0, keyLength), _state);
                }
                else
                {
                    StateEncoding.EnsureCapacity(ref valueBuffer, StateEncoding.MaxValueLength(write));
                    var valueLength = StateEncoding.EncodeValue(write, valueBuffer);
                    writeBatch.Put(keyBuffer.AsSpan(0, keyLength), valueBuffer.AsSpan(0, valueLength), _state);
                }

                if (_historyEnabled)
                {
                    History.AddTo(writeBatch, write, ref keyBuffer, ref valueBuffer);
                }
            }

            Span<byte> savepointBytes = stackalloc byte[16];
            StateEncoding.EncodeSavepoint(savepoint, savepointBytes);
            writeBatch.Put(StateSavepointKey, savepointBytes, _savepoint);
            _db.Write(writeBatch, _writeOptions);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(keyBuffer);
            ArrayPool<byte>.Shared.Return(valueBuffer);
        }
    }

    private static ColumnFamilies CreateColumnFamilies(RocksDbStateOptions options, Cache blockCache)
    {
        // State families serve point reads (endorsement, MVCC): whole-key bloom filters skip SST files that
        // cannot hold the key. History and index are read by prefix/seek, where whole-key filters do not help.
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

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);
}
