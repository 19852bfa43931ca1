using System.Buffers;
using System.Collections.Concurrent;
using FnzChain.Ledger.Storage;

namespace FnzChain.Ledger.State.RocksDb;

/// <summary>
/// The world state of one channel in an embedded RocksDB database: inside a <see cref="ChannelLedger"/> the
/// channel's own database (<see cref="ChannelDatabase"/>), whose commit batch then also carries the block's index,
/// history and private data (<see cref="IChannelBatchStateDatabase"/>); or a database in a folder of its own
/// (<see cref="Open"/>). A block's writes and the savepoint go to disk in one atomic write batch.
/// </summary>
/// <remarks>
/// Thread-safety: reads and snapshots may run concurrently with each other and with one
/// <see cref="ApplyUpdatesAsync"/> at a time (blocks are applied in order by the committer; concurrent
/// applies are serialised). <see cref="Dispose"/> must not race with calls in flight; it releases open snapshots.
/// </remarks>
public sealed class RocksDbStateDatabase : RocksDbStateView, IChannelBatchStateDatabase, IErasableStateDatabase
{
    private static readonly byte[] StateSavepointKey = "state"u8.ToArray();

    private readonly ChannelDatabase _database;
    private readonly bool _ownsDatabase;
    private readonly Lock _writeLock = new();
    private readonly ConcurrentDictionary<RocksDbStateSnapshot, byte> _openSnapshots = new();

    private readonly Lock _erasureLock = new();
    private Task _erasure = Task.CompletedTask;
    private Version? _latestSavepoint;
    private bool _disposed;

    internal RocksDbStateDatabase(ChannelDatabase database, bool ownsDatabase)
        : base(new RocksDbStateReader(database.Db, database.State, snapshot: null, database.Encryption))
    {
        _database = database;
        _ownsDatabase = ownsDatabase;
        _latestSavepoint = ReadSavepoint(database);
    }

    /// <summary>The database folder.</summary>
    public string Path => _database.Path;

    ChannelDatabase IChannelBatchStateDatabase.Database => _database;

    Version? IChannelBatchStateDatabase.LatestSavepoint => LatestSavepoint;

    void IChannelBatchStateDatabase.Stage(StorageBatch batch, UpdateBatch updates, Version savepoint) => Stage(batch, updates, savepoint);

    void IChannelBatchStateDatabase.Write(StorageBatch batch, Version savepoint) => Write(batch, savepoint);

    void IErasableStateDatabase.ScheduleErasure(IReadOnlyCollection<StateKey> keys, IReadOnlyList<StorageRange>? privateDataRanges) =>
        ScheduleErasure(keys, privateDataRanges);

    /// <summary>Opens (creating if needed) a state database in a folder of its own, <paramref name="path"/>.</summary>
    public static RocksDbStateDatabase Open(string path, StorageOptions? options = null) =>
        new(ChannelDatabase.Open(path, options ?? new StorageOptions()), ownsDatabase: true);

