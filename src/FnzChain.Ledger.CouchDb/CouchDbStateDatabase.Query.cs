using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace FnzChain.Ledger.State.CouchDb;

/// <summary>
/// Rich (Mango) queries and index deployment. Results of a rich query are not re-validated at commit (Fabric's
/// phantom-read caveat): a transaction's query result may differ from what the block it commits in would return.
/// </summary>
public sealed partial class CouchDbStateDatabase
{
    private const string ServerBookmarkPrefix = "b:";
    private const string SkipBookmarkPrefix = "s:";
    private static readonly string[] s_reservedFields = ["_id", CouchDocuments.VersionField, CouchDocuments.MetadataField];

    /// <summary>
    /// Runs a Mango query (<c>{"selector": {...}, "sort": [...], "fields": [...], "use_index": ...}</c>) against the
    /// namespace's database, at most <paramref name="pageSize"/> results (the query's own <c>limit</c> and
    /// <c>bookmark</c> are replaced). The bookmark wraps CouchDB's own when the server gives one; a server without
    /// <c>_find</c> bookmarks (pouchdb-server) is paged with <c>skip</c>, which CouchDB 3.x honours too, but which —
    /// unlike a CouchDB bookmark — shifts when matching documents are added or removed between pages.
    /// </summary>
    public async ValueTask<QueryPage> ExecuteQueryAsync(string ns, string query, int pageSize, string? bookmark = null, CancellationToken cancellationToken = default)
    {
        StateLimits.ValidateNamespace(ns);
        StateLimits.ValidatePageSize(pageSize);
        ArgumentNullException.ThrowIfNull(query);
        ThrowIfDisposed();
        if (query.Length > _options.MaxQueryLength)
        {
            throw new ArgumentException($"invalid rich query for namespace \"{ns}\": {query.Length} characters exceeds couchDb.maxQueryLength {_options.MaxQueryLength}");
        }

        var (serverBookmark, skip) = DecodeQueryBookmark(bookmark, ns);
        byte[] body;
        using (var parsed = ParseObject(query, ns, "rich query"))
        {
            body = BuildFind(parsed.RootElement, ns, pageSize, serverBookmark, skip);
        }

        var database = CouchDbNames.NamespaceDatabase(Channel, ns);
        JsonDocument? answer;
        try
        {
            answer = await _client.FindAsync(database, body, cancellationToken).ConfigureAwait(false);
        }
        catch (CouchDbException e) when (e.Status == HttpStatusCode.BadRequest)
        {
            throw new ArgumentException($"invalid rich query for namespace \"{ns}\": CouchDB refused it ({e.Message})", e);
        }

        if (answer is null)
        {
            return new QueryPage([], "");
        }

        using (answer)
        {
            var results = new List<VersionedKeyValue>();
            var returned = 0;
            foreach (var doc in answer.RootElement.GetProperty("docs").EnumerateArray())
            {
                returned++;
                var key = doc.TryGetProperty("_id", out var id) ? CouchDbNames.ToKey(id.GetString() ?? "") : null;
                var value = key is null ? null : CouchDocuments.Read(doc);
                if (key is not null && value is not null)
                {
                    results.Add(new VersionedKeyValue(ns, key, value));
                }
            }

            var next = "";
            if (returned >= pageSize)
            {
                next = answer.RootElement.TryGetProperty("bookmark", out var b) && b.GetString() is { Length: > 0 } server && server != "nil"
                    ? ServerBookmarkPrefix + server
                    : SkipBookmarkPrefix + (skip + returned).ToString(CultureInfo.InvariantCulture);
            }

            return new QueryPage(results, next);
        }
    }

