namespace FnzChain.Ledger.Storage;

/// <summary>The column families of a channel's RocksDB database, one per concern (<see cref="StorageColumn"/>).</summary>
internal static class ColumnFamilyNames
{
    /// <summary>
    /// World state: namespace‖key → version, metadata, value. On a peer whose public state is in another database,
    /// only the namespaces derived from private data collections (decision 0017).
    /// </summary>
    public const string State = "state";

    /// <summary>
    /// The private data store: per block and transaction, the plaintext private write sets a member peer committed
    /// (<see cref="Private.PrivateDataStore"/>). Private <em>state</em> lives in <see cref="State"/> as derived namespaces (decision 0007).
    /// </summary>
    public const string PrivateData = "pvt";

    /// <summary>Reserved for hashed private state (same).</summary>
    public const string PrivateHashState = "pvthash";

    /// <summary>Transient store: tx id → private write sets produced at endorsement, until the transaction commits.</summary>
    public const string Transient = "transient";

    /// <summary>History: namespace‖key‖block‖tx → tx id, timestamp, is-delete, value.</summary>
    public const string History = "history";

    /// <summary>Block-store index (block number → location, tx id → block/tx/code).</summary>
    public const string Index = "index";

    /// <summary>Savepoints: the height up to which each store is applied.</summary>
    public const string Savepoint = "savepoint";

    public static readonly string[] All = [State, PrivateData, PrivateHashState, History, Index, Savepoint, Transient];
}

/// <summary>A column family of the channel database, as the stores outside <c>Storage/</c> name it.</summary>
internal enum StorageColumn
{
    State = 0,
    History,
    Index,
    Savepoint,
    Transient,
    PrivateData,
}
