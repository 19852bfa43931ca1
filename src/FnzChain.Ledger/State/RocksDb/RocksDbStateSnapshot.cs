using RocksDbSharp;

namespace FnzChain.Ledger.State.RocksDb;

/// <summary>A RocksDB snapshot of the state: every read sees the state as of <see cref="RocksDbStateDatabase.OpenSnapshotAsync"/>.</summary>
public sealed class RocksDbStateSnapshot : IStateSnapshot
{
    private readonly RocksDbStateDatabase _owner;
    private readonly Snapshot _snapshot;
    private readonly RocksDbStateReader _reader;
    private int _disposed;

    internal RocksDbStateSnapshot(RocksDbStateDatabase owner, Snapshot snapshot, RocksDbStateReader reader)
    {
        _owner = owner;
        _snapshot = snapshot;
        _reader = reader;
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

    public ValueTask<QueryPage> ExecuteQueryAsync(string ns, string query, int pageSize, string? bookmark = null, CancellationToken cancellationToken = default) =>
        ValueTask.FromException<QueryPage>(new RichQueryNotSupportedException());

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _owner.Release(this);
            _snapshot.Dispose();
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
}
