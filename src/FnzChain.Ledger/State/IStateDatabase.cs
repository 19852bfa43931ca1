namespace FnzChain.Ledger.State;

/// <summary>
/// Read operations shared by the live state database and its snapshots.
/// </summary>
/// <remarks>
/// Methods return <see cref="ValueTask"/> and take a <see cref="CancellationToken"/> because a CouchDB
/// implementation does HTTP; the RocksDB implementation completes synchronously (local reads of a few
/// microseconds are not worth a thread hop) so awaiting it costs no allocation. Argument validation throws
/// before the first await.
/// </remarks>
public interface IStateReader
{
    /// <summary>The committed value of a key, or null when the key does not exist (never written or deleted).</summary>
    ValueTask<VersionedValue?> GetStateAsync(string ns, string key, CancellationToken cancellationToken = default);

    /// <summary>Bulk read: one result per requested key, in request order, null where the key does not exist.</summary>
    ValueTask<IReadOnlyList<VersionedValue?>> GetStatesAsync(IReadOnlyList<StateKey> keys, CancellationToken cancellationToken = default);

    /// <summary>
    /// Keys in [<paramref name="startKey"/>, <paramref name="endKey"/>) of one namespace in ascending UTF-8 byte
    /// order, at most <paramref name="pageSize"/> of them. An empty start means from the first key, an empty end
    /// means to the last. Pass the returned bookmark to continue; an empty bookmark starts at the beginning.
    /// </summary>
    ValueTask<QueryPage> GetStateRangeAsync(string ns, string startKey, string endKey, int pageSize, string? bookmark = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// A rich query (CouchDB Mango selector, JSON). Only databases that index JSON values answer it; others
    /// throw <see cref="RichQueryNotSupportedException"/>.
    /// </summary>
    ValueTask<QueryPage> ExecuteQueryAsync(string ns, string query, int pageSize, string? bookmark = null, CancellationToken cancellationToken = default);
}

/// <summary>
/// The world state of one channel: versioned values per (namespace, key), written a block at a time.
/// The seam between the ledger and its state backends (RocksDB, CouchDB), like Fabric's
/// <c>statedb.VersionedDB</c>.
/// </summary>
public interface IStateDatabase : IStateReader, IDisposable
{
    /// <summary>The savepoint of the last applied block, or null for a database nothing was ever applied to.</summary>
    ValueTask<Version?> GetLatestSavepointAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Applies every write of a block and its savepoint. RocksDB does it atomically: after a crash either all of it is
    /// visible or none. A database without transactions (CouchDB) writes the savepoint last and must make re-applying
    /// the same writes and savepoint idempotent: the ledger replays a block whose savepoint is missing. Reapplying the
    /// current savepoint (recovery replay) is allowed; a savepoint behind it is rejected.
    /// </summary>
    ValueTask ApplyUpdatesAsync(UpdateBatch batch, Version savepoint, CancellationToken cancellationToken = default);

    /// <summary>
    /// A consistent read view for endorsement: it sees the state as of this call and none of the blocks applied
    /// after it. Dispose it promptly; an open snapshot pins old data.
    /// </summary>
    ValueTask<IStateSnapshot> OpenSnapshotAsync(CancellationToken cancellationToken = default);
}

/// <summary>A consistent, read-only view of the state at one point in time.</summary>
public interface IStateSnapshot : IStateReader, IDisposable;
