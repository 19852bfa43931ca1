using FnzChain.Ledger.Private;
using FnzChain.Ledger.State;
using FnzChain.Protos.Ledger.Rwset;
using FnzChain.Protos.Ledger.Rwset.Kvrwset;
using Google.Protobuf;

using Version = FnzChain.Ledger.State.Version;

namespace FnzChain.Ledger.Validation;

/// <summary>A write of an earlier valid transaction of the block being validated.</summary>
internal readonly record struct PendingWrite(bool IsDelete, ReadOnlyMemory<byte> Value, Version Version, int TxIndex);

/// <summary>
/// The writes of the valid transactions of one block, in order: what later transactions of the block are checked
/// against (MVCC, phantoms) and what is applied to state. Resolves key metadata as Fabric does: a value-only write
/// keeps the key's latest metadata, a metadata-only write keeps its latest value and is dropped when the key does
/// not exist, a metadata write with no entries removes the metadata.
/// </summary>
internal sealed class BlockUpdates(ulong blockNumber, IReadOnlyDictionary<StateKey, VersionedValue?> committed, BlockToLive? blockToLive = null)
{
    private readonly Dictionary<StateKey, PendingWrite> _latest = [];
    private readonly Dictionary<StateKey, ReadOnlyMemory<byte>> _latestMetadata = [];

    public UpdateBatch Batch { get; } = new();

    /// <summary>State keys a purge removed in this block: their bytes must be compacted out of the files.</summary>
    public List<StateKey> Purged { get; } = [];

    /// <summary>The plaintext private write sets stored for this block's valid transactions (matched collections only), by index.</summary>
    public Dictionary<int, TxPvtReadWriteSet> Stored { get; } = [];

    /// <summary>Private keys to remove from the private data store: purged (every copy) or expired (one block's writes).</summary>
    public List<StoreRemoval> StoreRemovals { get; } = [];

    /// <summary>Ranges of the private data store the removals rewrote: erasure compacts them (set when the block is staged).</summary>
    public IReadOnlyList<Storage.StorageRange> StoreRanges { get; set; } = [];

    /// <summary>Private keys whose block-to-live ran out at this block (a subset of <see cref="Purged"/>'s hashed entries).</summary>
    public int Expired { get; private set; }

    /// <summary>Collections of valid transactions whose private write set was not given or did not match its hashes.</summary>
    public List<MissingPrivateData> Missing { get; } = [];

    public bool TryGet(StateKey key, out PendingWrite write) => _latest.TryGetValue(key, out write);

    /// <summary>Pending writes of <paramref name="ns"/> with keys in [<paramref name="start"/>, <paramref name="end"/>) (empty = unbounded), in key order.</summary>
    public List<KeyValuePair<string, PendingWrite>> InRange(string ns, string start, string end)
    {
        var found = new List<KeyValuePair<string, PendingWrite>>();
        foreach (var (key, write) in _latest)
        {
            if (key.Namespace == ns
                && Utf8Order.Instance.Compare(key.Key, start) >= 0
                && (end.Length == 0 || Utf8Order.Instance.Compare(key.Key, end) < 0))
            {
                found.Add(new(key.Key, write));
            }
        }

        found.Sort((a, b) => Utf8Order.Instance.Compare(a.Key, b.Key));
        return found;
    }

