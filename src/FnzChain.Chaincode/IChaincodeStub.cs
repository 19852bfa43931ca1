namespace FnzChain.Chaincode;

/// <summary>
/// What a transaction can see and do: its identity and time, world-state reads and writes in the chaincode's own
/// namespace, queries, history and events. The peer implements it over a consistent snapshot and records every
/// read and write for the endorsement; <see cref="Testing.InMemoryChaincodeStub"/> implements it for unit tests.
/// </summary>
/// <remarks>
/// Reads see the state committed before the transaction, never the transaction's own writes (Fabric semantics).
/// </remarks>
/// <example>
/// <code>
/// var bytes = await Stub.GetStateAsync("fund:F1");
/// await Stub.PutStateAsync("fund:F1", JsonSerializer.SerializeToUtf8Bytes(fund));
/// Stub.SetEvent("FundCreated", JsonSerializer.SerializeToUtf8Bytes(fund));
/// </code>
/// </example>
public interface IChaincodeStub
{
    /// <summary>The transaction id (hex SHA-256 of nonce and creator).</summary>
    string TxId { get; }

    /// <summary>The channel the transaction runs on.</summary>
    string ChannelId { get; }

    /// <summary>When the client created the transaction (from its header; identical on every endorser).</summary>
    DateTimeOffset Timestamp { get; }

    /// <summary>Who submitted the transaction.</summary>
    ClientIdentity Creator { get; }

    /// <summary>Private inputs passed outside the transaction (never written to the ledger).</summary>
    IReadOnlyDictionary<string, byte[]> Transient { get; }

    /// <summary>The committed value of <paramref name="key"/>, or null when it does not exist.</summary>
    Task<byte[]?> GetStateAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Writes <paramref name="key"/> (visible to later transactions once this one commits).</summary>
    Task PutStateAsync(string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default);

    /// <summary>Deletes <paramref name="key"/> when the transaction commits.</summary>
    Task DeleteStateAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Keys in [<paramref name="startKey"/>, <paramref name="endKey"/>) in key order; empty bounds are open. Stop early by breaking.</summary>
    IAsyncEnumerable<KeyValue> GetStateByRangeAsync(string startKey, string endKey, CancellationToken cancellationToken = default);

    /// <summary>One page of a range; pass the returned bookmark to continue (empty bookmark: no more).</summary>
    Task<KeyValuePage> GetStateByRangeWithPaginationAsync(string startKey, string endKey, int pageSize, string? bookmark, CancellationToken cancellationToken = default);

    /// <summary>Every key that extends the partial composite key (object type and leading attributes).</summary>
    IAsyncEnumerable<KeyValue> GetStateByPartialCompositeKeyAsync(string objectType, IReadOnlyList<string> attributes, CancellationToken cancellationToken = default);

    /// <summary>
    /// True when this peer's state database answers rich queries (<see cref="GetQueryResultAsync"/>: CouchDB); false on
    /// RocksDB, where they fail. A contract can offer a rich-query variant of a report and fall back to walking its
    /// composite-key indexes; both must give the same answers, since endorsers of one channel may differ.
    /// </summary>
    bool SupportsRichQueries { get; }

    /// <summary>A rich (Mango JSON) query; only CouchDB state databases answer it.</summary>
    IAsyncEnumerable<KeyValue> GetQueryResultAsync(string query, CancellationToken cancellationToken = default);

    /// <summary>
    /// One page of a rich (Mango JSON) query; pass the returned bookmark to continue (empty: no more). A query's own
    /// <c>limit</c> is replaced by <paramref name="pageSize"/>. Only CouchDB state databases answer it.
    /// </summary>
    Task<KeyValuePage> GetQueryResultWithPaginationAsync(string query, int pageSize, string? bookmark, CancellationToken cancellationToken = default);

    /// <summary>Every committed change of <paramref name="key"/>, newest first.</summary>
    IAsyncEnumerable<KeyModification> GetHistoryForKeyAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>
    /// A private key's value from a collection of this chaincode's definition. Only peers of the collection's
    /// member organisations hold plaintext: elsewhere this fails with <see cref="ChaincodeException"/> (status 403)
    /// naming the collection. Null when the key does not exist.
    /// </summary>
    Task<byte[]?> GetPrivateDataAsync(string collection, string key, CancellationToken cancellationToken = default);

    /// <summary>SHA-256 of a private key's value, from the hashes every peer holds; null when the key does not exist.</summary>
    Task<byte[]?> GetPrivateDataHashAsync(string collection, string key, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes a private key. Only its hashes enter the transaction; the value goes to the collection's member peers.
    /// Pass personal data through <see cref="Transient"/>, never as a transaction argument (arguments are on the ledger).
    /// </summary>
    Task PutPrivateDataAsync(string collection, string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default);

    /// <summary>Deletes a private key (its older values stay in member peers' files until purged).</summary>
    Task DeletePrivateDataAsync(string collection, string key, CancellationToken cancellationToken = default);

    /// <summary>
    /// Fabric 2.5's PurgePrivateData: deletes the key and, when the transaction commits, erases its current and
    /// every older value from each member peer's files (GDPR erasure). The hashes stay on the ledger.
    /// </summary>
    Task PurgePrivateDataAsync(string collection, string key, CancellationToken cancellationToken = default);

    /// <summary>Private keys of a collection in [<paramref name="startKey"/>, <paramref name="endKey"/>) in key order (member peers only).</summary>
    IAsyncEnumerable<KeyValue> GetPrivateDataByRangeAsync(string collection, string startKey, string endKey, CancellationToken cancellationToken = default);

    /// <summary>
    /// A rich (Mango JSON) query over a collection's plaintext (member peers only); only CouchDB state databases
    /// answer it. As in Fabric, its results are not re-checked at commit: do not base writes on them.
    /// </summary>
    IAsyncEnumerable<KeyValue> GetPrivateDataQueryResultAsync(string collection, string query, CancellationToken cancellationToken = default);

    /// <summary>Sets the transaction's chaincode event (one per transaction; a later call replaces it).</summary>
    void SetEvent(string name, ReadOnlyMemory<byte> payload);
}

/// <summary>A key and its value.</summary>
public sealed record KeyValue(string Key, byte[] Value);

/// <summary>One page of range results and the bookmark of the next.</summary>
public sealed record KeyValuePage(IReadOnlyList<KeyValue> Results, string Bookmark)
{
    /// <summary>True when another page follows.</summary>
    public bool HasMore => Bookmark.Length > 0;
}

/// <summary>A committed change of a key.</summary>
public sealed record KeyModification(string TxId, DateTimeOffset Timestamp, bool IsDelete, byte[] Value);
