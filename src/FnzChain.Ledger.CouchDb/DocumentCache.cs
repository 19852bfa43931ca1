namespace FnzChain.Ledger.State.CouchDb;

/// <summary>
/// What this peer knows of a document: its current CouchDB revision (null: the document does not exist) and, when
/// <see cref="HasValue"/>, the state value it holds (null: no value, the key does not exist).
/// </summary>
internal readonly record struct CachedDocument(string? Revision, VersionedValue? Value, bool HasValue)
{
    /// <summary>A document that does not exist (never written, or deleted): no revision, no value.</summary>
    public static CachedDocument Absent => new(null, null, HasValue: true);

    /// <summary>The cost of an entry against the byte budget: the value, its metadata, the id and a fixed overhead.</summary>
    public long Size(string id) => 96 + (2L * id.Length) + (Revision?.Length ?? 0) + (Value is { } v ? v.Value.Length + v.Metadata.Length : 0);
}

/// <summary>
/// The documents of the public state this peer recently read or wrote — revision and value — so that neither
/// endorsements nor commits pay an HTTP round trip for a key that is already known (Fabric's state cache of
/// <c>statecouchdb</c>). Reads take values from here and ask CouchDB only for the keys it lacks; the MVCC check
/// and applying a block take revisions from here (what a document update must name). Each block's writes update the
/// entries of the keys it wrote, with the revisions CouchDB answered, while the commit lock is held exclusively — so
/// every reader sees the cache and the databases agree. An entry can be wrong only if someone else writes these
/// databases: a write then fails with a conflict, and the entry is dropped and fetched again.
/// <para>
/// A read that overlaps a block being applied must not cache what it saw: it may have read a document before the
/// block rewrote it and record it after. Applies therefore bump an epoch when they start and end (odd while one
/// runs), and a read caches what it saw only if the epoch it started under is still current and even
/// (<see cref="SetIfUnchanged"/>).
/// </para>
/// <para>
/// Bounded by a number of documents and by bytes (values, metadata and ids): when an entry would exceed either, the
/// oldest quarter of the entries is dropped. Values larger than <see cref="MaxValueBytes"/> are not kept (only their
/// revision). Only public state is cached: CouchDB holds nothing private (decision 0017), so no purge has to reach
/// this cache.
/// </para>
/// </summary>
internal sealed class DocumentCache
{
    private readonly object _gate = new();
    private readonly Dictionary<(string Database, string Id), CachedDocument> _documents = new();
    private readonly Queue<(string Database, string Id)> _order = new();
    private readonly int _capacity;
    private readonly long _byteBudget;
    private long _bytes;
    private long _epoch;

    /// <param name="capacity">Most documents kept; 0 keeps none.</param>
    /// <param name="byteBudget">Most bytes kept; 0 keeps revisions (and absences) only, no values, bounded by <paramref name="capacity"/> alone.</param>
    public DocumentCache(int capacity, long byteBudget)
    {
        _capacity = capacity;
        _byteBudget = byteBudget;
        MaxValueBytes = byteBudget / 64;
    }

    /// <summary>Values larger than this are not cached (a sixty-fourth of the byte budget).</summary>
    public long MaxValueBytes { get; }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _documents.Count;
            }
        }
    }

    /// <summary>Bytes the cached entries count against the budget.</summary>
    public long Bytes
    {
        get
        {
            lock (_gate)
            {
                return _bytes;
            }
        }
    }

    /// <summary>The current write epoch, to pass to <see cref="SetIfUnchanged"/>.</summary>
    public long Epoch
    {
        get
        {
            lock (_gate)
            {
                return _epoch;
            }
        }
    }

    /// <summary>Marks the start or the end of applying a block.</summary>
    public void BumpEpoch()
    {
        lock (_gate)
        {
            _epoch++;
        }
    }

    /// <summary>Records documents a read saw, unless a block was being applied when it started or has been since.</summary>
    public void SetIfUnchanged(long epoch, string database, IReadOnlyList<string> ids, IReadOnlyList<CachedDocument> documents)
    {
        if (_capacity == 0)
        {
            return;
        }

        lock (_gate)
        {
            if (_epoch != epoch || (epoch & 1) != 0)
            {
                return;
            }

            for (var i = 0; i < ids.Count; i++)
            {
                SetLocked(database, ids[i], documents[i]);
            }
        }
    }

    public bool TryGet(string database, string id, out CachedDocument document)
    {
        lock (_gate)
        {
            return _documents.TryGetValue((database, id), out document);
        }
    }

    /// <summary>Records what a block wrote (the caller holds the commit lock exclusively).</summary>
    public void Set(string database, string id, CachedDocument document)
    {
        if (_capacity == 0)
        {
            return;
        }

        lock (_gate)
        {
            SetLocked(database, id, document);
        }
    }

    public void Remove(string database, string id)
    {
        lock (_gate)
        {
            if (_documents.Remove((database, id), out var removed))
            {
                _bytes -= removed.Size(id);
            }
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _documents.Clear();
            _order.Clear();
            _bytes = 0;
        }
    }

    private void SetLocked(string database, string id, CachedDocument document)
    {
        if (document.HasValue && document.Value is { } value && (value.Value.Length + value.Metadata.Length > MaxValueBytes))
        {
            document = document with { Value = null, HasValue = false }; // too large to keep: the revision only
        }

        var key = (database, id);
        var size = document.Size(id);
        if (_documents.TryGetValue(key, out var previous))
        {
            // Replaced in place: it keeps its place in the eviction order.
            _documents[key] = document;
            _bytes += size - previous.Size(id);
            while (_byteBudget > 0 && _bytes > _byteBudget && _order.Count > 0)
            {
                Evict(Math.Max(1, _documents.Count / 4));
            }

            return;
        }

        if (OverBounds(size))
        {
            Evict(_documents.Count / 4);
            while (OverBounds(size) && _order.Count > 0)
            {
                Evict(1);
            }
        }

        _documents[key] = document;
        _order.Enqueue(key);
        _bytes += size;
        if (_order.Count > (2 * _capacity) + 16)
        {
            // Entries removed (conflicts) and cached again left duplicates behind: keep one per entry.
            var live = _order.Where(_documents.ContainsKey).Distinct().ToList();
            _order.Clear();
            foreach (var entry in live)
            {
                _order.Enqueue(entry);
            }
        }
    }

    private bool OverBounds(long adding) => _documents.Count + 1 > _capacity || (_byteBudget > 0 && _bytes + adding > _byteBudget);

    /// <summary>Drops the oldest <paramref name="count"/> entries (at least one), in the order they were first cached.</summary>
    private void Evict(int count)
    {
        count = Math.Max(count, 1);
        while (count > 0 && _order.TryDequeue(out var oldest))
        {
            if (_documents.Remove(oldest, out var removed))
            {
                _bytes -= removed.Size(oldest.Id);
                count--;
            }
        }
    }
}
