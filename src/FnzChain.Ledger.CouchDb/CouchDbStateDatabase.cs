using System.Text.Json;

namespace FnzChain.Ledger.State.CouchDb;

/// <summary>
/// The world state of one channel in CouchDB (the public state; the ledger keeps private data and history in RocksDB):
/// a database per namespace (<see cref="CouchDbNames"/>), created on its first write, plus the channel's metadata
/// database holding the savepoint document. Values are documents (<see cref="CouchDocuments"/>), so Mango queries
/// and indexes work on JSON values. Reads are bulk (<c>_all_docs</c> with keys), writes are <c>_bulk_docs</c> in
/// chunks. CouchDB has neither transactions nor snapshots: see <see cref="ApplyUpdatesAsync"/> for how a block stays
/// recoverable and <see cref="OpenSnapshotAsync"/> for how endorsements get a consistent view.
/// </summary>
public sealed partial class CouchDbStateDatabase : IStateDatabase, IIndexCapableStateDatabase
{
    internal const string SavepointId = "statedb_savepoint";

    private readonly CouchDbClient _client;
    private readonly bool _ownsClient;
    private readonly CouchDbOptions _options;
    private readonly string _metadataDatabase;
    private readonly AsyncReaderWriterLock _lock = new();
    private readonly DocumentCache _cache;
    private readonly ReadCoalescer _reads;
    private readonly HashSet<string> _knownDatabases = new(StringComparer.Ordinal);
    private readonly HashSet<CouchDbStateSnapshot> _snapshots = [];
    private readonly SemaphoreSlim _savepointGate = new(1, 1);
    private readonly SemaphoreSlim _applyGate = new(1, 1);
    private Version? _savepoint;
    private string? _savepointRevision;
    private bool _savepointLoaded;
    private volatile bool _disposed;

    private CouchDbStateDatabase(CouchDbClient client, bool ownsClient, CouchDbOptions options, string channel)
    {
        _client = client;
        _ownsClient = ownsClient;
        _options = options;
        Channel = channel;
        _metadataDatabase = CouchDbNames.MetadataDatabase(channel);
        _cache = new DocumentCache(options.CacheDocuments, (long)options.CacheMegabytes * 1024 * 1024);
        _reads = new ReadCoalescer((database, ids) => client.AllDocsByKeysAsync(database, ids, includeDocs: true, CancellationToken.None), options.MaxBatchUpdateSize);
    }

    /// <summary>The channel whose state this is.</summary>
    public string Channel { get; }

    /// <summary>The client requests go through (shared or owned).</summary>
    public CouchDbClient Client => _client;

    /// <summary>Read requests sent for keys the cache lacked, shared among concurrent readers (for tests and diagnostics).</summary>
    internal long ReadRequests => _reads.Requests;

    /// <summary>Documents currently cached (for tests and diagnostics).</summary>
    internal int CachedDocuments => _cache.Count;

    /// <summary>Reads answered from the cache without a request, and keys that had to be read from CouchDB (since open).</summary>
    internal (long Hits, long Misses) CacheReads => (Interlocked.Read(ref _cacheHits), Interlocked.Read(ref _cacheMisses));

    private long _cacheHits;
    private long _cacheMisses;

