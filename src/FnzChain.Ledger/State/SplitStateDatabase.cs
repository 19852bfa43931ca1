namespace FnzChain.Ledger.State;

/// <summary>
/// The world state of a ledger whose public state is in a database of its own (decision 0017): namespaces derived
/// from private data collections (<see cref="PrivateNamespaces.IsDerived"/>: hashed and plaintext private state, the
/// key index, the expiry schedule) go to the channel's RocksDB state, every other namespace to the public database.
/// Used only when the public database does not share the channel's batch; otherwise the channel state serves both.
/// </summary>
/// <remarks>
/// A snapshot is a snapshot of each half, opened one after the other, so it may see a block in one half and not in
/// the other when a commit lands in between. Endorsement tolerates that as it tolerates any stale read: the read
/// versions go into the read set, and MVCC validation at commit rejects a transaction that read a value a later
/// block changed. The ledger, not this type, owns and disposes both halves.
/// </remarks>
internal sealed class SplitStateDatabase : SplitStateView, IStateDatabase
{
    private readonly IStateDatabase _channel;
    private readonly IStateDatabase _public;

    public SplitStateDatabase(IStateDatabase channel, IStateDatabase publicState)
        : base(channel, publicState, publicState is IIndexCapableStateDatabase)
    {
        _channel = channel;
        _public = publicState;
    }

    /// <summary>Both savepoints, as the ledger applies and replays each half on its own.</summary>
    public async ValueTask<(Version? Channel, Version? Public)> GetSavepointsAsync(CancellationToken cancellationToken = default) =>
        (await _channel.GetLatestSavepointAsync(cancellationToken).ConfigureAwait(false),
         await _public.GetLatestSavepointAsync(cancellationToken).ConfigureAwait(false));

    /// <summary>The savepoint of the half that is behind: the state is complete up to it.</summary>
    public async ValueTask<Version?> GetLatestSavepointAsync(CancellationToken cancellationToken = default)
    {
        var (channelSavepoint, publicSavepoint) = await GetSavepointsAsync(cancellationToken).ConfigureAwait(false);
        return channelSavepoint is not { } c || publicSavepoint is not { } p ? null : c < p ? c : p;
    }

    /// <summary>Applies the channel half, then the public half (the order the ledger commits in).</summary>
    public async ValueTask ApplyUpdatesAsync(UpdateBatch batch, Version savepoint, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var (channelPart, publicPart) = Split(batch);
        await _channel.ApplyUpdatesAsync(channelPart, savepoint, cancellationToken).ConfigureAwait(false);
        await _public.ApplyUpdatesAsync(publicPart, savepoint, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<IStateSnapshot> OpenSnapshotAsync(CancellationToken cancellationToken = default)
    {
        var channelSnapshot = await _channel.OpenSnapshotAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return new Snapshot(channelSnapshot, await _public.OpenSnapshotAsync(cancellationToken).ConfigureAwait(false), _public is IIndexCapableStateDatabase);
        }
        catch
        {
            channelSnapshot.Dispose();
            throw;
        }
    }

    /// <summary>Nothing to release: the ledger disposes both halves.</summary>
    public void Dispose()
    {
    }

    /// <summary>True for namespaces kept in the channel's RocksDB state whatever the public database is.</summary>
    public static bool IsChannelNamespace(string ns) => PrivateNamespaces.IsDerived(ns);

    /// <summary>A block's writes split into those of the channel half and those of the public half, each in order.</summary>
    public static (UpdateBatch Channel, UpdateBatch Public) Split(UpdateBatch batch)
    {
        var channelPart = new UpdateBatch();
        var publicPart = new UpdateBatch(batch.Count);
        foreach (var write in batch.Writes)
        {
            var part = IsChannelNamespace(write.Namespace) ? channelPart : publicPart;
            if (write.IsDelete)
            {
                part.Delete(write.Namespace, write.Key, write.Version, write.Tx);
            }
            else
            {
                part.Put(write.Namespace, write.Key, write.Value, write.Version, write.Tx, write.Metadata);
            }
        }

        return (channelPart, publicPart);
    }

    private sealed class Snapshot : SplitStateView, IStateSnapshot
    {
        private readonly IStateSnapshot _channel;
        private readonly IStateSnapshot _public;

        public Snapshot(IStateSnapshot channel, IStateSnapshot publicState, bool privateRichQueries)
            : base(channel, publicState, privateRichQueries)
        {
            _channel = channel;
            _public = publicState;
        }

        public void Dispose()
        {
            try
            {
                _public.Dispose();
            }
            finally
            {
                _channel.Dispose();
            }
        }
    }
}

/// <summary>
/// The reads of <see cref="SplitStateDatabase"/> and its snapshots: each namespace is read from the half that holds it.
/// When the public database answers rich queries (<paramref name="privateRichQueries"/>: CouchDB), so do the private
/// data collections, whose plaintext is not in it: the peer evaluates the Mango query over the collection itself
/// (<see cref="Query.ScanningQueryExecutor"/>), so chaincode sees one query language for both.
/// </summary>
internal abstract class SplitStateView(IStateReader channel, IStateReader publicState, bool privateRichQueries) : IStateReader
{
    public ValueTask<VersionedValue?> GetStateAsync(string ns, string key, CancellationToken cancellationToken = default) =>
        Of(ns).GetStateAsync(ns, key, cancellationToken);

