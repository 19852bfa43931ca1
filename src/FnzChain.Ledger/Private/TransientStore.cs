using System.Buffers.Binary;
using System.Text;
using FnzChain.Ledger.State;
using FnzChain.Ledger.Storage;
using FnzChain.Protos.Ledger.Rwset;
using FnzChain.Protos.Ledger.Rwset.Kvrwset;
using Google.Protobuf;

namespace FnzChain.Ledger.Private;

/// <summary>
/// Private write sets produced when this peer endorsed (or received from an endorser), kept by tx id until the
/// transaction commits — then the committer takes them and removes the entry — or until they are older than
/// the retention in blocks (a transaction that never commits). Stored in the channel database's
/// <c>transient</c> column family: entry = height when stored (8 bytes, big-endian) ‖ <c>TxPvtReadWriteSet</c>.
/// </summary>
public sealed class TransientStore
{
    private readonly ChannelDatabase _database;

    internal TransientStore(ChannelDatabase database) => _database = database;

    /// <summary>Stores (or replaces) the private write set of <paramref name="txId"/>, received at ledger height <paramref name="height"/>.</summary>
    public void Persist(string txId, TxPvtReadWriteSet privateData, ulong height)
    {
        ArgumentException.ThrowIfNullOrEmpty(txId);
        ArgumentNullException.ThrowIfNull(privateData);
        var bytes = privateData.ToByteArray();
        var value = new byte[8 + bytes.Length];
        BinaryPrimitives.WriteUInt64BigEndian(value, height);
        bytes.CopyTo(value, 8);
        _database.Put(StorageColumn.Transient, Encoding.UTF8.GetBytes(txId), value);
    }

    /// <summary>The private write set stored for <paramref name="txId"/>, or null.</summary>
    public TxPvtReadWriteSet? Get(string txId)
    {
        ArgumentNullException.ThrowIfNull(txId);
        var value = _database.Get(StorageColumn.Transient, Encoding.UTF8.GetBytes(txId));
        return value is { Length: >= 8 } ? TxPvtReadWriteSet.Parser.ParseFrom(value.AsSpan(8)) : null;
    }

    /// <summary>Removes the entries of <paramref name="txIds"/> (their transactions committed, valid or not).</summary>
    public void Remove(IEnumerable<string> txIds)
    {
        ArgumentNullException.ThrowIfNull(txIds);
        using var batch = _database.CreateBatch();
        foreach (var txId in txIds)
        {
            batch.Delete(StorageColumn.Transient, Encoding.UTF8.GetBytes(txId));
        }

        _database.Write(batch);
    }

    /// <summary>Removes entries stored below <paramref name="height"/> (transactions that never committed); returns how many.</summary>
    public int RemoveOlderThan(ulong height) => RemoveWhere((stored, _) => stored < height);

    /// <summary>Removes every entry that writes one of <paramref name="keyHashes"/> (hex) of a collection: copies of purged data.</summary>
    public int RemoveWriting(string ns, string collection, IReadOnlySet<string> keyHashes)
    {
        ArgumentNullException.ThrowIfNull(keyHashes);
        return RemoveWhere((_, data) => Writes(data, ns, collection, keyHashes));
    }

    /// <summary>Entries that write <paramref name="keyHash"/> (hex) in a collection: copies a compliance check looks for.</summary>
    public int CountWriting(string ns, string collection, string keyHash)
    {
        var hashes = new HashSet<string>(StringComparer.Ordinal) { keyHash };
        return Entries().Count(e => e.Data is not null && Writes(e.Data, ns, collection, hashes));
    }

    private static bool Writes(TxPvtReadWriteSet data, string ns, string collection, IReadOnlySet<string> keyHashes) =>
        data.NsPvtRwset
            .Where(n => n.Namespace == ns)
            .SelectMany(n => n.CollectionPvtRwset)
            .Where(c => c.CollectionName == collection)
            .SelectMany(c => KVRWSet.Parser.ParseFrom(c.Rwset).Writes)
            .Any(w => keyHashes.Contains(PrivateNamespaces.HashKey(PrivateNamespaces.HashOf(w.Key))));

    /// <summary>Number of entries (for status and tests).</summary>
    public int Count => Entries().Count;

    private int RemoveWhere(Func<ulong, TxPvtReadWriteSet, bool> predicate)
    {
        // An entry that does not decode is dropped too: nothing can use it.
        var doomed = Entries().Where(e => e.Data is null || predicate(e.Height, e.Data)).Select(e => e.Key).ToList();
        if (doomed.Count > 0)
        {
            using var batch = _database.CreateBatch();
            foreach (var key in doomed)
            {
                batch.Delete(StorageColumn.Transient, key);
            }

            _database.Write(batch);
        }

        return doomed.Count;
    }

    /// <summary>Every entry: key, height when stored, and the write set (null when it does not decode).</summary>
    private List<(byte[] Key, ulong Height, TxPvtReadWriteSet? Data)> Entries()
    {
        var entries = new List<(byte[], ulong, TxPvtReadWriteSet?)>();
        _database.Scan(StorageColumn.Transient, [], (key, value) =>
        {
            TxPvtReadWriteSet? data = null;
            if (value.Length >= 8)
            {
                try
                {
                    data = TxPvtReadWriteSet.Parser.ParseFrom(value[8..]);
                }
                catch (InvalidProtocolBufferException)
                {
                }
            }

            entries.Add((key.ToArray(), value.Length >= 8 ? BinaryPrimitives.ReadUInt64BigEndian(value) : 0, data));
            return true;
        });

        return entries;
    }
}
