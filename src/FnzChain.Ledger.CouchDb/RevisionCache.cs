namespace FnzChain.Ledger.State.CouchDb;

/// <summary>
/// The current CouchDB revision (<c>_rev</c>) of documents this database recently read or wrote, so that applying a
/// block does not cost one request per key to learn what to overwrite — Fabric's committer cache. The ledger's MVCC
/// check bulk-reads the block's read set (<see cref="IStateReader.GetStatesAsync"/>), which fills the cache; keys
/// written without being read are looked up in one bulk request per namespace. A null revision records that the
/// document does not exist. An entry can be stale only if someone else wrote the database: the write then fails with
/// a conflict, the entry is dropped and the revision fetched again. Bounded: emptied when it holds too many entries.
/// <para>
/// A read that overlaps a block being applied must not cache what it saw: it may have read a document before the
/// block rewrote it and record it after, and a stale "does not exist" would make a later delete skip a document
/// that exists. Applies therefore bump an epoch when they start and end (odd while one runs), and a read caches
/// its revisions only if the epoch it started under is still current and even (<see cref="SetIfUnchanged"/>).
/// </para>
/// </summary>
internal sealed class RevisionCache
{
    private readonly object _gate = new();
    private readonly Dictionary<(string Database, string Id), string?> _revisions = new();
    private readonly int _capacity;
    private long _epoch;

    public RevisionCache(int capacity) => _capacity = capacity;

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _revisions.Count;
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

    /// <summary>Records revisions a read saw, unless a block was being applied when it started or has been since.</summary>
    public void SetIfUnchanged(long epoch, string database, IReadOnlyList<string> ids, IReadOnlyList<string?> revisions)
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
                SetLocked(database, ids[i], revisions[i]);
            }
        }
    }

    public bool TryGet(string database, string id, out string? revision)
    {
        lock (_gate)
        {
            return _revisions.TryGetValue((database, id), out revision);
        }
    }

    public void Set(string database, string id, string? revision)
    {
        if (_capacity == 0)
        {
            return;
        }

        lock (_gate)
        {
            SetLocked(database, id, revision);
        }
    }

    private void SetLocked(string database, string id, string? revision)
    {
        if (_revisions.Count >= _capacity && !_revisions.ContainsKey((database, id)))
        {
            _revisions.Clear();
        }

        _revisions[(database, id)] = revision;
    }

    public void Remove(string database, string id)
    {
        lock (_gate)
        {
            _revisions.Remove((database, id));
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _revisions.Clear();
        }
    }
}
