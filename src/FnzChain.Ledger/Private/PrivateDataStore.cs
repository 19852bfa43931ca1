using System.Buffers.Binary;
using System.Text;
using FnzChain.Ledger.State;
using FnzChain.Ledger.Storage;
using FnzChain.Protos.Ledger.Rwset;
using FnzChain.Protos.Ledger.Rwset.Kvrwset;
using Google.Protobuf;

using Version = FnzChain.Ledger.State.Version;

namespace FnzChain.Ledger.Private;

/// <summary>
/// The private data store: the plaintext private write sets this member peer committed, per block and transaction
/// (what Fabric's <c>pvtdatastorage</c> keeps), so that Deliver can hand a block to a member client together with
/// its private data. Stored in the channel database's <c>pvt</c> column family, written in the block's atomic batch:
/// <list type="bullet">
/// <item><c>'d' ‖ block (8, big-endian) ‖ tx (4)</c> → <c>TxPvtReadWriteSet</c> (only collections whose hashes matched);</item>
/// <item><c>'i' ‖ chaincode ‖ 0 ‖ collection ‖ 0 ‖ key hash (hex) ‖ block ‖ tx</c> → empty: which entries write a key,
/// so a purge or an expiry can find every copy without reading the whole store.</item>
/// </list>
/// A purge removes the key from every entry; an expiry removes its writes in the block that wrote it. Entries are
/// rewritten without the key (and deleted when nothing is left), and the erasure that follows compacts them out
/// of the files.
/// </summary>
public sealed class PrivateDataStore
{
    private const byte DataPrefix = (byte)'d';
    private const byte IndexPrefix = (byte)'i';

    private readonly ChannelDatabase _database;

    internal PrivateDataStore(ChannelDatabase database) => _database = database;

    /// <summary>The private write sets stored for block <paramref name="blockNumber"/>, by transaction index.</summary>
    public IReadOnlyDictionary<int, TxPvtReadWriteSet> ForBlock(ulong blockNumber)
    {
        var result = new Dictionary<int, TxPvtReadWriteSet>();
        var prefix = DataKey(blockNumber, 0).AsSpan(0, 9).ToArray();
        _database.Scan(StorageColumn.PrivateData, prefix, (key, value) =>
        {
            if (key.Length != 13 || !key[..9].SequenceEqual(prefix))
            {
                return false;
            }

            result[(int)BinaryPrimitives.ReadUInt32BigEndian(key[9..])] = Parse(value, blockNumber);
            return true;
        });

        return result;
    }

    /// <summary>
    /// Adds to <paramref name="batch"/> a block's stored private data and the removals its purges and expiries
    /// cause; returns the encoded ranges of this column family that erasure must compact (empty when nothing was
    /// removed). A purge later in the same block also removes the key from this block's earlier writes.
    /// </summary>
    internal List<StorageRange> Stage(StorageBatch batch, ulong blockNumber, IReadOnlyDictionary<int, TxPvtReadWriteSet> stored, IReadOnlyList<StoreRemoval> removals)
    {
        var entries = stored.ToDictionary(e => e.Key, e => e.Value.Clone());
        var touched = new Dictionary<(ulong Block, int Tx), (TxPvtReadWriteSet Data, bool FromDisk)>();
        foreach (var (index, data) in entries)
        {
            touched[(blockNumber, index)] = (data, false);
        }

        var ranges = new List<StorageRange>();
        foreach (var removal in removals)
        {
            var prefix = IndexPrefixOf(removal.Chaincode, removal.Collection, removal.KeyHash);
            var holders = new List<(ulong Block, int Tx)>();
            _database.Scan(StorageColumn.PrivateData, prefix, (key, _) =>
            {
                if (!key.StartsWith(prefix))
                {
                    return false;
                }

                var at = key[prefix.Length..];
                holders.Add((BinaryPrimitives.ReadUInt64BigEndian(at), (int)BinaryPrimitives.ReadUInt32BigEndian(at[8..])));
                return true;
            });

            // This block's own writes of the key, by transactions before the purging one.
            holders.AddRange(entries.Keys.Where(i => i < removal.BeforeTx).Select(i => (blockNumber, i)));
            foreach (var holder in holders.Distinct())
            {
                if (removal.OnlyBlock is { } only && only != holder.Block)
                {
                    continue;
                }

                if (!touched.TryGetValue(holder, out var entry))
                {
                    var bytes = _database.Get(StorageColumn.PrivateData, DataKey(holder.Block, holder.Tx));
                    if (bytes is null)
                    {
                        continue;
                    }

                    entry = (Parse(bytes, holder.Block), true);
                    touched[holder] = entry;
                    var key = DataKey(holder.Block, holder.Tx);
                    ranges.Add(new StorageRange(key, key));
                }

                Without(entry.Data, removal.Chaincode, removal.Collection, removal.KeyHash);
                var indexKey = Concat(prefix, BlockTx(holder.Block, holder.Tx));
                batch.Delete(StorageColumn.PrivateData, indexKey);
                ranges.Add(new StorageRange(indexKey, indexKey));
            }
        }

        foreach (var ((block, tx), (data, _)) in touched)
        {
            var key = DataKey(block, tx);
            if (data.NsPvtRwset.Count == 0)
            {
                batch.Delete(StorageColumn.PrivateData, key);
                continue;
            }

            batch.Put(StorageColumn.PrivateData, key, data.ToByteArray());
            if (block == blockNumber)
            {
                foreach (var (ns, collection, keyHash) in KeyHashes(data))
                {
                    batch.Put(StorageColumn.PrivateData, Concat(IndexPrefixOf(ns, collection, keyHash), BlockTx(block, tx)), []);
                }
            }
        }

        return ranges;
    }

