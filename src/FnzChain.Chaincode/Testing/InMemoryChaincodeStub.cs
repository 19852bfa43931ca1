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
        }
        else
        {
            LastEvent = null;
        }

        _writes.Clear();
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
    public async IAsyncEnumerable<KeyModification> GetHistoryForKeyAsync(string key, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var modification in _history.GetValueOrDefault(key) ?? [])
        {
            await Task.Yield();
            yield return modification;
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