    /// <summary>
    /// Adds the writes of a valid transaction; its version is (block, tx index). With <paramref name="privateData"/>
    /// (this peer is a member of the collections it covers) the plaintext writes whose hashes match the
    /// transaction's hashed writes go to the private namespaces; a collection that does not match is recorded in
    /// <see cref="Missing"/> and none of it is written. Purges delete the private value and its key-index entry.
    /// </summary>
    public void Add(ParsedTransaction tx, TxPvtReadWriteSet? privateData = null)
    {
        var version = new Version(blockNumber, (ulong)tx.Index);
        var info = new TxInfo(tx.TxId, tx.Timestamp);
        // Before this transaction's own writes replace it: which plaintext key each deleted hash stands for.
        var deleted = tx.PrivateDeletions
            .Select(p => (Deletion: p, Key: LatestValue(new StateKey(PrivateNamespaces.KeyIndex(p.Namespace, p.Collection), p.KeyHash)) is { } plain
                ? System.Text.Encoding.UTF8.GetString(plain.Span)
                : null))
            .ToList();
        var ops = new Dictionary<StateKey, KeyOp>();
        var order = new List<StateKey>();
        foreach (var ns in tx.ReadWriteSets)
        {
            foreach (var write in ns.ReadWriteSet.Writes)
            {
                var op = Op(ops, order, new StateKey(ns.Namespace, write.Key));
                op.HasValue = true;
                op.IsDelete = write.IsDelete;
                op.Value = write.IsDelete ? ReadOnlyMemory<byte>.Empty : write.Value.Memory;
            }

            foreach (var write in ns.ReadWriteSet.MetadataWrites)
            {
                var op = Op(ops, order, new StateKey(ns.Namespace, write.Key));
                op.HasMetadata = true;
                op.Metadata = SerializeMetadata(write);
            }
        }

        foreach (var key in order)
        {
            var op = ops[key];
            if (op.IsDelete)
            {
                Batch.Delete(key.Namespace, key.Key, version, info);
                _latest[key] = new PendingWrite(true, default, version, tx.Index);
                _latestMetadata[key] = default;
                continue;
            }

            var value = op.Value;
            var metadata = op.Metadata;
            if (!op.HasMetadata)
            {
                metadata = LatestMetadata(key);
            }
            else if (!op.HasValue)
            {
                if (LatestValue(key) is not { } existing)
                {
                    continue; // metadata of a key that does not exist: nothing to do
                }

                value = existing;
            }

            Batch.Put(key.Namespace, key.Key, value, version, info, metadata);
            _latest[key] = new PendingWrite(false, value, version, tx.Index);
            _latestMetadata[key] = metadata;
        }

        foreach (var (deletion, plain) in deleted)
        {
            var privateKey = plain is null ? (StateKey?)null : new StateKey(PrivateNamespaces.Private(deletion.Namespace, deletion.Collection), plain);
            if (privateKey is { } key)
            {
                PrivateDelete(key, version, info, tx.Index);
            }

            if (deletion.IsPurge)
            {
                StoreRemovals.Add(new StoreRemoval(deletion.Namespace, deletion.Collection, deletion.KeyHash, OnlyBlock: null, BeforeTx: tx.Index));
                Purged.Add(new StateKey(PrivateNamespaces.Hashed(deletion.Namespace, deletion.Collection), deletion.KeyHash));
                Purged.Add(new StateKey(PrivateNamespaces.KeyIndex(deletion.Namespace, deletion.Collection), deletion.KeyHash));
                if (privateKey is { } erased)
                {
                    Purged.Add(erased);
                }
            }
        }

        ScheduleExpiry(tx, version, info);
        ApplyPrivate(tx, privateData, version, info);
    }

    /// <summary>
    /// Removes the private keys due to expire at this block (<see cref="PrivateDataExpiry"/>), after the block's
    /// transactions were added: a key written again since it was scheduled — in an earlier block or in this one —
    /// is left alone. Every entry due is dropped from the schedule.
    /// </summary>
    public void Expire(IReadOnlyList<ExpiringKey> due)
    {
        var version = new Version(blockNumber, 0);
        var info = new TxInfo("expiry", DateTimeOffset.UnixEpoch);
        foreach (var entry in due)
        {
            Batch.Delete(PrivateDataExpiry.Namespace, entry.EntryKey, version, info);
            StoreRemovals.Add(new StoreRemoval(entry.Chaincode, entry.Collection, entry.KeyHash, entry.Written.BlockNumber, BeforeTx: -1));
            var hashedKey = new StateKey(PrivateNamespaces.Hashed(entry.Chaincode, entry.Collection), entry.KeyHash);
            if (_latest.ContainsKey(hashedKey) || Committed(hashedKey) is not { } current || current.Version != entry.Written)
            {
                continue;
            }

            var indexKey = new StateKey(PrivateNamespaces.KeyIndex(entry.Chaincode, entry.Collection), entry.KeyHash);
            if (LatestValue(indexKey) is { } plain)
            {
                var privateKey = new StateKey(PrivateNamespaces.Private(entry.Chaincode, entry.Collection), System.Text.Encoding.UTF8.GetString(plain.Span));
                PrivateDelete(privateKey, version, info, txIndex: -1);
                Purged.Add(privateKey);
            }

            PrivateDelete(indexKey, version, info, txIndex: -1);
            PrivateDelete(hashedKey, version, info, txIndex: -1);
            Purged.Add(hashedKey);
            Purged.Add(indexKey);
            Expired++;
        }
    }