    public ValueTask<Version?> GetLatestSavepointAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfDisposed();
        return new(LatestSavepoint);
    }

    /// <summary>The savepoint of the last applied block, null before the first.</summary>
    internal Version? LatestSavepoint
    {
        get
        {
            lock (_writeLock)
            {
                return _latestSavepoint;
            }
        }
    }

    public ValueTask ApplyUpdatesAsync(UpdateBatch batch, Version savepoint, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfDisposed();
        using var writeBatch = _database.CreateBatch();
        lock (_writeLock)
        {
            Stage(writeBatch, batch, savepoint);
            Write(writeBatch, savepoint);
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Adds a block's state writes and the savepoint to a batch of the channel database, which may hold other
    /// entries of the block (index, history, private data store). The single committer must call <see cref="Write"/> next.
    /// </summary>
    internal void Stage(StorageBatch writeBatch, UpdateBatch batch, Version savepoint)
    {
        lock (_writeLock)
        {
            if (_latestSavepoint is { } current && savepoint < current)
            {
                throw new InvalidOperationException($"cannot apply updates at savepoint {savepoint}: the state database is already at {current}");
            }

            AddTo(writeBatch, batch, savepoint);
        }
    }

    /// <summary>Writes a staged batch (atomically, with the configured durability) and moves the savepoint.</summary>
    internal void Write(StorageBatch writeBatch, Version savepoint)
    {
        lock (_writeLock)
        {
            _database.Write(writeBatch);
            _latestSavepoint = savepoint;
        }
    }

    public ValueTask<IStateSnapshot> OpenSnapshotAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfDisposed();
        var snapshot = _database.Db.CreateSnapshot();
        var view = new RocksDbStateSnapshot(this, snapshot, new RocksDbStateReader(_database.Db, _database.State, snapshot, _database.Encryption));
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
        try
        {
            WaitForErasureAsync().Wait(SnapshotGrace + TimeSpan.FromSeconds(30));
        }
        catch (AggregateException)
        {
            // an erasure that failed is reported where it ran; closing goes on
        }

        foreach (var snapshot in _openSnapshots.Keys.ToArray())
        {
            snapshot.Dispose();
        }

        if (_ownsDatabase)
        {
            _database.Dispose();
        }
    }

    internal void Release(RocksDbStateSnapshot snapshot) => _openSnapshots.TryRemove(snapshot, out _);

    /// <summary>How long erasure waits for snapshots that may still see purged values before compacting anyway.</summary>
    internal static TimeSpan SnapshotGrace { get; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Erases purged keys (already deleted by a committed batch) from the database files: once the snapshots open
    /// now are released (they pin the old versions; endorsement snapshots live milliseconds, and erasure waits at
    /// most <see cref="SnapshotGrace"/>), every column family is flushed — so the write-ahead log segments that
    /// hold the old writes become obsolete and are deleted — and each key's namespace is compacted through the
    /// bottommost level, which drops older versions and the tombstones. Runs in the background, in order.
    /// </summary>
    internal void ScheduleErasure(IReadOnlyCollection<StateKey> keys, IReadOnlyList<StorageRange>? privateDataRanges = null)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var pinning = _openSnapshots.Keys.ToArray();
        // Whole collection namespaces are compacted, not single keys: RocksDB's log names the bounds of a manual
        // compaction, and a plaintext private key must not land there.
        var ranges = keys.Select(k => k.Namespace).Distinct(StringComparer.Ordinal).Select(ns =>
        {
            var start = new byte[StateEncoding.MaxKeyLength(ns, string.Empty)];
            return new StorageRange(start.AsSpan(0, StateEncoding.EncodeKey(ns, string.Empty, start)).ToArray(), StateEncoding.NamespaceEnd(ns));
        }).ToList();
        lock (_erasureLock)
        {
            _erasure = _erasure.ContinueWith(_ => EraseAsync(pinning, ranges, privateDataRanges), TaskScheduler.Default).Unwrap();
        }
    }

    /// <summary>Completes when every erasure scheduled so far has run.</summary>
    public Task WaitForErasureAsync()
    {
        lock (_erasureLock)
        {
            return _erasure;
        }
    }

    private async Task EraseAsync(RocksDbStateSnapshot[] pinning, List<StorageRange> ranges, IReadOnlyList<StorageRange>? privateDataRanges)
    {
        var deadline = DateTime.UtcNow + SnapshotGrace;
        while (pinning.Any(_openSnapshots.ContainsKey) && DateTime.UtcNow < deadline && !_disposed)
        {
            await Task.Delay(20).ConfigureAwait(false);
        }

        if (!_disposed)
        {
            _database.Erase(ranges, privateDataRanges);
        }
    }

    /// <summary>Reads the state savepoint straight from a database (also a read-only one, for verification).</summary>
    internal static Version? ReadSavepoint(ChannelDatabase database)
    {
        var stored = database.Get(StorageColumn.Savepoint, StateSavepointKey);
        return stored is null ? null : StateEncoding.DecodeSavepoint(stored);
    }

    private protected override void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    private void AddTo(StorageBatch writeBatch, UpdateBatch batch, Version savepoint)
    {
        var keyBuffer = ArrayPool<byte>.Shared.Rent(512);
        var valueBuffer = ArrayPool<byte>.Shared.Rent(4096);
        try
        {
            foreach (var write in batch.Writes)
            {
                // Keys were validated when they were added to the UpdateBatch.
                StateEncoding.EnsureCapacity(ref keyBuffer, StateEncoding.MaxKeyLength(write.Namespace, write.Key));
                var keyLength = StateEncoding.EncodeKey(write.Namespace, write.Key, keyBuffer);
                if (write.IsDelete)
                {
                    writeBatch.Delete(StorageColumn.State, keyBuffer.AsSpan(0, keyLength));
                }
                else
                {
                    StateEncoding.EnsureCapacity(ref valueBuffer, StateEncoding.MaxValueLength(write));
                    var valueLength = StateEncoding.EncodeValue(write, valueBuffer);
                    writeBatch.Put(StorageColumn.State, keyBuffer.AsSpan(0, keyLength), valueBuffer.AsSpan(0, valueLength));
                }
            }

            Span<byte> savepointBytes = stackalloc byte[16];
            StateEncoding.EncodeSavepoint(savepoint, savepointBytes);
            writeBatch.Put(StorageColumn.Savepoint, StateSavepointKey, savepointBytes);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(keyBuffer);
            ArrayPool<byte>.Shared.Return(valueBuffer);
        }
    }
}