    public ValueTask<IReadOnlyList<VersionedValue?>> GetStatesAsync(IReadOnlyList<StateKey> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var inChannel = 0;
        foreach (var key in keys)
        {
            inChannel += SplitStateDatabase.IsChannelNamespace(key.Namespace) ? 1 : 0;
        }

        return inChannel == 0 ? publicState.GetStatesAsync(keys, cancellationToken)
            : inChannel == keys.Count ? channel.GetStatesAsync(keys, cancellationToken)
            : GetBothAsync(keys, inChannel, cancellationToken);
    }

    public ValueTask<QueryPage> GetStateRangeAsync(string ns, string startKey, string endKey, int pageSize, string? bookmark = null, CancellationToken cancellationToken = default) =>
        Of(ns).GetStateRangeAsync(ns, startKey, endKey, pageSize, bookmark, cancellationToken);

    public ValueTask<QueryPage> ExecuteQueryAsync(string ns, string query, int pageSize, string? bookmark = null, CancellationToken cancellationToken = default) =>
        SplitStateDatabase.IsChannelNamespace(ns) && privateRichQueries
            ? Query.ScanningQueryExecutor.ExecuteAsync(channel, ns, query, pageSize, bookmark, cancellationToken: cancellationToken)
            : Of(ns).ExecuteQueryAsync(ns, query, pageSize, bookmark, cancellationToken);

    private IStateReader Of(string ns)
    {
        ArgumentNullException.ThrowIfNull(ns);
        return SplitStateDatabase.IsChannelNamespace(ns) ? channel : publicState;
    }

    private async ValueTask<IReadOnlyList<VersionedValue?>> GetBothAsync(IReadOnlyList<StateKey> keys, int inChannel, CancellationToken cancellationToken)
    {
        var channelKeys = new List<StateKey>(inChannel);
        var publicKeys = new List<StateKey>(keys.Count - inChannel);
        foreach (var key in keys)
        {
            (SplitStateDatabase.IsChannelNamespace(key.Namespace) ? channelKeys : publicKeys).Add(key);
        }

        // Public first: it may be remote, and the local channel read runs while it is under way.
        var publicRead = publicState.GetStatesAsync(publicKeys, cancellationToken).AsTask();
        var channelValues = await channel.GetStatesAsync(channelKeys, cancellationToken).ConfigureAwait(false);
        var publicValues = await publicRead.ConfigureAwait(false);
        var results = new VersionedValue?[keys.Count];
        int c = 0, p = 0;
        for (var i = 0; i < results.Length; i++)
        {
            results[i] = SplitStateDatabase.IsChannelNamespace(keys[i].Namespace) ? channelValues[c++] : publicValues[p++];
        }

        return results;
    }
}
