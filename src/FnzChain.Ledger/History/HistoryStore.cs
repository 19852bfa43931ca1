using FnzChain.Ledger.State;
using FnzChain.Ledger.State.RocksDb;
using RocksDbSharp;

namespace FnzChain.Ledger.History;

/// <summary>
/// The history of every key of a channel, in the <c>history</c> column family of the channel's RocksDB
/// database. Entries are added to the same write batch as the block's state updates
/// (<see cref="RocksDbStateDatabase.ApplyUpdatesAsync"/>), so history and state never disagree after a crash.
/// </summary>
/// <remarks>
/// Each entry carries a copy of the value, so history answers on its own without a block store. Reads are
/// synchronous: history always lives in the local RocksDB, whatever the state database.
/// </remarks>
public sealed class HistoryStore
{
    private readonly RocksDbSharp.RocksDb _db;
    private readonly ColumnFamilyHandle _history;

    internal HistoryStore(RocksDbSharp.RocksDb db, ColumnFamilyHandle history)
    {
        _db = db;
        _history = history;
    }

    /// <summary>Every committed write and delete of (<paramref name="ns"/>, <paramref name="key"/>), newest first.</summary>
    public IReadOnlyList<KeyModification> GetHistoryForKey(string ns, string key)
    {
        StateLimits.ValidateKey(ns, key);
        var prefix = new byte[HistoryEncoding.MaxKeyPrefixLength(ns, key)];
        Array.Resize(ref prefix, HistoryEncoding.EncodeKeyPrefix(ns, key, prefix));

        // Every entry of this key is prefix + 16 height bytes, so prefix + 17×0xFF bounds them all from above.
        var upper = new byte[prefix.Length + HistoryEncoding.HeightLength + 1];
        prefix.CopyTo(upper, 0);
        upper.AsSpan(prefix.Length).Fill(0xFF);
        var options = new ReadOptions().SetIterateLowerBound(prefix).SetIterateUpperBound(upper);

        var results = new List<KeyModification>();
        using var iterator = _db.NewIterator(_history, options);
        for (iterator.SeekToLast(); iterator.Valid(); iterator.Prev())
        {
            var entryKey = iterator.GetKeySpan();
            if (entryKey.Length == prefix.Length + HistoryEncoding.HeightLength)
            {
                results.Add(HistoryEncoding.Decode(entryKey, iterator.GetValueSpan()));
            }
        }

        return results;
    }

    /// <summary>Adds the history entry of one write to a block's write batch, using (and growing) pooled buffers.</summary>
    internal void AddTo(WriteBatch batch, in StateWrite write, ref byte[] keyBuffer, ref byte[] valueBuffer)
    {
        StateEncoding.EnsureCapacity(ref keyBuffer, HistoryEncoding.MaxKeyLength(write.Namespace, write.Key));
        StateEncoding.EnsureCapacity(ref valueBuffer, HistoryEncoding.MaxValueLength(write));
        var keyLength = HistoryEncoding.EncodeKey(write, keyBuffer);
        var valueLength = HistoryEncoding.EncodeValue(write, valueBuffer);
        batch.Put(keyBuffer.AsSpan(0, keyLength), valueBuffer.AsSpan(0, valueLength), _history);
    }
}