    /// <summary>Schedules the expiry of this transaction's hashed writes to collections with a block-to-live.</summary>
    private void ScheduleExpiry(ParsedTransaction tx, Version version, TxInfo info)
    {
        if (blockToLive is null)
        {
            return;
        }

        foreach (var hashed in tx.ReadWriteSets)
        {
            if (hashed.Collection is not { } collection || hashed.Namespace != PrivateNamespaces.Hashed(hashed.Chaincode, collection)
                || hashed.ReadWriteSet.Writes.All(w => w.IsDelete)
                || PrivateDataExpiry.ExpiresAt(blockNumber, blockToLive(hashed.Chaincode, collection)) is not { } at)
            {
                continue;
            }

            foreach (var write in hashed.ReadWriteSet.Writes.Where(w => !w.IsDelete))
            {
                Batch.Put(PrivateDataExpiry.Namespace, PrivateDataExpiry.EntryKey(at, hashed.Chaincode, collection, write.Key), ReadOnlyMemory<byte>.Empty, version, info);
            }
        }
    }

    private void ApplyPrivate(ParsedTransaction tx, TxPvtReadWriteSet? privateData, Version version, TxInfo info)
    {
        var supplied = new Dictionary<string, ByteString>(StringComparer.Ordinal);
        foreach (var ns in privateData?.NsPvtRwset ?? [])
        {
            foreach (var collection in ns.CollectionPvtRwset)
            {
                supplied[PrivateNamespaces.Hashed(ns.Namespace, collection.CollectionName)] = collection.Rwset;
            }
        }

        foreach (var hashed in tx.ReadWriteSets.Where(n => n.Collection is not null && n.Namespace == PrivateNamespaces.Hashed(n.Chaincode, n.Collection)))
        {
            var writes = hashed.ReadWriteSet.Writes;
            if (writes.Count == 0)
            {
                continue; // only reads: nothing private to store
            }

            if (!supplied.Remove(hashed.Namespace, out var bytes))
            {
                Missing.Add(new MissingPrivateData(tx.Index, hashed.Chaincode, hashed.Collection!, "not available to this peer"));
                continue;
            }

            if (Match(bytes, writes) is { } problem)
            {
                Missing.Add(new MissingPrivateData(tx.Index, hashed.Chaincode, hashed.Collection!, problem));
                continue;
            }

            var plaintext = KVRWSet.Parser.ParseFrom(bytes);
            var stored = StoreFor(tx.Index);
            var nsStored = stored.NsPvtRwset.FirstOrDefault(n => n.Namespace == hashed.Chaincode);
            if (nsStored is null)
            {
                nsStored = new NsPvtReadWriteSet { Namespace = hashed.Chaincode };
                stored.NsPvtRwset.Add(nsStored);
            }

            nsStored.CollectionPvtRwset.Add(new CollectionPvtReadWriteSet { CollectionName = hashed.Collection!, Rwset = bytes });
            foreach (var write in plaintext.Writes)
            {
                var privateKey = new StateKey(PrivateNamespaces.Private(hashed.Chaincode, hashed.Collection!), write.Key);
                var indexKey = new StateKey(PrivateNamespaces.KeyIndex(hashed.Chaincode, hashed.Collection!), PrivateNamespaces.HashKey(PrivateNamespaces.HashOf(write.Key)));
                if (write.IsDelete)
                {
                    PrivateDelete(privateKey, version, info, tx.Index);
                    PrivateDelete(indexKey, version, info, tx.Index);
                }
                else
                {
                    PrivatePut(privateKey, write.Value.Memory, version, info, tx.Index);
                    PrivatePut(indexKey, System.Text.Encoding.UTF8.GetBytes(write.Key), version, info, tx.Index);
                }
            }
        }

        foreach (var extra in supplied.Keys)
        {
            Missing.Add(new MissingPrivateData(tx.Index, PrivateNamespaces.ChaincodeOf(extra), extra[(extra.IndexOf("$$", StringComparison.Ordinal) + 3)..], "private data given for a collection the transaction does not write; ignored"));
        }
    }

