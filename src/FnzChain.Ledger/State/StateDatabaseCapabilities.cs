using FnzChain.Ledger.Storage;

namespace FnzChain.Ledger.State;

// Optional capabilities a state database may have besides IStateDatabase, which the ledger probes for (as Fabric's
// statedb probes a VersionedDB for BulkOptimizable and IndexCapable): each backend implements what it can, and the
// ledger never names a backend.

/// <summary>
/// An index definition in Fabric's CouchDB format, as a chaincode package ships it under
/// <c>META-INF/statedb/couchdb/indexes</c>: <c>{"index":{"fields":[...]},"ddoc":"...","name":"...","type":"json"}</c>.
/// </summary>
/// <param name="Name">The file name it came from (for errors), e.g. <c>indexOwner.json</c>.</param>
/// <param name="Json">The definition.</param>
public sealed record StateIndexDefinition(string Name, string Json);

/// <summary>A state database that indexes JSON values for rich queries and accepts index definitions (CouchDB).</summary>
public interface IIndexCapableStateDatabase
{
    /// <summary>
    /// Creates (or keeps, when already there) the indexes of namespace <paramref name="ns"/>. A definition that is
    /// not valid JSON in the expected shape fails with an exception naming it and the cause.
    /// </summary>
    ValueTask DeployIndexesAsync(string ns, IReadOnlyList<StateIndexDefinition> indexes, CancellationToken cancellationToken = default);
}

/// <summary>
/// A state database that lives in the channel's own RocksDB database and stages a block's writes into the channel
/// batch (<see cref="StorageBatch"/>), so the block's index, history, private data and state are written in ONE
/// atomic write — no replay is ever needed between them. Only a database inside the ledger can be one.
/// </summary>
internal interface IChannelBatchStateDatabase : IStateDatabase
{
    /// <summary>The channel database whose batches this state joins.</summary>
    ChannelDatabase Database { get; }

    /// <summary>The savepoint of the last applied block, null before the first (a local read).</summary>
    Version? LatestSavepoint { get; }

    /// <summary>Adds a block's state writes and savepoint to <paramref name="batch"/>; rejects a savepoint behind the current one.</summary>
    void Stage(StorageBatch batch, UpdateBatch updates, Version savepoint);

    /// <summary>Writes a batch staged with <see cref="Stage"/> (it may hold more of the block) and moves the savepoint.</summary>
    void Write(StorageBatch batch, Version savepoint);
}

/// <summary>
/// A state database that can erase deleted keys from its files (compliance purge, private data expiry): the
/// deletion is committed first, and erasure runs shortly after, in the background and in order.
/// </summary>
internal interface IErasableStateDatabase
{
    /// <summary>
    /// Erases the namespaces of <paramref name="keys"/> (already deleted by a committed block) and the given ranges
    /// of the private data store from the files.
    /// </summary>
    void ScheduleErasure(IReadOnlyCollection<StateKey> keys, IReadOnlyList<StorageRange>? privateDataRanges = null);

    /// <summary>Completes when every erasure scheduled so far has run.</summary>
    Task WaitForErasureAsync();
}
