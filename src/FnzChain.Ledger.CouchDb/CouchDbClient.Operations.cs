using System.Buffers;
using System.Net;
using System.Text.Json;

namespace FnzChain.Ledger.State.CouchDb;

/// <summary>The endpoints: server, databases, bulk reads and writes, Mango queries and indexes.</summary>
public sealed partial class CouchDbClient
{
    /// <summary><c>GET /</c>: the server's welcome (vendor and version). Fails in one line when unreachable.</summary>
    public async Task<string> GetServerVersionAsync(CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync("server_info", "", HttpMethod.Get, "", default, cancellationToken).ConfigureAwait(false);
        var root = response.Root;
        return root.ValueKind == JsonValueKind.Object && root.TryGetProperty("version", out var v) ? v.ToString() : "unknown";
    }

    /// <summary>
    /// <c>GET /_session</c> with the configured credentials: a 401 becomes the one-line "refused the credentials"
    /// error, so a peer with a wrong password stops at start-up instead of at its first block.
    /// </summary>
    public async Task VerifyCredentialsAsync(CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync("session", "", HttpMethod.Get, "_session", default, cancellationToken).ConfigureAwait(false);
    }

    /// <summary><c>GET /{db}</c>: true when the database exists.</summary>
    public async Task<bool> DatabaseExistsAsync(string database, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync("database_exists", database, HttpMethod.Get, Db(database), default, cancellationToken, HttpStatusCode.NotFound).ConfigureAwait(false);
        return response.Status != HttpStatusCode.NotFound;
    }

    /// <summary><c>PUT /{db}</c>; an existing database (412) is success, so concurrent creators do not fail.</summary>
    public async Task CreateDatabaseIfMissingAsync(string database, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync("create_database", database, HttpMethod.Put, Db(database), default, cancellationToken, HttpStatusCode.PreconditionFailed).ConfigureAwait(false);
    }

    /// <summary><c>DELETE /{db}</c>; a missing database is success.</summary>
    public async Task DeleteDatabaseAsync(string database, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync("delete_database", database, HttpMethod.Delete, Db(database), default, cancellationToken, HttpStatusCode.NotFound).ConfigureAwait(false);
    }

    /// <summary><c>GET /_all_dbs</c>: every database name on the server.</summary>
    public async Task<IReadOnlyList<string>> ListDatabasesAsync(CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync("all_dbs", "", HttpMethod.Get, "_all_dbs", default, cancellationToken).ConfigureAwait(false);
        var names = new List<string>();
        foreach (var name in response.Root.EnumerateArray())
        {
            names.Add(name.GetString() ?? "");
        }

        return names;
    }

    /// <summary><c>GET /{db}/{id}</c>: the document, or null when it (or the database) does not exist.</summary>
    internal async Task<JsonDocument?> GetDocumentAsync(string database, string id, CancellationToken cancellationToken = default)
    {
        var response = await SendAsync("get_document", database, HttpMethod.Get, Db(database) + "/" + Uri.EscapeDataString(id), default, cancellationToken, HttpStatusCode.NotFound).ConfigureAwait(false);
        if (response.Status == HttpStatusCode.NotFound)
        {
            response.Dispose();
            return null;
        }

        return response.Body;
    }

