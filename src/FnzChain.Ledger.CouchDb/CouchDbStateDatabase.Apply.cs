using System.Buffers;
using System.Text.Json;

namespace FnzChain.Ledger.State.CouchDb;

/// <summary>Applying a block: revisions, chunked <c>_bulk_docs</c>, the savepoint last.</summary>
public sealed partial class CouchDbStateDatabase
{
    private const int MaxConflictRounds = 3;

    /// <summary>
    /// Writes a block's updates and then its savepoint. CouchDB applies each document on its own, so a crash or an
    /// error can leave part of a block written while the savepoint still names the block before: the ledger then
    /// replays the block (state behind the block store), and applying the same batch again is idempotent — every
    /// write puts the block's value over whatever revision is current, deletes of documents already gone are skipped,
    /// and the savepoint is written only after every document succeeded.
    /// <para>
    /// Only the document writes hold the exclusive side of the commit lock (decision 0025): applies are serialised
    /// among themselves first, then the databases and the revisions of written documents the cache does not know are
    /// looked up while endorsements still run — no one else writes these documents, so what is read stays current —,
    /// and the savepoint, which only recovery reads, is written after endorsements may open snapshots again.
    /// A savepoint behind the current one is rejected before anything is written.
    /// </para>
    /// </summary>
    public async ValueTask ApplyUpdatesAsync(UpdateBatch batch, Version savepoint, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ThrowIfDisposed();
        await _applyGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var current = await GetLatestSavepointAsync(cancellationToken).ConfigureAwait(false);
            if (current is { } c && savepoint < c)
            {
                throw new InvalidOperationException($"cannot apply block at savepoint {savepoint} to the CouchDB state of channel \"{Channel}\": it is behind the current savepoint {c}");
            }

            var namespaces = await PrepareNamespacesAsync(batch, cancellationToken).ConfigureAwait(false);
            using (await _lock.EnterWriteAsync(cancellationToken).ConfigureAwait(false))
            {
                _cache.BumpEpoch(); // reads from now on do not cache what they see (see DocumentCache)
                try
                {
                    foreach (var (database, writes, revisions) in namespaces)
                    {
                        await ApplyNamespaceAsync(database, writes, revisions, cancellationToken).ConfigureAwait(false);
                    }
                }
                catch
                {
                    // After a failure nothing cached about the written documents can be trusted: the replay fetches afresh.
                    _cache.Clear();
                    throw;
                }
                finally
                {
                    _cache.BumpEpoch();
                }
            }

            await WriteSavepointAsync(savepoint, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _applyGate.Release();
        }
    }

    /// <summary>
    /// Each namespace's database (created when the block writes to it) with its writes and the current revisions of
    /// the documents written; namespaces with only deletes and no database are left out (nothing to delete).
    /// </summary>
    private async Task<List<(string Database, List<StateWrite> Writes, Dictionary<string, string?> Revisions)>> PrepareNamespacesAsync(UpdateBatch batch, CancellationToken cancellationToken)
    {
        var prepared = new List<(string, List<StateWrite>, Dictionary<string, string?>)>();
        try
        {
            foreach (var (ns, writes) in LatestWritePerKey(batch))
            {
                var database = CouchDbNames.NamespaceDatabase(Channel, ns);
                if (await EnsureDatabaseAsync(database, create: writes.Exists(w => !w.IsDelete), cancellationToken).ConfigureAwait(false))
                {
                    prepared.Add((database, writes, await LoadRevisionsAsync(database, writes, cancellationToken).ConfigureAwait(false)));
                }
            }
        }
        catch
        {
            _cache.Clear();
            throw;
        }

        return prepared;
    }

    /// <summary>The last write of each key (later transactions win), grouped by namespace in first-seen order.</summary>
    private static List<(string Namespace, List<StateWrite> Writes)> LatestWritePerKey(UpdateBatch batch)
    {
        var last = new Dictionary<(string, string), int>();
        for (var i = 0; i < batch.Writes.Count; i++)
        {
            last[(batch.Writes[i].Namespace, batch.Writes[i].Key)] = i;
        }

        var groups = new List<(string Namespace, List<StateWrite> Writes)>();
        var byNamespace = new Dictionary<string, List<StateWrite>>(StringComparer.Ordinal);
        for (var i = 0; i < batch.Writes.Count; i++)
        {
            var write = batch.Writes[i];
            if (last[(write.Namespace, write.Key)] != i)
            {
                continue;
            }

            if (!byNamespace.TryGetValue(write.Namespace, out var list))
            {
                byNamespace[write.Namespace] = list = [];
                groups.Add((write.Namespace, list));
            }

            list.Add(write);
        }

        return groups;
    }

