namespace FnzChain.Ledger.State;

/// <summary>Queries built on the range scan every state database provides.</summary>
public static class StateReaderExtensions
{
    /// <summary>
    /// Every key of <paramref name="ns"/> whose composite key starts with <paramref name="objectType"/> and the
    /// given leading <paramref name="attributes"/> (Fabric's <c>GetStateByPartialCompositeKey</c>), paged.
    /// </summary>
    public static ValueTask<QueryPage> GetStateByPartialCompositeKeyAsync(
        this IStateReader reader,
        string ns,
        string objectType,
        IReadOnlyList<string> attributes,
        int pageSize,
        string? bookmark = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var start = CompositeKey.Create(objectType, attributes);
        return reader.GetStateRangeAsync(ns, start, CompositeKey.RangeEnd(start), pageSize, bookmark, cancellationToken);
    }
}