    /// <summary>Creates the indexes a chaincode package ships for namespace <paramref name="ns"/>; a bad one fails naming its file.</summary>
    public async ValueTask DeployIndexesAsync(string ns, IReadOnlyList<StateIndexDefinition> indexes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(indexes);
        foreach (var index in indexes)
        {
            try
            {
                await DeployIndexAsync(ns, index.Json, cancellationToken).ConfigureAwait(false);
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"{index.Name}: {e.Message}", e);
            }
        }
    }

    /// <summary>
    /// Creates a Mango index in the namespace's database from Fabric's index file format
    /// (<c>{"index":{"fields":[...]},"ddoc":"...","name":"...","type":"json"}</c>), creating the database if needed.
    /// Returns CouchDB's answer (<c>created</c> or <c>exists</c>). A malformed definition fails in one line.
    /// </summary>
    public async Task<string> DeployIndexAsync(string ns, string definition, CancellationToken cancellationToken = default)
    {
        StateLimits.ValidateNamespace(ns);
        ArgumentNullException.ThrowIfNull(definition);
        ThrowIfDisposed();
        if (definition.Length > _options.MaxQueryLength)
        {
            throw new ArgumentException($"invalid CouchDB index definition for namespace \"{ns}\": {definition.Length} characters exceeds couchDb.maxQueryLength {_options.MaxQueryLength}");
        }

        using (var parsed = ParseObject(definition, ns, "CouchDB index definition"))
        {
            var root = parsed.RootElement;
            var problem = !root.TryGetProperty("index", out var index) || index.ValueKind != JsonValueKind.Object ? "\"index\" must be an object"
                : !index.TryGetProperty("fields", out var fields) || fields.ValueKind != JsonValueKind.Array || fields.GetArrayLength() == 0 ? "\"index.fields\" must be a non-empty array"
                : root.TryGetProperty("type", out var type) && !type.ValueEquals("json") ? "\"type\" must be \"json\""
                : root.TryGetProperty("ddoc", out var ddoc) && ddoc.ValueKind != JsonValueKind.String ? "\"ddoc\" must be a string"
                : root.TryGetProperty("name", out var name) && name.ValueKind != JsonValueKind.String ? "\"name\" must be a string"
                : null;
            if (problem is not null)
            {
                throw new ArgumentException($"invalid CouchDB index definition for namespace \"{ns}\": {problem}");
            }
        }

        var database = CouchDbNames.NamespaceDatabase(Channel, ns);
        await EnsureDatabaseAsync(database, create: true, cancellationToken).ConfigureAwait(false);
        try
        {
            return await _client.CreateIndexAsync(database, Encoding.UTF8.GetBytes(definition), cancellationToken).ConfigureAwait(false);
        }
        catch (CouchDbException e) when (e.Status == HttpStatusCode.BadRequest)
        {
            throw new ArgumentException($"invalid CouchDB index definition for namespace \"{ns}\": CouchDB refused it ({e.Message})", e);
        }
    }

    private static JsonDocument ParseObject(string json, string ns, string what)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"invalid {what} for namespace \"{ns}\": not JSON ({CouchDbClient.OneLine(e.Message)})", e);
        }

        if (doc.RootElement.ValueKind != JsonValueKind.Object)
        {
            doc.Dispose();
            throw new ArgumentException($"invalid {what} for namespace \"{ns}\": must be a JSON object");
        }

        return doc;
    }

    private static byte[] BuildFind(JsonElement query, string ns, int pageSize, string? serverBookmark, int skip)
    {
        if (!query.TryGetProperty("selector", out var selector) || selector.ValueKind != JsonValueKind.Object)
        {
            throw new ArgumentException($"invalid rich query for namespace \"{ns}\": \"selector\" must be a JSON object");
        }

        if (query.TryGetProperty("skip", out _))
        {
            throw new ArgumentException($"invalid rich query for namespace \"{ns}\": \"skip\" is not supported; page with the bookmark");
        }

        return CouchDbClient.Json((query, ns, pageSize, serverBookmark, skip), static (w, s) =>
        {
            w.WriteStartObject();
            foreach (var property in s.query.EnumerateObject())
            {
                if (property.NameEquals("limit") || property.NameEquals("bookmark"))
                {
                    continue;
                }

                if (property.NameEquals("fields"))
                {
                    WriteFields(w, property.Value, s.ns);
                    continue;
                }

                property.WriteTo(w);
            }

            w.WriteNumber("limit", s.pageSize);
            if (s.serverBookmark is not null)
            {
                w.WriteString("bookmark", s.serverBookmark);
            }
            else if (s.skip > 0)
            {
                w.WriteNumber("skip", s.skip);
            }

            w.WriteEndObject();
        }).ToArray();
    }

    // A projection must still return the fields a result is built from: the id, the version and the metadata.
    private static void WriteFields(Utf8JsonWriter w, JsonElement fields, string ns)
    {
        if (fields.ValueKind != JsonValueKind.Array || fields.EnumerateArray().Any(f => f.ValueKind != JsonValueKind.String))
        {
            throw new ArgumentException($"invalid rich query for namespace \"{ns}\": \"fields\" must be an array of strings");
        }

        w.WriteStartArray("fields");
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var field in fields.EnumerateArray().Select(f => f.GetString()!).Concat(s_reservedFields))
        {
            if (names.Add(field))
            {
                w.WriteStringValue(field);
            }
        }

        w.WriteEndArray();
    }

    private static (string? ServerBookmark, int Skip) DecodeQueryBookmark(string? bookmark, string ns)
    {
        if (string.IsNullOrEmpty(bookmark))
        {
            return (null, 0);
        }

        if (bookmark.StartsWith(ServerBookmarkPrefix, StringComparison.Ordinal) && bookmark.Length > ServerBookmarkPrefix.Length && bookmark.Length <= 4096)
        {
            return (bookmark[ServerBookmarkPrefix.Length..], 0);
        }

        if (bookmark.StartsWith(SkipBookmarkPrefix, StringComparison.Ordinal)
            && int.TryParse(bookmark.AsSpan(SkipBookmarkPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var skip) && skip > 0)
        {
            return (null, skip);
        }

        throw new ArgumentException($"invalid bookmark \"{StateLimits.Printable(bookmark, 64)}\" for rich query on namespace \"{ns}\": not a bookmark this database returned");
    }
}
