using RocksDbSharp;

namespace FnzChain.Ledger.State.RocksDb;

/// <summary>A RocksDB snapshot of the state: every read sees the state as of <see cref="RocksDbStateDatabase.OpenSnapshotAsync"/>.</summary>
public sealed class RocksDbStateSnapshot : RocksDbStateView, IStateSnapshot
{
    private readonly RocksDbStateDatabase _owner;
    private readonly Snapshot _snapshot;
    private int _disposed;

    internal RocksDbStateSnapshot(RocksDbStateDatabase owner, Snapshot snapshot, RocksDbStateReader reader)
        : base(reader)
    {
        _owner = owner;
        _snapshot = snapshot;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _owner.Release(this);
            _snapshot.Dispose();
        }
    }

    private protected override void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
}
