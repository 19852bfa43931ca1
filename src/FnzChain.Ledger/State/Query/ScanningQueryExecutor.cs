using System.Text;
using System.Text.Json;

namespace FnzChain.Ledger.State.Query;

/// <summary>
/// Answers a Mango query over one namespace of any <see cref="IStateReader"/> by reading the whole namespace and
/// matching each JSON-object value: the peer's own evaluation for data that must not reach CouchDB (private data
/// collections, decision 0017), where the number of keys is bounded by design. Results are ordered by the sort
/// fields, then by key; a value that is not a JSON object is matched as a document with no fields, as on CouchDB
/// (only a selector asking for no field, such as <c>{}</c>, returns it, with its bytes as stored). The bookmark records where the
/// last page ended (its sort values and key) and how many results were returned so far. The page size governs how
/// many results a page has; a <c>limit</c> in the query is not honoured, as on the CouchDB state database and in
/// Fabric (docs/couchdb.md, "Paging and limits"). Reads come from the reader given — a snapshot during endorsement.
/// </summary>
public static class ScanningQueryExecutor
{
    /// <summary>The most keys one query reads before giving up (a collection this large needs an index, i.e. CouchDB).</summary>
    public const int DefaultMaxScannedKeys = 100_000;

    private const int ScanPage = 1000;

    public static async ValueTask<QueryPage> ExecuteAsync(
        IStateReader reader, string ns, string query, int pageSize, string? bookmark, int maxScannedKeys = DefaultMaxScannedKeys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reader);
        StateLimits.ValidatePageSize(pageSize);
        var mango = MangoQuery.Parse(query);
        var (returnedBefore, after) = DecodeBookmark(bookmark);
        var matches = new List<(JsonElement[] Sort, VersionedKeyValue Item, JsonDocument Document)>();
        try
        {
            var scanned = 0;
            string? page = null;
            do
            {
                var range = await reader.GetStateRangeAsync(ns, string.Empty, string.Empty, ScanPage, page, cancellationToken).ConfigureAwait(false);
                foreach (var item in range.Results)
                {
                    if (++scanned > maxScannedKeys)
                    {
                        throw new FormatException($"rich query on {ns}: more than {maxScannedKeys} keys to read; narrow the data or keep it in the CouchDB state database");
                    }

                    // A value that is not a JSON object is, to the selector, a document with no fields — as the CouchDB
                    // state database stores it (its bytes in an internal field): only selectors that ask for no field match it.
                    var document = TryParseObject(item.Value.Value) ?? JsonDocument.Parse("{}");
                    if (mango.Selector.Matches(document.RootElement) && mango.SortValues(document.RootElement) is { } sort)
                    {
                        matches.Add((sort, item, document));
                    }
                    else
                    {
                        document.Dispose();
                    }
                }

                page = range.Bookmark;
            }
            while (page.Length > 0);

            // Keys arrive in UTF-8 byte order; a stable sort by the sort fields keeps it among equals.
            var ordered = mango.Sort.Count == 0 ? matches : [.. matches.OrderBy(m => m.Sort, new SortComparer(mango.Descending))];
            var start = after is not { } last ? 0 : ordered.FindIndex(m => Position(m.Sort, m.Item.Key, last, mango.Descending) > 0);
            if (start < 0)
            {
                start = ordered.Count;
            }

            var take = Math.Min(pageSize, ordered.Count - start);

            var results = new List<VersionedKeyValue>(Math.Max(0, take));
            for (var i = start; i < start + take; i++)
            {
                var (_, item, document) = ordered[i];
                results.Add(item with { Value = item.Value with { Value = mango.Project(document.RootElement, item.Value.Value) } });
            }

            var returned = returnedBefore + results.Count;
            var more = start + take < ordered.Count;
            return new QueryPage(results, more ? EncodeBookmark(returned, ordered[start + take - 1].Sort, ordered[start + take - 1].Item.Key) : string.Empty);
        }
        finally
        {
            foreach (var match in matches)
            {
                match.Document.Dispose();
            }
        }
    }

    private static JsonDocument? TryParseObject(ReadOnlyMemory<byte> value)
    {
        try
        {
            var document = JsonDocument.Parse(value, new JsonDocumentOptions { MaxDepth = 64 });
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                return document;
            }

            document.Dispose();
            return null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Where an item stands against the bookmark's last item, in the query's order: positive when after it.</summary>
    private static int Position(JsonElement[] sort, string key, (JsonElement[] Sort, string Key) after, bool descending)
    {
        var bySort = new SortComparer(descending).Compare(sort, after.Sort);
        return bySort != 0 ? bySort : string.CompareOrdinal(Utf8Key(key), Utf8Key(after.Key));
    }

    // Keys compare in UTF-8 byte order, the range scan's order: ordinal comparison of Latin-1 renderings of the bytes gives it.
    private static string Utf8Key(string key) => Encoding.Latin1.GetString(Encoding.UTF8.GetBytes(key));

    private static string EncodeBookmark(int returned, JsonElement[] sort, string key)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("n", returned);
            writer.WriteString("key", key);
            writer.WriteStartArray("sort");
            foreach (var value in sort)
            {
                value.WriteTo(writer);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return "q1" + Convert.ToBase64String(buffer.WrittenSpan).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    private static (int Returned, (JsonElement[] Sort, string Key)? After) DecodeBookmark(string? bookmark)
    {
        if (string.IsNullOrEmpty(bookmark))
        {
            return (0, null);
        }

        try
        {
            if (!bookmark.StartsWith("q1", StringComparison.Ordinal) || bookmark.Length > 64 * 1024)
            {
                throw new FormatException("wrong prefix or too long");
            }

            var text = bookmark[2..].Replace('-', '+').Replace('_', '/');
            var bytes = Convert.FromBase64String(text.PadRight(text.Length + ((4 - (text.Length % 4)) % 4), '='));
            using var document = JsonDocument.Parse(bytes);
            var root = document.RootElement;
            var returned = root.GetProperty("n").GetInt32();
            var key = root.GetProperty("key").GetString() ?? throw new FormatException("no key");
            var sort = root.GetProperty("sort").EnumerateArray().Select(v => v.Clone()).ToArray();
            return returned < 0 ? throw new FormatException("negative count") : (returned, (sort, key));
        }
        catch (Exception e) when (e is FormatException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new FormatException($"bookmark \"{(bookmark.Length > 40 ? bookmark[..40] + "…" : bookmark)}\" is not a bookmark of this query: {e.Message}", e);
        }
    }

    private sealed class SortComparer(bool descending) : IComparer<JsonElement[]>
    {
        public int Compare(JsonElement[]? x, JsonElement[]? y)
        {
            for (var i = 0; i < x!.Length && i < y!.Length; i++)
            {
                var c = JsonCollation.Compare(x[i], y[i]);
                if (c != 0)
                {
                    return descending ? -c : c;
                }
            }

            return x.Length.CompareTo(y!.Length);
        }
    }
}