    /// <summary>Adds one reconciled private write to the stored entry of the transaction that wrote it (<paramref name="version"/>).</summary>
    internal void AddReconciled(StorageBatch batch, Version version, string ns, string collection, string key, ReadOnlyMemory<byte> value)
    {
        var dataKey = DataKey(version.BlockNumber, (int)version.TxNumber);
        var bytes = _database.Get(StorageColumn.PrivateData, dataKey);
        var data = bytes is null ? new TxPvtReadWriteSet { DataModel = TxReadWriteSet.Types.DataModel.Kv } : Parse(bytes, version.BlockNumber);
        var nsSet = data.NsPvtRwset.FirstOrDefault(n => n.Namespace == ns);
        if (nsSet is null)
        {
            nsSet = new NsPvtReadWriteSet { Namespace = ns };
            data.NsPvtRwset.Add(nsSet);
        }

        var collectionSet = nsSet.CollectionPvtRwset.FirstOrDefault(c => c.CollectionName == collection);
        var kv = collectionSet is null ? new KVRWSet() : KVRWSet.Parser.ParseFrom(collectionSet.Rwset);
        if (kv.Writes.Any(w => w.Key == key))
        {
            return;
        }

        kv.Writes.Add(new KVWrite { Key = key, Value = ByteString.CopyFrom(value.Span) });
        if (collectionSet is null)
        {
            nsSet.CollectionPvtRwset.Add(new CollectionPvtReadWriteSet { CollectionName = collection, Rwset = kv.ToByteString() });
        }
        else
        {
            collectionSet.Rwset = kv.ToByteString();
        }

        batch.Put(StorageColumn.PrivateData, dataKey, data.ToByteArray());
        batch.Put(StorageColumn.PrivateData, Concat(IndexPrefixOf(ns, collection, PrivateNamespaces.HashKey(PrivateNamespaces.HashOf(key))), BlockTx(version.BlockNumber, (int)version.TxNumber)), []);
    }

    /// <summary>How many stored entries hold a write of the key (for compliance status).</summary>
    public int CountHolding(string ns, string collection, string keyHash)
    {
        var prefix = IndexPrefixOf(ns, collection, keyHash);
        var count = 0;
        _database.Scan(StorageColumn.PrivateData, prefix, (key, _) =>
        {
            if (!key.StartsWith(prefix))
            {
                return false;
            }

            count++;
            return true;
        });

        return count;
    }

    private static void Without(TxPvtReadWriteSet data, string ns, string collection, string keyHash)
    {
        foreach (var nsSet in data.NsPvtRwset.Where(n => n.Namespace == ns).ToList())
        {
            foreach (var collectionSet in nsSet.CollectionPvtRwset.Where(c => c.CollectionName == collection).ToList())
            {
                var kv = KVRWSet.Parser.ParseFrom(collectionSet.Rwset);
                var kept = new KVRWSet();
                kept.Writes.AddRange(kv.Writes.Where(w => PrivateNamespaces.HashKey(PrivateNamespaces.HashOf(w.Key)) != keyHash));
                if (kept.Writes.Count == 0)
                {
                    nsSet.CollectionPvtRwset.Remove(collectionSet);
                }
                else
                {
                    collectionSet.Rwset = kept.ToByteString();
                }
            }

            if (nsSet.CollectionPvtRwset.Count == 0)
            {
                data.NsPvtRwset.Remove(nsSet);
            }
        }
    }

    private static IEnumerable<(string Ns, string Collection, string KeyHash)> KeyHashes(TxPvtReadWriteSet data) =>
        from ns in data.NsPvtRwset
        from collection in ns.CollectionPvtRwset
        from write in KVRWSet.Parser.ParseFrom(collection.Rwset).Writes
        select (ns.Namespace, collection.CollectionName, PrivateNamespaces.HashKey(PrivateNamespaces.HashOf(write.Key)));

    private static TxPvtReadWriteSet Parse(ReadOnlySpan<byte> bytes, ulong blockNumber)
    {
        try
        {
            return TxPvtReadWriteSet.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new LedgerCorruptedException($"the private data stored for block {blockNumber} does not parse: {e.Message}", e);
        }
    }

    private static byte[] DataKey(ulong block, int tx) => [DataPrefix, .. BlockTx(block, tx)];

    private static byte[] BlockTx(ulong block, int tx)
    {
        var bytes = new byte[12];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, block);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(8), (uint)tx);
        return bytes;
    }

    private static byte[] IndexPrefixOf(string ns, string collection, string keyHash) =>
        [IndexPrefix, .. Encoding.UTF8.GetBytes(ns), 0, .. Encoding.UTF8.GetBytes(collection), 0, .. Encoding.ASCII.GetBytes(keyHash)];

    private static byte[] Concat(byte[] a, byte[] b) => [.. a, .. b];
}

/// <summary>
/// A private key to remove from the private data store: every stored write of it (a purge), or only its writes in
/// block <see cref="OnlyBlock"/> (an expiry: all of a block's writes of a collection expire together, also when two
/// of its transactions wrote the key). <see cref="BeforeTx"/>: the purging transaction's index, so this block's own
/// earlier writes go too.
/// </summary>
internal sealed record StoreRemoval(string Chaincode, string Collection, string KeyHash, ulong? OnlyBlock, int BeforeTx);