    /// <summary>
    /// <c>POST /{db}/_all_docs</c> with <c>{"keys": [...]}</c>: one row per key in request order (CouchDB's bulk
    /// read). Null when the database does not exist (then no key exists). The caller disposes the document.
    /// </summary>
    internal async Task<JsonDocument?> AllDocsByKeysAsync(string database, IReadOnlyList<string> ids, bool includeDocs, CancellationToken cancellationToken = default)
    {
        var body = Json(ids, static (w, keys) =>
        {
            w.WriteStartObject();
            w.WriteStartArray("keys");
            foreach (var id in keys)
            {
                w.WriteStringValue(id);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        });
        return await ReadOrNullAsync("all_docs", database, Db(database) + (includeDocs ? "/_all_docs?include_docs=true" : "/_all_docs"), body, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// <c>POST /{db}/_all_docs</c> with a start id (inclusive), an end id (exclusive) and a limit, documents included;
    /// ids come back in the server's raw collation (UTF-8 byte order on CouchDB and on pouchdb-server's LevelDB).
    /// Null when the database does not exist.
    /// </summary>
    internal async Task<JsonDocument?> AllDocsRangeAsync(string database, string startId, string endId, int limit, CancellationToken cancellationToken = default)
    {
        var body = Json((startId, endId, limit), static (w, r) =>
        {
            w.WriteStartObject();
            if (r.startId.Length > 0)
            {
                w.WriteString("startkey", r.startId);
            }

            w.WriteString("endkey", r.endId);
            w.WriteBoolean("inclusive_end", false);
            w.WriteNumber("limit", r.limit);
            w.WriteEndObject();
        });
        return await ReadOrNullAsync("all_docs_range", database, Db(database) + "/_all_docs?include_docs=true", body, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// <c>POST /{db}/_bulk_docs</c>: the per-document results (each <c>{"id","rev"}</c> or <c>{"id","error","reason"}</c>).
    /// CouchDB applies each document on its own, not the request as a whole.
    /// </summary>
    internal async Task<JsonDocument> BulkDocsAsync(string database, ReadOnlyMemory<byte> body, CancellationToken cancellationToken = default)
    {
        var response = await SendAsync("bulk_docs", database, HttpMethod.Post, Db(database) + "/_bulk_docs", body, cancellationToken).ConfigureAwait(false);
        return response.Body ?? throw new CouchDbException("bulk_docs", database, response.Status, $"CouchDB bulk_docs on database \"{database}\" answered {(int)response.Status} with no body");
    }

    /// <summary><c>POST /{db}/_find</c> with a Mango query; null when the database does not exist.</summary>
    internal async Task<JsonDocument?> FindAsync(string database, ReadOnlyMemory<byte> query, CancellationToken cancellationToken = default)
        => await ReadOrNullAsync("find", database, Db(database) + "/_find", query, cancellationToken).ConfigureAwait(false);

    /// <summary><c>POST /{db}/_index</c>: creates (or finds existing) a Mango index; returns CouchDB's result word.</summary>
    internal async Task<string> CreateIndexAsync(string database, ReadOnlyMemory<byte> definition, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync("index", database, HttpMethod.Post, Db(database) + "/_index", definition, cancellationToken).ConfigureAwait(false);
        return response.Root.ValueKind == JsonValueKind.Object && response.Root.TryGetProperty("result", out var r) ? r.ToString() : "";
    }

    private async Task<JsonDocument?> ReadOrNullAsync(string operation, string database, string path, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        var response = await SendAsync(operation, database, HttpMethod.Post, path, body, cancellationToken, HttpStatusCode.NotFound).ConfigureAwait(false);
        if (response.Status == HttpStatusCode.NotFound && IsMissingDatabase(response.Root))
        {
            response.Dispose();
            return null;
        }

        if (response.Status == HttpStatusCode.NotFound || response.Body is null)
        {
            response.Dispose();
            throw new CouchDbException(operation, database, response.Status, $"CouchDB {operation} on database \"{database}\" failed: {(int)response.Status} with an unexpected answer");
        }

        return response.Body;
    }

    // A 404 on a database-level endpoint means the database is missing (CouchDB: "Database does not exist.",
    // pouchdb-server: "no_db_file"); anything else with 404 is not ours to hide.
    private static bool IsMissingDatabase(JsonElement root) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty("error", out var e) && e.ValueEquals("not_found");

    private static string Db(string database) => Uri.EscapeDataString(database);

    internal static ReadOnlyMemory<byte> Json<TState>(TState state, Action<Utf8JsonWriter, TState> write)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer, state);
        }

        return buffer.WrittenMemory;
    }
}