    private TxPvtReadWriteSet StoreFor(int txIndex)
    {
        if (!Stored.TryGetValue(txIndex, out var data))
        {
            data = new TxPvtReadWriteSet { DataModel = TxReadWriteSet.Types.DataModel.Kv };
            Stored[txIndex] = data;
        }

        return data;
    }

    /// <summary>Why a private write set does not match the transaction's hashed writes, or null when every write matches.</summary>
    private static string? Match(ByteString bytes, IList<KVWrite> hashedWrites)
    {
        KVRWSet plaintext;
        try
        {
            plaintext = KVRWSet.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            return $"private write set does not parse: {e.Message}";
        }

        var expected = hashedWrites.ToDictionary(w => w.Key, StringComparer.Ordinal);
        foreach (var write in plaintext.Writes)
        {
            var keyHash = PrivateNamespaces.HashKey(PrivateNamespaces.HashOf(write.Key));
            if (!expected.Remove(keyHash, out var hashed))
            {
                return $"private write of a key whose hash {keyHash[..16]}… is not among the transaction's hashed writes";
            }

            if (hashed.IsDelete != write.IsDelete
                || (!write.IsDelete && !System.Security.Cryptography.SHA256.HashData(write.Value.Span).AsSpan().SequenceEqual(hashed.Value.Span)))
            {
                return $"private value of key hash {keyHash[..16]}… does not match the transaction's value hash";
            }
        }

        // Deletes need no plaintext write (the key index finds the key); every other hashed write does.
        return expected.Values.FirstOrDefault(w => !w.IsDelete) is { } unmatched
            ? $"no private write for key hash {unmatched.Key[..16]}…"
            : null;
    }

    private void PrivatePut(StateKey key, ReadOnlyMemory<byte> value, Version version, TxInfo info, int txIndex)
    {
        Batch.Put(key.Namespace, key.Key, value, version, info, ReadOnlyMemory<byte>.Empty);
        _latest[key] = new PendingWrite(false, value, version, txIndex);
        _latestMetadata[key] = default;
    }

    private void PrivateDelete(StateKey key, Version version, TxInfo info, int txIndex)
    {
        Batch.Delete(key.Namespace, key.Key, version, info);
        _latest[key] = new PendingWrite(true, default, version, txIndex);
        _latestMetadata[key] = default;
    }

    /// <summary>Key metadata as stored: a serialized <c>KVMetadataWrite</c> without the key, entries sorted by name; empty for none.</summary>
    internal static ReadOnlyMemory<byte> SerializeMetadata(KVMetadataWrite write)
    {
        if (write.Entries.Count == 0)
        {
            return ReadOnlyMemory<byte>.Empty;
        }

        var sorted = new KVMetadataWrite();
        sorted.Entries.AddRange(write.Entries.OrderBy(e => e.Name, StringComparer.Ordinal));
        return sorted.ToByteArray();
    }

    private ReadOnlyMemory<byte> LatestMetadata(StateKey key) =>
        _latestMetadata.TryGetValue(key, out var metadata) ? metadata : Committed(key)?.Metadata ?? default;

    private ReadOnlyMemory<byte>? LatestValue(StateKey key)
    {
        if (_latest.TryGetValue(key, out var pending))
        {
            return pending.IsDelete ? null : pending.Value;
        }

        return Committed(key)?.Value;
    }

    private VersionedValue? Committed(StateKey key) =>
        committed.TryGetValue(key, out var value)
            ? value
            : throw new InvalidOperationException($"key {key.Namespace}/{key.Key} was not prefetched before validation");

    private static KeyOp Op(Dictionary<StateKey, KeyOp> ops, List<StateKey> order, StateKey key)
    {
        if (!ops.TryGetValue(key, out var op))
        {
            op = new KeyOp();
            ops.Add(key, op);
            order.Add(key);
        }

        return op;
    }

    private sealed class KeyOp
    {
        public bool HasValue;
        public bool IsDelete;
        public ReadOnlyMemory<byte> Value;
        public bool HasMetadata;
        public ReadOnlyMemory<byte> Metadata;
    }
}
