namespace FnzChain.Ledger.State.RocksDb;

/// <summary>
/// The read API shared by the live RocksDB state and its snapshots: each adapts the synchronous
/// <see cref="RocksDbStateReader"/> to the asynchronous <see cref="IStateReader"/> seam.
/// </summary>
public abstract class RocksDbStateView : IStateReader
{
    private protected RocksDbStateView(RocksDbStateReader reader) => Reader = reader;

    private protected RocksDbStateReader Reader { get; }

    public ValueTask<VersionedValue?> GetStateAsync(string ns, string key, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfDisposed();
        return new(Reader.GetState(ns, key));
    }

    public ValueTask<IReadOnlyList<VersionedValue?>> GetStatesAsync(IReadOnlyList<StateKey> keys, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfDisposed();
        return new(Reader.GetStates(keys));
    }

    public ValueTask<QueryPage> GetStateRangeAsync(string ns, string startKey, string endKey, int pageSize, string? bookmark = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfDisposed();
        return new(Reader.GetStateRange(ns, startKey, endKey, pageSize, bookmark));
    }

    /// <summary>Always fails: RocksDB stores opaque bytes and has no JSON indexes.</summary>
    public ValueTask<QueryPage> ExecuteQueryAsync(string ns, string query, int pageSize, string? bookmark = null, CancellationToken cancellationToken = default) =>
        ValueTask.FromException<QueryPage>(new RichQueryNotSupportedException());

    private protected abstract void ThrowIfDisposed();
}