    private async Task ApplyNamespaceAsync(string database, List<StateWrite> writes, Dictionary<string, string?> revisions, CancellationToken cancellationToken)
    {
        var pending = writes;
        for (var round = 0; pending.Count > 0; round++)
        {
            if (round == MaxConflictRounds)
            {
                throw new CouchDbException("bulk_docs", database, System.Net.HttpStatusCode.Conflict,
                    $"CouchDB bulk_docs on database \"{database}\" failed: {pending.Count} document(s) still in conflict after {MaxConflictRounds} rounds (is another writer using this database?), first key \"{StateLimits.Printable(pending[0].Key, 64)}\"");
            }

            if (round > 0)
            {
                revisions = await LoadRevisionsAsync(database, pending, cancellationToken).ConfigureAwait(false);
            }

            var conflicts = new List<StateWrite>();
            foreach (var chunk in pending.Chunk(_options.MaxBatchUpdateSize))
            {
                await WriteChunkAsync(database, chunk, revisions, conflicts, cancellationToken).ConfigureAwait(false);
            }

            foreach (var conflict in conflicts)
            {
                _cache.Remove(database, CouchDbNames.ToDocumentId(conflict.Key));
            }

            pending = conflicts;
        }
    }

    /// <summary>
    /// The current revision of every written document: from the cache, and in one bulk lookup per chunk for the keys
    /// it does not know (keys written without being read). Null where the document does not exist.
    /// </summary>
    private async Task<Dictionary<string, string?>> LoadRevisionsAsync(string database, List<StateWrite> writes, CancellationToken cancellationToken)
    {
        var revisions = new Dictionary<string, string?>(writes.Count, StringComparer.Ordinal);
        var missing = new List<string>();
        foreach (var write in writes)
        {
            var id = CouchDbNames.ToDocumentId(write.Key);
            if (_cache.TryGet(database, id, out var cached))
            {
                revisions[id] = cached.Revision;
            }
            else
            {
                missing.Add(id);
            }
        }

        foreach (var chunk in missing.Chunk(_options.MaxBatchUpdateSize))
        {
            using var doc = await _client.AllDocsByKeysAsync(database, chunk, includeDocs: false, cancellationToken).ConfigureAwait(false);
            var row = 0;
            if (doc is not null)
            {
                foreach (var item in doc.RootElement.GetProperty("rows").EnumerateArray())
                {
                    if (row < chunk.Length)
                    {
                        revisions[chunk[row]] = ReadRow(item).Revision;
                    }

                    row++;
                }
            }

            // Rows the server did not return (no database) are documents that do not exist.
            for (; row < chunk.Length; row++)
            {
                revisions[chunk[row]] = null;
            }
        }

        return revisions;
    }

