using System.Buffers;
using FnzChain.Ledger.State;
using FnzChain.Ledger.State.RocksDb;
using FnzChain.Ledger.Storage;

namespace FnzChain.Ledger.History;

/// <summary>
/// The history of every public key of a channel, in the <c>history</c> column family of the channel's RocksDB
/// database. The ledger stages a block's entries (<see cref="Stage"/>) into the same batch as its index and
/// savepoints, whatever database holds the public state, so history never runs ahead of the block store after a
/// crash; replay after a crash writes the entries of the blocks it re-applies to the channel database.
/// </summary>
/// <remarks>
/// Each entry carries a copy of the value, so history answers on its own without a block store. Reads are
/// synchronous: history always lives in the local RocksDB. No history is kept for private-derived namespaces
/// (plaintext there must be erasable by a purge, and hashes need none).
/// </remarks>
public sealed class HistoryStore
{
    private readonly ChannelDatabase _database;

    internal HistoryStore(ChannelDatabase database) => _database = database;

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

        var results = new List<KeyModification>();
        var entryLength = prefix.Length + HistoryEncoding.HeightLength;
        _database.ScanBackward(StorageColumn.History, prefix, upper, (entryKey, value) =>
        {
            if (entryKey.Length == entryLength)
            {
                results.Add(HistoryEncoding.Decode(entryKey, value));
            }

            return true;
        });

        return results;
    }

    /// <summary>Adds the history entries of a block's writes to public namespaces to the block's batch.</summary>
    internal static void Stage(StorageBatch batch, UpdateBatch updates)
    {
        var keyBuffer = ArrayPool<byte>.Shared.Rent(512);
        var valueBuffer = ArrayPool<byte>.Shared.Rent(4096);
        try
        {
            foreach (var write in updates.Writes)
            {
                if (PrivateNamespaces.IsDerived(write.Namespace))
                {
                    continue;
                }

                StateEncoding.EnsureCapacity(ref keyBuffer, HistoryEncoding.MaxKeyLength(write.Namespace, write.Key));
                StateEncoding.EnsureCapacity(ref valueBuffer, HistoryEncoding.MaxValueLength(write));
                var keyLength = HistoryEncoding.EncodeKey(write, keyBuffer);
                var valueLength = HistoryEncoding.EncodeValue(write, valueBuffer);
                batch.Put(StorageColumn.History, keyBuffer.AsSpan(0, keyLength), valueBuffer.AsSpan(0, valueLength));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(keyBuffer);
            ArrayPool<byte>.Shared.Return(valueBuffer);
        }
    }
}
