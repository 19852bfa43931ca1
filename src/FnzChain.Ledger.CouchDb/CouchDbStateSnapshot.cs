namespace FnzChain.Ledger.State.CouchDb;

/// <summary>
/// A read view of the CouchDB state: it holds the shared side of the commit lock, so no block is applied while it is
/// open, and reads the live databases. Released on dispose, when the database is disposed, or when it has been open
/// longer than <see cref="CouchDbOptions.MaxSnapshotLifetime"/>; a read that overlaps the release fails rather than
/// return a value a commit may have changed.
/// </summary>
internal sealed class CouchDbStateSnapshot : IStateSnapshot
{
    private readonly CouchDbStateDatabase _db;
    private readonly Timer _expiry;
    private readonly TimeSpan _lifetime;
    private AsyncReaderWriterLock.Lease? _lease;
    private volatile int _state; // 0 open, 1 disposed, 2 expired

    public CouchDbStateSnapshot(CouchDbStateDatabase db, AsyncReaderWriterLock.Lease lease, TimeSpan lifetime)
    {
        _db = db;
        _lease = lease;
        _lifetime = lifetime;
        _expiry = new Timer(static s => ((CouchDbStateSnapshot)s!).Release(expired: true), this, lifetime, Timeout.InfiniteTimeSpan);
    }

    public ValueTask<VersionedValue?> GetStateAsync(string ns, string key, CancellationToken cancellationToken = default)
    {
        StateLimits.ValidateKey(ns, key);
        ThrowIfReleased();
        return Checked(_db.ReadOneAsync(ns, key, cancellationToken));
    }

    public ValueTask<IReadOnlyList<VersionedValue?>> GetStatesAsync(IReadOnlyList<StateKey> keys, CancellationToken cancellationToken = default)
    {
        CouchDbStateDatabase.ValidateKeys(keys);
        ThrowIfReleased();
        return Checked(_db.ReadManyAsync(keys, cancellationToken));
    }

    public ValueTask<QueryPage> GetStateRangeAsync(string ns, string startKey, string endKey, int pageSize, string? bookmark = null, CancellationToken cancellationToken = default)
    {
        CouchDbStateDatabase.ValidateRange(ns, startKey, endKey, pageSize);
        ThrowIfReleased();
        return Checked(_db.ReadRangeAsync(ns, startKey, endKey, pageSize, bookmark, cancellationToken));
    }

    public ValueTask<QueryPage> ExecuteQueryAsync(string ns, string query, int pageSize, string? bookmark = null, CancellationToken cancellationToken = default)
    {
        ThrowIfReleased();
        return Checked(_db.ExecuteQueryAsync(ns, query, pageSize, bookmark, cancellationToken));
    }

    public void Dispose() => Release(expired: false);

    /// <summary>Releases the lock once; <paramref name="expired"/> makes later reads say why they fail.</summary>
    internal void Release(bool expired)
    {
        if (Interlocked.CompareExchange(ref _state, expired ? 2 : 1, 0) != 0)
        {
            return;
        }

        _expiry.Dispose();
        Interlocked.Exchange(ref _lease, null)?.Dispose();
        _db.Forget(this);
    }

    // A read that was running when the snapshot expired may have seen a block applied meanwhile: fail it too.
    private async ValueTask<T> Checked<T>(ValueTask<T> read)
    {
        var result = await read.ConfigureAwait(false);
        ThrowIfReleased();
        return result;
    }

    private void ThrowIfReleased()
    {
        switch (_state)
        {
            case 1:
                throw new ObjectDisposedException(nameof(CouchDbStateSnapshot), "the CouchDB state snapshot was disposed");
            case 2:
                throw new InvalidOperationException(
                    $"CouchDB state snapshot of channel \"{_db.Channel}\" expired: it was open longer than couchDb.maxSnapshotLifetime ({_lifetime.TotalSeconds:0.###} s) and was released so that commits could go on; open a new one");
        }
    }
}