    /// <summary>
    /// Opens the state of <paramref name="channel"/> on a client of its own (disposed with the database). Fails in one
    /// line when the server is unreachable or refuses the credentials, so a peer stops at start-up, not at its first block.
    /// </summary>
    public static async Task<CouchDbStateDatabase> OpenAsync(CouchDbOptions options, string channel, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        CouchDbNames.ValidateChannel(channel);
        var client = new CouchDbClient(options);
        try
        {
            return await OpenAsync(client, ownsClient: true, options, channel, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>Opens the state of <paramref name="channel"/> on a shared client (not disposed with the database).</summary>
    public static Task<CouchDbStateDatabase> OpenAsync(CouchDbClient client, CouchDbOptions options, string channel, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        CouchDbNames.ValidateChannel(channel);
        options.Validate();
        return OpenAsync(client, ownsClient: false, options, channel, cancellationToken);
    }

    private static async Task<CouchDbStateDatabase> OpenAsync(CouchDbClient client, bool ownsClient, CouchDbOptions options, string channel, CancellationToken cancellationToken)
    {
        await client.GetServerVersionAsync(cancellationToken).ConfigureAwait(false);
        if (options.Username.Length > 0)
        {
            await client.VerifyCredentialsAsync(cancellationToken).ConfigureAwait(false);
        }

        var db = new CouchDbStateDatabase(client, ownsClient, options, channel);
        await client.CreateDatabaseIfMissingAsync(db._metadataDatabase, cancellationToken).ConfigureAwait(false);
        return db;
    }

    /// <inheritdoc/>
    public async ValueTask<Version?> GetLatestSavepointAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        await _savepointGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_savepointLoaded)
            {
                using var doc = await _client.GetDocumentAsync(_metadataDatabase, SavepointId, cancellationToken).ConfigureAwait(false);
                if (doc is not null)
                {
                    var root = doc.RootElement;
                    if (!root.TryGetProperty(CouchDocuments.VersionField, out var v) || !CouchDocuments.TryParseVersion(v.GetString(), out var version))
                    {
                        throw new InvalidOperationException($"savepoint document of channel \"{Channel}\" in CouchDB database \"{_metadataDatabase}\" is malformed: {CouchDbClient.OneLine(root.GetRawText())}");
                    }

                    _savepoint = version;
                    _savepointRevision = root.GetProperty("_rev").GetString();
                }

                _savepointLoaded = true;
            }

            return _savepoint;
        }
        finally
        {
            _savepointGate.Release();
        }
    }

    /// <summary>
    /// A read view: holds the shared side of the commit lock, so no block is applied while it is open (Fabric's way
    /// on CouchDB). Reads go to the live databases. It is released after <see cref="CouchDbOptions.MaxSnapshotLifetime"/>
    /// even if not disposed — its reads fail from then on — so a stuck endorsement cannot stop commits.
    /// </summary>
    public async ValueTask<IStateSnapshot> OpenSnapshotAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        var lease = await _lock.EnterReadAsync(cancellationToken).ConfigureAwait(false);
        var snapshot = new CouchDbStateSnapshot(this, lease, _options.MaxSnapshotLifetime);
        lock (_snapshots)
        {
            _snapshots.Add(snapshot);
        }

