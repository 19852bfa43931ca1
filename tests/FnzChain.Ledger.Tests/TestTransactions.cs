using FnzChain.Protos.Common;
using FnzChain.Protos.Ledger.Rwset;
using FnzChain.Protos.Ledger.Rwset.Kvrwset;
using FnzChain.Protos.Peer;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using KvVersion = FnzChain.Protos.Ledger.Rwset.Kvrwset.Version;
using Version = FnzChain.Ledger.State.Version;

namespace FnzChain.Ledger.Tests;

/// <summary>Builds endorser-transaction envelopes with the read/write sets a test needs (unsigned: the ledger does not check signatures).</summary>
internal sealed class TestTx
{
    private readonly string _txId;
    private readonly SortedDictionary<string, KVRWSet> _sets = new(StringComparer.Ordinal);
    private readonly SortedDictionary<(string Ns, string Collection), (HashedRWSet Hashed, KVRWSet Plain)> _collections = new();

    private TestTx(string txId) => _txId = txId;

    public static TestTx Id(string txId) => new(txId);

    public TestTx Read(string ns, string key, Version? version)
    {
        Set(ns).Reads.Add(new KVRead { Key = key, Version = Kv(version) });
        return this;
    }

    public TestTx Write(string ns, string key, string value)
    {
        Set(ns).Writes.Add(new KVWrite { Key = key, Value = ByteString.CopyFromUtf8(value) });
        return this;
    }

    public TestTx Delete(string ns, string key)
    {
        Set(ns).Writes.Add(new KVWrite { Key = key, IsDelete = true });
        return this;
    }

    public TestTx Metadata(string ns, string key, params (string Name, string Value)[] entries)
    {
        var write = new KVMetadataWrite { Key = key };
        write.Entries.AddRange(entries.Select(e => new KVMetadataEntry { Name = e.Name, Value = ByteString.CopyFromUtf8(e.Value) }));
        Set(ns).MetadataWrites.Add(write);
        return this;
    }

    public TestTx Range(string ns, string start, string end, bool exhausted, params (string Key, Version Version)[] reads)
    {
        var raw = new QueryReads();
        raw.KvReads.AddRange(reads.Select(r => new KVRead { Key = r.Key, Version = Kv(r.Version) }));
        Set(ns).RangeQueriesInfo.Add(new RangeQueryInfo { StartKey = start, EndKey = end, ItrExhausted = exhausted, RawReads = raw });
        return this;
    }

    public TestTx MerkleRange(string ns, string start, string end)
    {
        Set(ns).RangeQueriesInfo.Add(new RangeQueryInfo
        {
            StartKey = start,
            EndKey = end,
            ReadsMerkleHashes = new QueryReadsMerkleSummary { MaxDegree = 2, MaxLevel = 1 },
        });
        return this;
    }

