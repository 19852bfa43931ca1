using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace FnzChain.Chaincode.Testing;

/// <summary>
/// A stub for unit-testing contracts without a network: world state in memory, committed when a transaction
/// succeeds (so, as on a peer, reads inside a transaction do not see its own writes), history kept per key.
/// </summary>
/// <example>
/// <code>
/// var stub = new InMemoryChaincodeStub();
/// var fund = new ContractDispatcher(typeof(FundContract));
/// var created = await stub.InvokeAsync(fund, "CreateFund", "F1", "100.5");
/// Assert.That(created.IsSuccess);
/// </code>
/// </example>
public sealed class InMemoryChaincodeStub : IChaincodeStub
{
    private readonly SortedDictionary<string, byte[]> _state = new(Utf8KeyOrder.Instance);
    private readonly Dictionary<string, List<KeyModification>> _history = new(StringComparer.Ordinal);
    private readonly Dictionary<string, byte[]?> _writes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SortedDictionary<string, byte[]>> _private = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Collection, string Key), (byte[]? Value, bool Purge)> _privateWrites = [];
    private readonly Dictionary<string, bool> _collections = new(StringComparer.Ordinal);
    private Dictionary<string, byte[]> _transient = [];

    /// <summary>A stub with a test identity (Org1MSP client) unless <paramref name="creator"/> is given.</summary>
    public InMemoryChaincodeStub(ClientIdentity? creator = null, string channelId = "test")
    {
        Creator = creator ?? DefaultCreator();
        ChannelId = channelId;
    }

    /// <inheritdoc />
    public string TxId { get; private set; } = string.Empty;

    /// <inheritdoc />
    public string ChannelId { get; }

    /// <summary>Set it to control the transaction time.</summary>
    public DateTimeOffset Timestamp { get; set; } = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Set it to run as another identity.</summary>
    public ClientIdentity Creator { get; set; }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, byte[]> Transient => _transient;

    /// <summary>The event the last transaction set, if any.</summary>
    public (string Name, byte[] Payload)? LastEvent { get; private set; }

    /// <summary>Private keys purged by successful transactions, in order (collection, key): what erasure tests assert.</summary>
    public List<(string Collection, string Key)> PurgedKeys { get; } = [];

    /// <summary>
    /// Declares a collection of the chaincode's definition. Once any is declared, others are refused as the peer
    /// refuses them; with <paramref name="peerIsMember"/> false, reading plaintext fails as on a non-member peer.
    /// </summary>
    public InMemoryChaincodeStub DefineCollection(string name, bool peerIsMember = true)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        _collections[name] = peerIsMember;
        return this;
    }

    /// <summary>The committed plaintext of a collection, for assertions.</summary>
    public IReadOnlyDictionary<string, byte[]> PrivateState(string collection) =>
        _private.TryGetValue(collection, out var state) ? state : new Dictionary<string, byte[]>();

    /// <summary>Runs one transaction; its writes are applied only when it succeeds.</summary>
    public async Task<ChaincodeResponse> InvokeAsync(ContractDispatcher contract, string function, params string[] args) =>
        await InvokeAsync(contract, [Encoding.UTF8.GetBytes(function), .. args.Select(Encoding.UTF8.GetBytes)], transient: null).ConfigureAwait(false);

    /// <summary>Runs one transaction with raw arguments and transient data; its writes are applied only when it succeeds.</summary>
    public async Task<ChaincodeResponse> InvokeAsync(ContractDispatcher contract, IReadOnlyList<byte[]> args, IReadOnlyDictionary<string, byte[]>? transient)
    {
        ArgumentNullException.ThrowIfNull(contract);
        TxId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        _transient = transient?.ToDictionary(p => p.Key, p => p.Value) ?? [];
        _writes.Clear();
        _privateWrites.Clear();
        LastEvent = null;
        var response = await contract.InvokeAsync(this, args).ConfigureAwait(false);
        if (response.IsSuccess)
        {
            foreach (var (key, value) in _writes)
            {
                if (value is null)
                {
                    _state.Remove(key);
                }
                else
                {
                    _state[key] = value;
                }

                History(key).Insert(0, new KeyModification(TxId, Timestamp, value is null, value ?? []));
            }

            foreach (var ((collection, key), (value, purge)) in _privateWrites)
            {
                var state = PrivateCollection(collection);
                if (value is null)
                {
                    state.Remove(key);
                }
                else
                {
                    state[key] = value;
                }

                if (purge)
                {
                    PurgedKeys.Add((collection, key));
                }
            }
        }
        else
        {
            LastEvent = null;
        }

        _writes.Clear();
        _privateWrites.Clear();
        return response;
    }

    /// <inheritdoc />
    public Task<byte[]?> GetStateAsync(string key, CancellationToken cancellationToken = default) =>
        Task.FromResult(_state.TryGetValue(key, out var value) ? value.ToArray() : null);

    /// <inheritdoc />
    public Task PutStateAsync(string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        _writes[key] = value.ToArray();
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task DeleteStateAsync(string key, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        _writes[key] = null;
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<KeyValue> GetStateByRangeAsync(string startKey, string endKey, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var pair in Range(startKey, endKey))
        {
            await Task.Yield();
            yield return pair;
        }
    }

    /// <inheritdoc />
    public Task<KeyValuePage> GetStateByRangeWithPaginationAsync(string startKey, string endKey, int pageSize, string? bookmark, CancellationToken cancellationToken = default)
    {
        var from = string.IsNullOrEmpty(bookmark) ? startKey : bookmark;
        var results = Range(from, endKey).Take(pageSize + 1).ToList();
        return Task.FromResult(results.Count > pageSize
            ? new KeyValuePage(results[..pageSize], results[pageSize].Key)
            : new KeyValuePage(results, string.Empty));
    }

    /// <inheritdoc />
    public IAsyncEnumerable<KeyValue> GetStateByPartialCompositeKeyAsync(string objectType, IReadOnlyList<string> attributes, CancellationToken cancellationToken = default)
    {
        var partial = CompositeKey.Create(objectType, attributes);
        return GetStateByRangeAsync(partial, CompositeKey.RangeEnd(partial), cancellationToken);
    }

    /// <inheritdoc />
    public IAsyncEnumerable<KeyValue> GetQueryResultAsync(string query, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("rich queries need a CouchDB state database; the in-memory stub does not evaluate them");

    /// <inheritdoc />
    /// <remarks>False: the in-memory stub is a RocksDB peer as far as queries go.</remarks>
    public bool SupportsRichQueries => false;

    /// <inheritdoc />
    public Task<KeyValuePage> GetQueryResultWithPaginationAsync(string query, int pageSize, string? bookmark, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("rich queries need a CouchDB state database; the in-memory stub does not evaluate them");

    /// <inheritdoc />
    public IAsyncEnumerable<KeyValue> GetPrivateDataQueryResultAsync(string collection, string query, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("rich queries need a CouchDB state database; the in-memory stub does not evaluate them");

    /// <inheritdoc />
    public async IAsyncEnumerable<KeyModification> GetHistoryForKeyAsync(string key, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var modification in _history.GetValueOrDefault(key) ?? [])
        {
            await Task.Yield();
            yield return modification;
        }
    }

    /// <inheritdoc />
    public Task<byte[]?> GetPrivateDataAsync(string collection, string key, CancellationToken cancellationToken = default)
    {
        if (!Known(collection, key))
        {
            throw new ChaincodeException($"this peer is not a member of collection {collection}: its private data is not held here", 403);
        }

        return Task.FromResult(_private.GetValueOrDefault(collection)?.GetValueOrDefault(key)?.ToArray());
    }

    /// <inheritdoc />
    public Task<byte[]?> GetPrivateDataHashAsync(string collection, string key, CancellationToken cancellationToken = default)
    {
        _ = Known(collection, key);
        return Task.FromResult(_private.GetValueOrDefault(collection)?.GetValueOrDefault(key) is { } value ? SHA256.HashData(value) : null);
    }

    /// <inheritdoc />
    public Task PutPrivateDataAsync(string collection, string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default)
    {
        _ = Known(collection, key);
        _privateWrites[(collection, key)] = (value.ToArray(), false);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task DeletePrivateDataAsync(string collection, string key, CancellationToken cancellationToken = default)
    {
        _ = Known(collection, key);
        _privateWrites[(collection, key)] = (null, false);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task PurgePrivateDataAsync(string collection, string key, CancellationToken cancellationToken = default)
    {
        _ = Known(collection, key);
        _privateWrites[(collection, key)] = (null, true);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<KeyValue> GetPrivateDataByRangeAsync(string collection, string startKey, string endKey, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (!Known(collection, startKey.Length > 0 ? startKey : "range"))
        {
            throw new ChaincodeException($"this peer is not a member of collection {collection}: its private data is not held here", 403);
        }

        var state = _private.GetValueOrDefault(collection) ?? new SortedDictionary<string, byte[]>(Utf8KeyOrder.Instance);
        foreach (var pair in state.Where(p => Utf8KeyOrder.Instance.Compare(p.Key, startKey) >= 0 && (endKey.Length == 0 || Utf8KeyOrder.Instance.Compare(p.Key, endKey) < 0)).ToList())
        {
            await Task.Yield();
            yield return new KeyValue(pair.Key, pair.Value.ToArray());
        }
    }

    /// <inheritdoc />
    public void SetEvent(string name, ReadOnlyMemory<byte> payload)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        LastEvent = (name, payload.ToArray());
    }

    private IEnumerable<KeyValue> Range(string startKey, string endKey) =>
        _state.Where(p => Utf8KeyOrder.Instance.Compare(p.Key, startKey) >= 0 && (endKey.Length == 0 || Utf8KeyOrder.Instance.Compare(p.Key, endKey) < 0))
            .Select(p => new KeyValue(p.Key, p.Value.ToArray()))
            .ToList();

    /// <summary>Whether this peer holds the collection's plaintext; refuses an undeclared collection or an empty key.</summary>
    private bool Known(string collection, string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(collection);
        ArgumentException.ThrowIfNullOrEmpty(key);
        if (_collections.Count == 0)
        {
            return true;
        }

        return _collections.TryGetValue(collection, out var member)
            ? member
            : throw new ChaincodeException($"collection {collection} is not defined for this chaincode", 404);
    }

    private SortedDictionary<string, byte[]> PrivateCollection(string collection)
    {
        if (!_private.TryGetValue(collection, out var state))
        {
            state = new SortedDictionary<string, byte[]>(Utf8KeyOrder.Instance);
            _private.Add(collection, state);
        }

        return state;
    }

    private List<KeyModification> History(string key)
    {
        if (!_history.TryGetValue(key, out var list))
        {
            list = [];
            _history.Add(key, list);
        }

        return list;
    }

    private static ClientIdentity DefaultCreator()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=User1@org1.example.com, OU=client, O=org1.example.com", key, HashAlgorithmName.SHA256);
        return new ClientIdentity("Org1MSP", request.CreateSelfSigned(DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddYears(100)));
    }

    /// <summary>UTF-8 byte order of keys, as the peer's state database orders them.</summary>
    private sealed class Utf8KeyOrder : IComparer<string>
    {
        public static readonly Utf8KeyOrder Instance = new();

        public int Compare(string? x, string? y) => Encoding.UTF8.GetBytes(x ?? string.Empty).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(y ?? string.Empty));
    }
}
