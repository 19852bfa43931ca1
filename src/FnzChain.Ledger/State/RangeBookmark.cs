using System.Buffers.Text;
using System.Text;

namespace FnzChain.Ledger.State;

/// <summary>
/// Pagination bookmark of a range scan (RocksDB and CouchDB state alike): base64url of the UTF-8 key the next page starts at (inclusive).
/// Resuming from a key rather than an offset keeps pages correct when keys are added or deleted between
/// calls: a deleted bookmark key is simply skipped by the seek.
/// </summary>
public static class RangeBookmark
{
    public static string Encode(ReadOnlySpan<byte> nextKey) => Base64Url.EncodeToString(nextKey);

    /// <summary>Decodes a bookmark and checks it lies inside [startKey, endKey).</summary>
    public static string Decode(string bookmark, string ns, string startKey, string endKey)
    {
        byte[] bytes;
        string key;
        try
        {
            bytes = Base64Url.DecodeFromChars(bookmark);
            key = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            throw new ArgumentException($"invalid bookmark \"{StateLimits.Printable(bookmark, 64)}\" for namespace \"{ns}\": not a bookmark this database returned", e);
        }

        var start = Encoding.UTF8.GetBytes(startKey);
        var end = Encoding.UTF8.GetBytes(endKey);
        if (bytes.AsSpan().SequenceCompareTo(start) < 0 || (end.Length > 0 && bytes.AsSpan().SequenceCompareTo(end) >= 0))
        {
            throw new ArgumentException($"invalid bookmark for namespace \"{ns}\": key \"{StateLimits.Printable(key, 64)}\" is outside the queried range");
        }

        return key;
    }
}
