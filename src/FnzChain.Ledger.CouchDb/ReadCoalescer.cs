using System.Text.Json;

namespace FnzChain.Ledger.State.CouchDb;

/// <summary>
/// Concurrent reads of one database share requests. Endorsements run side by side, and each reads a few keys the
/// document cache does not hold (typically the new key it is about to write): one <c>_all_docs</c> request each would
/// cost the server its per-request overhead every time. Here a read of a database that has none in flight is sent at
/// once; reads that arrive while one is in flight wait for it and then go together in the next request (up to
/// <c>maxKeys</c> keys per request), so the number of requests follows the server's pace, not the number of readers.
/// <para>
/// Each reader gets the rows of its own keys. The shared request is not cancelled by one reader's cancellation (the
/// others still want it; the client's own timeout bounds it); a failed request fails every reader that was in it.
/// Consistency is the callers' concern as before: a snapshot reader holds the shared commit lock while it waits, so
/// no block's documents are written between its call and its answer.
/// </para>
/// </summary>
internal sealed class ReadCoalescer
{
    private readonly Func<string, string[], Task<JsonDocument?>> _fetch;
    private readonly int _maxKeys;
    private readonly object _gate = new();
    private readonly Dictionary<string, List<Waiting>> _queues = new(StringComparer.Ordinal);
    private long _requests;

    /// <param name="fetch">One <c>_all_docs</c> request with documents for (database, ids); null when the database does not exist.</param>
    /// <param name="maxKeys">Most keys one request carries (several readers' keys together).</param>
    public ReadCoalescer(Func<string, string[], Task<JsonDocument?>> fetch, int maxKeys)
    {
        _fetch = fetch;
        _maxKeys = Math.Max(1, maxKeys);
    }

    /// <summary>Requests sent so far (for tests and diagnostics).</summary>
    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>The value (null when missing or deleted) and live revision of each of <paramref name="ids"/>, in order.</summary>
    public Task<(VersionedValue? Value, string? Revision)[]> ReadAsync(string database, string[] ids, CancellationToken cancellationToken)
    {
        var waiting = new Waiting(ids, new TaskCompletionSource<(VersionedValue?, string?)[]>(TaskCreationOptions.RunContinuationsAsynchronously));
        bool start;
        lock (_gate)
        {
            start = !_queues.TryGetValue(database, out var queue);
            if (start)
            {
                _queues[database] = queue = [];
            }

            queue!.Add(waiting);
        }

        if (start)
        {
            _ = Task.Run(() => DrainAsync(database), CancellationToken.None);
        }

        return waiting.Done.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Sends the database's waiting reads, a request at a time, until none waits; then the queue goes.</summary>
    private async Task DrainAsync(string database)
    {
        while (true)
        {
            List<Waiting> batch;
            lock (_gate)
            {
                var queue = _queues[database];
                if (queue.Count == 0)
                {
                    _queues.Remove(database);
                    return;
                }

                var take = 0;
                for (var keys = 0; take < queue.Count && (take == 0 || keys + queue[take].Ids.Length <= _maxKeys); take++)
                {
                    keys += queue[take].Ids.Length;
                }

                batch = queue.GetRange(0, take);
                queue.RemoveRange(0, take);
            }

            try
            {
                var ids = batch.SelectMany(w => w.Ids).Distinct(StringComparer.Ordinal).ToArray();
                Interlocked.Increment(ref _requests);
                using var doc = await _fetch(database, ids).ConfigureAwait(false);
                var rows = new Dictionary<string, (VersionedValue?, string?)>(ids.Length, StringComparer.Ordinal);
                if (doc is not null)
                {
                    var row = 0;
                    foreach (var item in doc.RootElement.GetProperty("rows").EnumerateArray())
                    {
                        if (row >= ids.Length)
                        {
                            break;
                        }

                        rows[ids[row++]] = CouchDbStateDatabase.ReadRow(item);
                    }

                    if (row != ids.Length)
                    {
                        throw new CouchDbException("all_docs", database, null, $"CouchDB all_docs on database \"{database}\" answered {row} row(s) for {ids.Length} key(s)");
                    }
                }

                foreach (var waiting in batch)
                {
                    waiting.Done.TrySetResult([.. waiting.Ids.Select(id => rows.GetValueOrDefault(id))]);
                }
            }
            catch (Exception e)
            {
                foreach (var waiting in batch)
                {
                    waiting.Done.TrySetException(e);
                }
            }
        }
    }

    private sealed record Waiting(string[] Ids, TaskCompletionSource<(VersionedValue? Value, string? Revision)[]> Done);
}
