using System.Runtime.CompilerServices;
using FnzChain.Chaincode;
using FnzChain.Ledger.History;
using FnzChain.Ledger.Simulation;
using FnzChain.Ledger.State;
using KeyModification = FnzChain.Chaincode.KeyModification;
using KeyValue = FnzChain.Chaincode.KeyValue;

namespace FnzChain.Peer.Chaincode;

/// <summary>
/// The stub a contract sees during endorsement: every state access goes through the <see cref="TransactionSimulator"/>
/// (so it is recorded in the read/write set) in the chaincode's own namespace, on a snapshot of the peer's state.
/// </summary>
internal sealed class SimulationStub(
    string chaincode,
    TransactionSimulator simulator,
    IStateReader snapshot,
    HistoryStore history,
    string txId,
    string channelId,
    DateTimeOffset timestamp,
    ClientIdentity creator,
    IReadOnlyDictionary<string, byte[]> transient,
    CollectionAccess collections,
    bool richQueries) : IChaincodeStub
{
    public bool SupportsRichQueries => richQueries;

    public string TxId => txId;

    public string ChannelId => channelId;

    public DateTimeOffset Timestamp => timestamp;

    public ClientIdentity Creator => creator;

    public IReadOnlyDictionary<string, byte[]> Transient => transient;

    public (string Name, byte[] Payload)? Event { get; private set; }

    /// <summary>Plaintext private values this simulation read or wrote, by collection: what must not leave in a response or event.</summary>
    public List<(string Collection, byte[] Value)> PrivateValuesSeen { get; } = [];

    public async Task<byte[]?> GetStateAsync(string key, CancellationToken cancellationToken = default) =>
        (await simulator.GetStateAsync(chaincode, key, cancellationToken).ConfigureAwait(false))?.Value.ToArray();

    public Task PutStateAsync(string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default)
    {
        simulator.PutState(chaincode, key, value);
        return Task.CompletedTask;
    }

    public Task DeleteStateAsync(string key, CancellationToken cancellationToken = default)
    {
        simulator.DeleteState(chaincode, key);
        return Task.CompletedTask;
    }

    public async IAsyncEnumerable<KeyValue> GetStateByRangeAsync(string startKey, string endKey, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var entry in simulator.GetStateRangeAsync(chaincode, startKey, endKey, cancellationToken).ConfigureAwait(false))
        {
            yield return new KeyValue(entry.Key, entry.Value.Value.ToArray());
        }
    }

    public async Task<KeyValuePage> GetStateByRangeWithPaginationAsync(string startKey, string endKey, int pageSize, string? bookmark, CancellationToken cancellationToken = default)
    {
        var page = await simulator.GetStateRangePageAsync(chaincode, startKey, endKey, pageSize, bookmark, cancellationToken).ConfigureAwait(false);
        return new KeyValuePage(page.Results.Select(r => new KeyValue(r.Key, r.Value.Value.ToArray())).ToList(), page.Bookmark);
    }

    public IAsyncEnumerable<KeyValue> GetStateByPartialCompositeKeyAsync(string objectType, IReadOnlyList<string> attributes, CancellationToken cancellationToken = default)
    {
        var partial = FnzChain.Chaincode.CompositeKey.Create(objectType, attributes);
        return GetStateByRangeAsync(partial, FnzChain.Chaincode.CompositeKey.RangeEnd(partial), cancellationToken);
    }

    public async Task<KeyValuePage> GetQueryResultWithPaginationAsync(string query, int pageSize, string? bookmark, CancellationToken cancellationToken = default)
    {
        var page = await snapshot.ExecuteQueryAsync(chaincode, query, pageSize, bookmark, cancellationToken).ConfigureAwait(false);
        return new KeyValuePage(page.Results.Select(r => new KeyValue(r.Key, r.Value.Value.ToArray())).ToList(), page.Bookmark);
    }

    public async IAsyncEnumerable<KeyValue> GetQueryResultAsync(string query, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string? bookmark = null;
        do
        {
            var page = await snapshot.ExecuteQueryAsync(chaincode, query, 1000, bookmark, cancellationToken).ConfigureAwait(false);
            foreach (var result in page.Results)
            {
                yield return new KeyValue(result.Key, result.Value.Value.ToArray());
            }

            bookmark = page.Bookmark;
        }
        while (bookmark.Length > 0);
    }

    public async IAsyncEnumerable<KeyValue> GetPrivateDataQueryResultAsync(string collection, string query, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        collections.CheckRead(collection);
        string? bookmark = null;
        do
        {
            var page = await snapshot.ExecuteQueryAsync(PrivateNamespaces.Private(chaincode, collection), query, 1000, bookmark, cancellationToken).ConfigureAwait(false);
            foreach (var result in page.Results)
            {
                var value = result.Value.Value.ToArray();
                PrivateValuesSeen.Add((collection, value));
                yield return new KeyValue(result.Key, value);
            }

            bookmark = page.Bookmark;
        }
        while (bookmark.Length > 0);
    }

    public async IAsyncEnumerable<KeyModification> GetHistoryForKeyAsync(string key, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var change in history.GetHistoryForKey(chaincode, key))
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return new KeyModification(change.TxId, change.Timestamp, change.IsDelete, change.Value.ToArray());
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    public async Task<byte[]?> GetPrivateDataAsync(string collection, string key, CancellationToken cancellationToken = default)
    {
        collections.CheckRead(collection);
        var value = (await simulator.GetPrivateDataAsync(chaincode, collection, key, cancellationToken).ConfigureAwait(false))?.Value.ToArray();
        if (value is not null)
        {
            PrivateValuesSeen.Add((collection, value));
        }

        return value;
    }

    public async Task<byte[]?> GetPrivateDataHashAsync(string collection, string key, CancellationToken cancellationToken = default)
    {
        collections.Require(collection);
        return (await simulator.GetPrivateDataHashAsync(chaincode, collection, key, cancellationToken).ConfigureAwait(false))?.Value.ToArray();
    }

    public Task PutPrivateDataAsync(string collection, string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default)
    {
        collections.CheckWrite(collection);
        simulator.PutPrivateData(chaincode, collection, key, value);
        PrivateValuesSeen.Add((collection, value.ToArray()));
        return Task.CompletedTask;
    }

    public Task DeletePrivateDataAsync(string collection, string key, CancellationToken cancellationToken = default)
    {
        collections.CheckWrite(collection);
        simulator.DeletePrivateData(chaincode, collection, key);
        return Task.CompletedTask;
    }

    public Task PurgePrivateDataAsync(string collection, string key, CancellationToken cancellationToken = default)
    {
        collections.CheckWrite(collection);
        simulator.PurgePrivateData(chaincode, collection, key);
        return Task.CompletedTask;
    }

    public async IAsyncEnumerable<KeyValue> GetPrivateDataByRangeAsync(string collection, string startKey, string endKey, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        collections.CheckRead(collection);
        await foreach (var entry in simulator.GetPrivateDataRangeAsync(chaincode, collection, startKey, endKey, cancellationToken).ConfigureAwait(false))
        {
            var value = entry.Value.Value.ToArray();
            PrivateValuesSeen.Add((collection, value));
            yield return new KeyValue(entry.Key, value);
        }
    }

    public void SetEvent(string name, ReadOnlyMemory<byte> payload)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Event = (name, payload.ToArray());
    }
}
