using FnzChain.Ledger.State;
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
internal sealed class BlockUpdates(ulong blockNumber, IReadOnlyDictionary<StateKey, VersionedValue?> committed)
{
    private readonly Dictionary<StateKey, PendingWrite> _latest = [];
    private readonly Dictionary<StateKey, ReadOnlyMemory<byte>> _latestMetadata = [];

    public UpdateBatch Batch { get; } = new();

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

    /// <summary>Adds the writes of a valid transaction; its version is (block, tx index).</summary>
    public void Add(ParsedTransaction tx)
    {
        var version = new Version(blockNumber, (ulong)tx.Index);
        var info = new TxInfo(tx.TxId, tx.Timestamp);
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
