namespace FnzChain.Ledger.State;

/// <summary>A committed value with the version that wrote it and its optional metadata (e.g. a key-level endorsement policy).</summary>
/// <remarks>Empty <see cref="Metadata"/> means the key has no metadata.</remarks>
public sealed record VersionedValue(ReadOnlyMemory<byte> Value, Version Version, ReadOnlyMemory<byte> Metadata = default);

/// <summary>A (namespace, key) pair: namespace is the chaincode name, key the chaincode's key.</summary>
public readonly record struct StateKey(string Namespace, string Key);

/// <summary>One result of a range or composite-key query.</summary>
public sealed record VersionedKeyValue(string Namespace, string Key, VersionedValue Value);

/// <summary>
/// One page of query results. <see cref="Bookmark"/> is an opaque string to pass back to continue after this
/// page; it is empty when the query has no more results.
/// </summary>
public sealed record QueryPage(IReadOnlyList<VersionedKeyValue> Results, string Bookmark)
{
    public bool HasMore => Bookmark.Length > 0;
}
