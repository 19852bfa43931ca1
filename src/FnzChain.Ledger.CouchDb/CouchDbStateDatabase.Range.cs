using System.Buffers.Text;
using System.Text;

namespace FnzChain.Ledger.State.CouchDb;

/// <summary>
/// Range scans: <c>_all_docs</c> between two document ids. CouchDB collates <c>_all_docs</c> ids raw (Erlang binary
/// order, i.e. UTF-8 bytes) and pouchdb-server's LevelDB store does too, which is the order the ledger requires, so a
/// page is the server's page: no client-side sort. The id mapping of <see cref="CouchDbNames"/> keeps that order.
/// </summary>
public sealed partial class CouchDbStateDatabase
{
    /// <summary>
    /// An end id above every id (any id is at most <see cref="StateLimits.MaxKeyBytes"/> + 5 bytes): sent instead of
    /// no end, because pouchdb-server's store otherwise stops before ids beginning with U+00FF or above.
    /// </summary>
    private static readonly string s_endOfIds = string.Concat(Enumerable.Repeat("\U0010FFFF", (StateLimits.MaxKeyBytes + 5) / 4 + 1));

    /// <summary>Rows read per request beyond the page, so that skipped rows (design documents) rarely cost a second request.</summary>
    private const int ExtraRows = 4;

    /// <inheritdoc cref="IStateReader.GetStateRangeAsync"/>
    /// <remarks>
    /// Reads <paramref name="pageSize"/> + 1 keys: the extra one is where the next page starts (the bookmark), so a
    /// page that ends exactly at the range end has no bookmark. Design documents (ids starting with <c>_</c>, never a
    /// key's id) are skipped; if skipping leaves the page short, the scan continues after the last row read.
    /// </remarks>
    internal async ValueTask<QueryPage> ReadRangeAsync(string ns, string startKey, string endKey, int pageSize, string? bookmark, CancellationToken cancellationToken)
    {
        var from = string.IsNullOrEmpty(bookmark) ? startKey : RangeBookmark.Decode(bookmark, ns, startKey, endKey);
        var database = CouchDbNames.NamespaceDatabase(Channel, ns);
        var endId = endKey.Length == 0 ? s_endOfIds : CouchDbNames.ToDocumentId(endKey);
        var startId = CouchDbNames.ToDocumentId(from);
        var results = new List<VersionedKeyValue>(Math.Min(pageSize + 1, 1024));
        string? lastId = null;
        while (results.Count <= pageSize)
        {
            var limit = Math.Min(pageSize + 1 - results.Count + ExtraRows + (lastId is null ? 0 : 1), StateLimits.MaxPageSize + 1 + ExtraRows);
            using var doc = await _client.AllDocsRangeAsync(database, lastId ?? startId, endId, limit, cancellationToken).ConfigureAwait(false);
            if (doc is null)
            {
                break;
            }

            var rows = 0;
            foreach (var row in doc.RootElement.GetProperty("rows").EnumerateArray())
            {
                rows++;
                var id = row.GetProperty("id").GetString()!;
                if (id == lastId)
                {
                    continue; // the row the previous request ended on
                }

                lastId = id;
                var key = CouchDbNames.ToKey(id);
                var value = key is null ? null : ReadRow(row).Value;
                if (key is not null && value is not null && results.Count <= pageSize)
                {
                    results.Add(new VersionedKeyValue(ns, key, value));
                }
            }

            if (rows < limit)
            {
                break; // the server has no more rows in the range
            }
        }

        if (results.Count <= pageSize)
        {
            return new QueryPage(results, "");
        }

        var next = results[pageSize].Key;
        results.RemoveAt(pageSize);
        return new QueryPage(results, RangeBookmark.Encode(Encoding.UTF8.GetBytes(next)));
    }
}