    private async Task WriteChunkAsync(string database, StateWrite[] chunk, Dictionary<string, string?> revisions, List<StateWrite> conflicts, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>(chunk.Length * 128);
        var sent = new List<(StateWrite Write, string Id)>(chunk.Length);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteStartArray("docs");
            foreach (var write in chunk)
            {
                var id = CouchDbNames.ToDocumentId(write.Key);
                var revision = revisions[id];
                if (write.IsDelete)
                {
                    if (revision is null)
                    {
                        continue; // already gone (never written, deleted before, or deleted by an interrupted earlier attempt)
                    }

                    CouchDocuments.WriteDelete(w, id, revision);
                }
                else
                {
                    var layout = CouchDocuments.Analyse(write.Value);
                    using (layout.Inline)
                    {
                        CouchDocuments.WritePut(w, id, revision, write, layout);
                    }
                }

                sent.Add((write, id));
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        if (sent.Count == 0)
        {
            return;
        }

        JsonDocument results;
        try
        {
            results = await _client.BulkDocsAsync(database, buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
        }
        catch (CouchDbException e) when (e.Status == System.Net.HttpStatusCode.RequestEntityTooLarge)
        {
            // Name what to shrink: the request's size and its largest value.
            var largest = sent.MaxBy(s => s.Write.Value.Length).Write;
            throw new CouchDbException(e.Operation, e.Database, e.Status,
                $"{e.Message}; the request held {sent.Count} document(s) in {buffer.WrittenCount} bytes, the largest value {largest.Value.Length} bytes at key \"{StateLimits.Printable(largest.Key, 64)}\"", e);
        }

        using var disposeResults = results;
        var i = 0;
        foreach (var result in results.RootElement.EnumerateArray())
        {
            if (i >= sent.Count)
            {
                break;
            }

            var (write, id) = sent[i++];
            if (result.TryGetProperty("error", out var error))
            {
                if (error.ValueEquals("conflict"))
                {
                    conflicts.Add(write);
                    continue;
                }

                var reason = result.TryGetProperty("reason", out var r) ? r.ToString() : "";
                throw new CouchDbException("bulk_docs", database, null,
                    $"CouchDB bulk_docs on database \"{database}\" refused key \"{StateLimits.Printable(write.Key, 64)}\": {CouchDbClient.OneLine(error.ToString())}: {CouchDbClient.OneLine(reason)}");
            }

            // What a read would now return, so that the next endorsements and MVCC checks need no request for it.
            _cache.Set(database, id, write.IsDelete
                ? CachedDocument.Absent
                : new CachedDocument(result.GetProperty("rev").GetString(), new VersionedValue(write.Value.ToArray(), write.Version, write.Metadata.ToArray()), HasValue: true));
        }

        if (i != sent.Count)
        {
            throw new CouchDbException("bulk_docs", database, null, $"CouchDB bulk_docs on database \"{database}\" answered {i} result(s) for {sent.Count} document(s)");
        }
    }

    private async Task WriteSavepointAsync(Version savepoint, CancellationToken cancellationToken)
    {
        for (var round = 0; ; round++)
        {
            var body = CouchDbClient.Json((Revision: _savepointRevision, Savepoint: savepoint), static (w, s) =>
            {
                w.WriteStartObject();
                w.WriteStartArray("docs");
                w.WriteStartObject();
                w.WriteString("_id", SavepointId);
                if (s.Revision is not null)
                {
                    w.WriteString("_rev", s.Revision);
                }

                w.WriteString(CouchDocuments.VersionField, CouchDocuments.FormatVersion(s.Savepoint));
                w.WriteEndObject();
                w.WriteEndArray();
                w.WriteEndObject();
            });
            using var results = await _client.BulkDocsAsync(_metadataDatabase, body, cancellationToken).ConfigureAwait(false);
            var result = results.RootElement[0];
            if (!result.TryGetProperty("error", out var error))
            {
                await _savepointGate.WaitAsync(cancellationToken).ConfigureAwait(false);
                _savepointRevision = result.GetProperty("rev").GetString();
                _savepoint = savepoint;
                _savepointLoaded = true;
                _savepointGate.Release();
                return;
            }

            if (!error.ValueEquals("conflict") || round == MaxConflictRounds)
            {
                throw new CouchDbException("bulk_docs", _metadataDatabase, null, $"CouchDB refused the savepoint {savepoint} of channel \"{Channel}\" in database \"{_metadataDatabase}\": {CouchDbClient.OneLine(result.GetRawText())}");
            }

            using var doc = await _client.GetDocumentAsync(_metadataDatabase, SavepointId, cancellationToken).ConfigureAwait(false);
            _savepointRevision = doc?.RootElement.GetProperty("_rev").GetString();
        }
    }

    /// <summary>True when the database exists (creating it when <paramref name="create"/>); remembered once known.</summary>
    private async Task<bool> EnsureDatabaseAsync(string database, bool create, CancellationToken cancellationToken)
    {
        lock (_knownDatabases)
        {
            if (_knownDatabases.Contains(database))
            {
                return true;
            }
        }

        if (create)
        {
            await _client.CreateDatabaseIfMissingAsync(database, cancellationToken).ConfigureAwait(false);
        }
        else if (!await _client.DatabaseExistsAsync(database, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        lock (_knownDatabases)
        {
            _knownDatabases.Add(database);
        }

        return true;
    }
}