        return snapshot;
    }

    internal void Forget(CouchDbStateSnapshot snapshot)
    {
        lock (_snapshots)
        {
            _snapshots.Remove(snapshot);
        }
    }

    /// <inheritdoc/>
    public ValueTask<VersionedValue?> GetStateAsync(string ns, string key, CancellationToken cancellationToken = default)
    {
        StateLimits.ValidateKey(ns, key);
        ThrowIfDisposed();
        return ReadOneAsync(ns, key, cancellationToken);
    }

    /// <inheritdoc/>
    /// <remarks>Also records each document's revision, so applying a block whose read set was loaded this way costs no further reads.</remarks>
    public ValueTask<IReadOnlyList<VersionedValue?>> GetStatesAsync(IReadOnlyList<StateKey> keys, CancellationToken cancellationToken = default)
    {
        ValidateKeys(keys);
        ThrowIfDisposed();
        return ReadManyAsync(keys, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<QueryPage> GetStateRangeAsync(string ns, string startKey, string endKey, int pageSize, string? bookmark = null, CancellationToken cancellationToken = default)
    {
        ValidateRange(ns, startKey, endKey, pageSize);
        ThrowIfDisposed();
        return ReadRangeAsync(ns, startKey, endKey, pageSize, bookmark, cancellationToken);
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        CouchDbStateSnapshot[] open;
        lock (_snapshots)
        {
            open = [.. _snapshots];
            _snapshots.Clear();
        }

        foreach (var snapshot in open)
        {
            snapshot.Release(expired: false);
        }

        if (_ownsClient)
        {
            _client.Dispose();
        }

        _savepointGate.Dispose();
    }

    internal void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    internal static void ValidateKeys(IReadOnlyList<StateKey> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        foreach (var k in keys)
        {
            StateLimits.ValidateKey(k.Namespace, k.Key);
        }
    }

    internal static void ValidateRange(string ns, string startKey, string endKey, int pageSize)
    {
        StateLimits.ValidateRangeBound(ns, startKey);
        StateLimits.ValidateRangeBound(ns, endKey);
        StateLimits.ValidatePageSize(pageSize);
    }

    internal async ValueTask<VersionedValue?> ReadOneAsync(string ns, string key, CancellationToken cancellationToken)
    {
        var values = await ReadManyAsync([new StateKey(ns, key)], cancellationToken).ConfigureAwait(false);
        return values[0];
    }

    /// <summary>
    /// Bulk read: what the cache knows, and <c>_all_docs</c> requests for the rest — shared with other readers of the
    /// same database that read at the same time (<see cref="ReadCoalescer"/>) — whose answers are cached unless a
    /// block was applied meanwhile (<see cref="DocumentCache"/>).
    /// </summary>
    internal async ValueTask<IReadOnlyList<VersionedValue?>> ReadManyAsync(IReadOnlyList<StateKey> keys, CancellationToken cancellationToken)
    {
        var results = new VersionedValue?[keys.Count];
        var epoch = _cache.Epoch;
        foreach (var (ns, indexes) in GroupByNamespace(keys))
        {
            var database = CouchDbNames.NamespaceDatabase(Channel, ns);
            var misses = new List<(int Index, string Id)>(indexes.Count);
            foreach (var i in indexes)
            {
                var id = CouchDbNames.ToDocumentId(keys[i].Key);
                if (_cache.TryGet(database, id, out var cached) && cached.HasValue)
                {
                    results[i] = cached.Value;
                }
                else
                {
                    misses.Add((i, id));
                }
            }

            Interlocked.Add(ref _cacheHits, indexes.Count - misses.Count);
            Interlocked.Add(ref _cacheMisses, misses.Count);
            foreach (var chunk in misses.Chunk(_options.MaxBatchUpdateSize))
            {
                var ids = chunk.Select(m => m.Id).ToArray();
                var rows = await _reads.ReadAsync(database, ids, cancellationToken).ConfigureAwait(false);
                var documents = new CachedDocument[chunk.Length];
                for (var row = 0; row < chunk.Length; row++)
                {
                    results[chunk[row].Index] = rows[row].Value;
                    documents[row] = new CachedDocument(rows[row].Revision, rows[row].Value, HasValue: true);
                }

                _cache.SetIfUnchanged(epoch, database, ids, documents);
            }
        }

        return results;
    }

    /// <summary>A row of <c>_all_docs</c>: the value (null when missing or deleted) and the document's live revision.</summary>
    internal static (VersionedValue? Value, string? Revision) ReadRow(JsonElement row)
    {
        if (row.TryGetProperty("error", out _) || !row.TryGetProperty("value", out var meta) || meta.ValueKind != JsonValueKind.Object)
        {
            return (null, null);
        }

        if (meta.TryGetProperty("deleted", out var deleted) && deleted.ValueKind == JsonValueKind.True)
        {
            return (null, null);
        }

        var revision = meta.TryGetProperty("rev", out var rev) ? rev.GetString() : null;
        var value = row.TryGetProperty("doc", out var body) ? CouchDocuments.Read(body) : null;
        return (value, revision);
    }

    private static IEnumerable<(string Namespace, List<int> Indexes)> GroupByNamespace(IReadOnlyList<StateKey> keys)
    {
        var groups = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (var i = 0; i < keys.Count; i++)
        {
            if (!groups.TryGetValue(keys[i].Namespace, out var list))
            {
                groups[keys[i].Namespace] = list = [];
            }

            list.Add(i);
        }

        return groups.Select(g => (g.Key, g.Value));
    }
}
