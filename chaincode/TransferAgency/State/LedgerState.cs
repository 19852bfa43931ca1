using System.Runtime.CompilerServices;
using System.Text.Json;
using FnzChain.Chaincode;

namespace FnzChain.TransferAgency.State;

/// <summary>
/// Typed JSON records over the stub, with the transaction's own writes visible to its later reads. The peer
/// (Fabric semantics) shows a transaction only the committed state; batch transactions (dealing, settlement,
/// distributions, corporate actions) touch the same holding or class several times and must see their own
/// updates, so writes go to the stub and into an overlay read first.
/// </summary>
internal sealed class LedgerState(IChaincodeStub stub)
{
    /// <summary>Index entries carry this value: Fabric treats an empty value as a delete.</summary>
    public static readonly byte[] Marker = [0];

    private readonly Dictionary<string, byte[]?> _written = new(StringComparer.Ordinal);

    public async Task<T?> ReadAsync<T>(string key, CancellationToken cancellationToken = default)
        where T : class
    {
        var bytes = _written.TryGetValue(key, out var pending) ? pending : await stub.GetStateAsync(key, cancellationToken).ConfigureAwait(false);
        return bytes is null ? null : Deserialize<T>(bytes);
    }

    public async Task<bool> ExistsAsync(string key, CancellationToken cancellationToken = default) =>
        _written.TryGetValue(key, out var pending) ? pending is not null : await stub.GetStateAsync(key, cancellationToken).ConfigureAwait(false) is not null;

    public Task WriteAsync<T>(string key, T value, CancellationToken cancellationToken = default)
        where T : class => WriteBytesAsync(key, JsonSerializer.SerializeToUtf8Bytes(value, ContractDispatcher.Json), cancellationToken);

    public Task WriteMarkerAsync(string key, CancellationToken cancellationToken = default) => WriteBytesAsync(key, Marker, cancellationToken);

    public async Task DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        _written[key] = null;
        await stub.DeleteStateAsync(key, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Committed records under a partial composite key, each replaced by this transaction's newer write if any
    /// (and skipped if this transaction deleted it). Keys first written by this transaction are not listed.
    /// </summary>
    public async IAsyncEnumerable<(string Key, T Value)> ScanAsync<T>(string objectType, IReadOnlyList<string> attributes, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        where T : class
    {
        await foreach (var entry in stub.GetStateByPartialCompositeKeyAsync(objectType, attributes, cancellationToken).ConfigureAwait(false))
        {
            var bytes = _written.TryGetValue(entry.Key, out var pending) ? pending : entry.Value;
            if (bytes is not null)
            {
                yield return (entry.Key, Deserialize<T>(bytes));
            }
        }
    }

    /// <summary>Attributes of the committed keys under a partial composite key (for index entries).</summary>
    public async IAsyncEnumerable<IReadOnlyList<string>> ScanKeysAsync(string objectType, IReadOnlyList<string> attributes, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var entry in stub.GetStateByPartialCompositeKeyAsync(objectType, attributes, cancellationToken).ConfigureAwait(false))
        {
            if (!_written.TryGetValue(entry.Key, out var pending) || pending is not null)
            {
                yield return CompositeKey.Split(entry.Key).Attributes;
            }
        }
    }

    /// <summary>
    /// One page of the committed records under a partial composite key. The bookmark must come from an earlier
    /// page of the same listing: one outside the prefix would let a caller read other records.
    /// </summary>
    public async Task<(IReadOnlyList<(string Key, T Value)> Items, string Bookmark)> PageAsync<T>(
        string objectType, IReadOnlyList<string> attributes, int pageSize, string? bookmark, CancellationToken cancellationToken = default)
        where T : class
    {
        var prefix = CheckedPrefix(objectType, attributes, bookmark);
        var page = await stub.GetStateByRangeWithPaginationAsync(prefix, CompositeKey.RangeEnd(prefix), pageSize, bookmark, cancellationToken).ConfigureAwait(false);
        return (page.Results.Select(r => (r.Key, Deserialize<T>(r.Value))).ToList(), page.Bookmark);
    }

    /// <summary>One page of the committed index keys under a partial composite key, as attributes (bookmark checked as for <see cref="PageAsync{T}"/>).</summary>
    public async Task<(IReadOnlyList<IReadOnlyList<string>> Keys, string Bookmark)> PageKeysAsync(
        string objectType, IReadOnlyList<string> attributes, int pageSize, string? bookmark, CancellationToken cancellationToken = default)
    {
        var prefix = CheckedPrefix(objectType, attributes, bookmark);
        var page = await stub.GetStateByRangeWithPaginationAsync(prefix, CompositeKey.RangeEnd(prefix), pageSize, bookmark, cancellationToken).ConfigureAwait(false);
        return (page.Results.Select(r => CompositeKey.Split(r.Key).Attributes).ToList(), page.Bookmark);
    }

    public static T Deserialize<T>(byte[] bytes) =>
        JsonSerializer.Deserialize<T>(bytes, ContractDispatcher.Json) ?? throw new InvalidDataException($"a stored {typeof(T).Name} is null");

    private Task WriteBytesAsync(string key, byte[] bytes, CancellationToken cancellationToken)
    {
        _written[key] = bytes;
        return stub.PutStateAsync(key, bytes, cancellationToken);
    }

    private static string CheckedPrefix(string objectType, IReadOnlyList<string> attributes, string? bookmark)
    {
        var prefix = CompositeKey.Create(objectType, attributes);
        return string.IsNullOrEmpty(bookmark) || bookmark.StartsWith(prefix, StringComparison.Ordinal)
            ? prefix
            : throw new ChaincodeException("the bookmark does not belong to this report: pass the bookmark the previous page returned", 400);
    }
}
