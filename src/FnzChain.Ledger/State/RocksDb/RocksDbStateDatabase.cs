using System.Buffers;
using System.Collections.Concurrent;
using FnzChain.Ledger.History;
using FnzChain.Ledger.Storage;
using RocksDbSharp;

namespace FnzChain.Ledger.State.RocksDb;

/// <summary>
/// The world state of one channel in an embedded RocksDB database (one database folder per channel).
/// A block's writes, their history entries and the savepoint go to disk in one atomic write batch; inside a
/// <see cref="ChannelLedger"/> the same batch also carries the block-store index.
/// </summary>
/// <remarks>
/// Thread-safety: reads and snapshots may run concurrently with each other and with one
/// <see cref="ApplyUpdatesAsync"/> at a time (blocks are applied in order by the committer; concurrent
/// applies are serialised). <see cref="Dispose"/> must not race with calls in flight; it releases open snapshots.
/// </remarks>
public sealed class RocksDbStateDatabase : RocksDbStateView, IStateDatabase
{
    private static readonly byte[] StateSavepointKey = "state"u8.ToArray();

    private readonly ChannelDatabase _database;
    private readonly bool _ownsDatabase;
    private readonly bool _historyEnabled;
    private readonly Lock _writeLock = new();
    private readonly ConcurrentDictionary<RocksDbStateSnapshot, byte> _openSnapshots = new();

    private readonly Lock _erasureLock = new();
    private Task _erasure = Task.CompletedTask;
    private Version? _latestSavepoint;
    private bool _disposed;

    internal RocksDbStateDatabase(ChannelDatabase database, bool ownsDatabase)
        : base(new RocksDbStateReader(database.Db, database.State, snapshot: null))
    {
        _database = database;
        _ownsDatabase = ownsDatabase;
        _historyEnabled = database.Options.EnableHistory;
        History = new HistoryStore(database.Db, database.History);
        _latestSavepoint = ReadSavepoint(database);
    }

    /// <summary>The database folder.</summary>
    public string Path => _database.Path;

    /// <summary>History of the keys of this channel (empty when history is disabled).</summary>
    public HistoryStore History { get; }

    /// <summary>Opens (creating if needed) the state database of one channel in <paramref name="path"/>.</summary>
    public static RocksDbStateDatabase Open(string path, RocksDbStateOptions? options = null) =>
        new(ChannelDatabase.Open(path, options ?? new RocksDbStateOptions()), ownsDatabase: true);

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
        using var writeBatch = new WriteBatch();
        Apply(writeBatch, batch, savepoint);
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Adds a block's state writes, their history and the savepoint to <paramref name="writeBatch"/> (which may
    /// already hold other entries of the block, such as its index) and writes the batch atomically.
    /// </summary>
    internal void Apply(WriteBatch writeBatch, UpdateBatch batch, Version savepoint)
    {
        lock (_writeLock)
        {
            Stage(writeBatch, batch, savepoint);
            Write(writeBatch, savepoint);
        }
    }

    /// <summary>
    /// First half of <see cref="Apply"/>, for a committer that overlaps encoding with other I/O: adds the block's
    /// entries to the batch. The single committer must call <see cref="Write"/> next.
    /// </summary>
    internal void Stage(WriteBatch writeBatch, UpdateBatch batch, Version savepoint)
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
    internal void Write(WriteBatch writeBatch, Version savepoint)
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
        var view = new RocksDbStateSnapshot(this, snapshot, new RocksDbStateReader(_database.Db, _database.State, snapshot));
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
    internal void ScheduleErasure(IReadOnlyCollection<StateKey> keys, IReadOnlyList<(byte[] Start, byte[] End)>? privateDataRanges = null)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var pinning = _openSnapshots.Keys.ToArray();
        // Whole collection namespaces are compacted, not single keys: RocksDB's log names the bounds of a manual
        // compaction, and a plaintext private key must not land there.
        var ranges = keys.Select(k => k.Namespace).Distinct(StringComparer.Ordinal).Select(ns =>
        {
            var start = new byte[StateEncoding.MaxKeyLength(ns, string.Empty)];
            return (Start: start.AsSpan(0, StateEncoding.EncodeKey(ns, string.Empty, start)).ToArray(), End: StateEncoding.NamespaceEnd(ns));
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

    private async Task EraseAsync(RocksDbStateSnapshot[] pinning, List<(byte[] Start, byte[] End)> ranges, IReadOnlyList<(byte[] Start, byte[] End)>? privateDataRanges)
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
        var stored = database.Db.Get(StateSavepointKey, database.Savepoint, null);
        return stored is null ? null : StateEncoding.DecodeSavepoint(stored);
    }

    private protected override void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    private void AddTo(WriteBatch writeBatch, UpdateBatch batch, Version savepoint)
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
                    writeBatch.Delete(keyBuffer.AsSpan(0, keyLength), _database.State);
                }
                else
                {
                    StateEncoding.EnsureCapacity(ref valueBuffer, StateEncoding.MaxValueLength(write));
                    var valueLength = StateEncoding.EncodeValue(write, valueBuffer);
                    writeBatch.Put(keyBuffer.AsSpan(0, keyLength), valueBuffer.AsSpan(0, valueLength), _database.State);
                }

                if (_historyEnabled && !PrivateNamespaces.IsDerived(write.Namespace))
                {
                    History.AddTo(writeBatch, write, ref keyBuffer, ref valueBuffer);
                }
            }

            Span<byte> savepointBytes = stackalloc byte[16];
            StateEncoding.EncodeSavepoint(savepoint, savepointBytes);
            writeBatch.Put(StateSavepointKey, savepointBytes, _database.Savepoint);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(keyBuffer);
            ArrayPool<byte>.Shared.Return(valueBuffer);
        }
    }
}