    /// <summary>A private write: its hashes go into the transaction, the plaintext into <see cref="PrivateData"/>.</summary>
    public TestTx PrivateWrite(string ns, string collection, string key, string value)
    {
        var (hashed, plain) = Collection(ns, collection);
        hashed.HashedWrites.Add(new KVWriteHash
        {
            KeyHash = ByteString.CopyFrom(FnzChain.Ledger.State.PrivateNamespaces.HashOf(key)),
            ValueHash = ByteString.CopyFrom(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(value))),
        });
        plain.Writes.Add(new KVWrite { Key = key, Value = ByteString.CopyFromUtf8(value) });
        return this;
    }

    public TestTx PrivateRead(string ns, string collection, string key, Version? version)
    {
        Collection(ns, collection).Hashed.HashedReads.Add(new KVReadHash { KeyHash = ByteString.CopyFrom(FnzChain.Ledger.State.PrivateNamespaces.HashOf(key)), Version = Kv(version) });
        return this;
    }

    /// <summary>A private delete, or with <paramref name="purge"/> Fabric 2.5's PurgePrivateData (no plaintext needed).</summary>
    public TestTx PrivateDelete(string ns, string collection, string key, bool purge = false)
    {
        var (hashed, plain) = Collection(ns, collection);
        hashed.HashedWrites.Add(new KVWriteHash { KeyHash = ByteString.CopyFrom(FnzChain.Ledger.State.PrivateNamespaces.HashOf(key)), IsDelete = true, IsPurge = purge });
        if (!purge)
        {
            plain.Writes.Add(new KVWrite { Key = key, IsDelete = true });
        }

        return this;
    }

    /// <summary>The plaintext private write sets, as a member peer receives them.</summary>
    public TxPvtReadWriteSet PrivateData()
    {
        var data = new TxPvtReadWriteSet { DataModel = TxReadWriteSet.Types.DataModel.Kv };
        foreach (var group in _collections.GroupBy(c => c.Key.Ns))
        {
            var ns = new NsPvtReadWriteSet { Namespace = group.Key };
            ns.CollectionPvtRwset.AddRange(group.Select(c => new CollectionPvtReadWriteSet { CollectionName = c.Key.Collection, Rwset = c.Value.Plain.ToByteString() }));
            data.NsPvtRwset.Add(ns);
        }

        return data;
    }

    public ByteString Build() => Envelope(_txId, Results());

    /// <summary>An endorser transaction carrying a read/write set produced elsewhere (e.g. by the simulator).</summary>
    public static ByteString FromReadWriteSet(string txId, TxReadWriteSet rwset) => Envelope(txId, rwset.ToByteString());

    /// <summary>An envelope whose read/write set bytes for <paramref name="ns"/> are not a KVRWSet.</summary>
    public static ByteString WithGarbageReadWriteSet(string txId, string ns)
    {
        var rwset = new TxReadWriteSet { DataModel = TxReadWriteSet.Types.DataModel.Kv };
        rwset.NsRwset.Add(new NsReadWriteSet { Namespace = ns, Rwset = ByteString.CopyFrom(0xff, 0xff, 0xff) });
        return Envelope(txId, rwset.ToByteString());
    }

    public static ByteString Config(string txId) =>
        new Envelope
        {
            Payload = new Payload
            {
                Header = new Header { ChannelHeader = ChannelHeaderBytes(txId, HeaderType.Config) },
                Data = ByteString.CopyFromUtf8("config"),
            }.ToByteString(),
        }.ToByteString();

    private ByteString Results()
    {
        var rwset = new TxReadWriteSet { DataModel = TxReadWriteSet.Types.DataModel.Kv };
        foreach (var ns in _collections.Keys.Select(k => k.Ns))
        {
            Set(ns);
        }

        foreach (var (ns, set) in _sets)
        {
            var entry = new NsReadWriteSet { Namespace = ns, Rwset = set.ToByteString() };
            entry.CollectionHashedRwset.AddRange(_collections.Where(c => c.Key.Ns == ns).Select(c => new CollectionHashedReadWriteSet
            {
                CollectionName = c.Key.Collection,
                HashedRwset = c.Value.Hashed.ToByteString(),
            }));
            rwset.NsRwset.Add(entry);
        }

        return rwset.ToByteString();
    }

    private static ByteString Envelope(string txId, ByteString results)
    {
        var action = new ChaincodeAction { Results = results, ChaincodeId = new ChaincodeID { Name = "test", Version = "1" } };
        var responsePayload = new ProposalResponsePayload { ProposalHash = ByteString.CopyFrom(new byte[32]), Extension = action.ToByteString() };
        var endorsed = new ChaincodeEndorsedAction { ProposalResponsePayload = responsePayload.ToByteString() };
        endorsed.Endorsements.Add(new Endorsement { Endorser = ByteString.CopyFromUtf8("endorser"), Signature = ByteString.CopyFromUtf8("signature") });
        var transaction = new Transaction();
        transaction.Actions.Add(new TransactionAction { Payload = new ChaincodeActionPayload { Action = endorsed }.ToByteString() });
        var payload = new Payload
        {
            Header = new Header { ChannelHeader = ChannelHeaderBytes(txId, HeaderType.EndorserTransaction) },
            Data = transaction.ToByteString(),
        };
        return new Envelope { Payload = payload.ToByteString(), Signature = ByteString.CopyFromUtf8("creator-signature") }.ToByteString();
    }

    private static ByteString ChannelHeaderBytes(string txId, HeaderType type) =>
        new ChannelHeader
        {
            Type = (int)type,
            TxId = txId,
            ChannelId = "funds",
            Timestamp = Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 11, 23, 9, 0, 0, TimeSpan.Zero)),
        }.ToByteString();

    private (HashedRWSet Hashed, KVRWSet Plain) Collection(string ns, string collection)
    {
        if (!_collections.TryGetValue((ns, collection), out var sets))
        {
            sets = (new HashedRWSet(), new KVRWSet());
            _collections[(ns, collection)] = sets;
        }

        return sets;
    }

    private KVRWSet Set(string ns)
    {
        if (!_sets.TryGetValue(ns, out var set))
        {
            set = new KVRWSet();
            _sets.Add(ns, set);
        }

        return set;
    }

    private static KvVersion? Kv(Version? version) =>
        version is { } v ? new KvVersion { BlockNum = v.BlockNumber, TxNum = v.TxNumber } : null;
}
