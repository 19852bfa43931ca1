using System.Runtime.CompilerServices;
using FnzChain.Ledger.State;
using FnzChain.Ledger.Validation;
using FnzChain.Protos.Ledger.Rwset;
using FnzChain.Protos.Ledger.Rwset.Kvrwset;
using Google.Protobuf;
using KvVersion = FnzChain.Protos.Ledger.Rwset.Kvrwset.Version;
using Version = FnzChain.Ledger.State.Version;

namespace FnzChain.Ledger.Simulation;

/// <summary>
/// Runs one transaction's reads and writes against a consistent snapshot of the state and records them as
/// Fabric's read/write set: what an endorser signs and what <see cref="MvccValidator"/> re-checks at commit.
/// </summary>
/// <remarks>
/// Semantics are Fabric's: reads see committed state only (not this transaction's own writes); the first read of
/// a key records its version (none when absent); a range read records every key and version it returned and
/// whether the iterator reached the end; the last write of a key wins. <see cref="Build"/> sorts namespaces and
/// keys (UTF-8 byte order) so every endorser produces the same bytes for the same execution. Not thread-safe:
/// one per transaction.
/// </remarks>
public sealed class TransactionSimulator(IStateReader snapshot)
{
    private const int RangePageSize = 1000;

    private readonly SortedDictionary<string, NamespaceRecord> _namespaces = new(StringComparer.Ordinal);

    /// <summary>Reads a key's committed value (null when absent) and records the read.</summary>
    public async ValueTask<VersionedValue?> GetStateAsync(string ns, string key, CancellationToken cancellationToken = default)
    {
        StateLimits.ValidateKey(ns, key);
        var value = await snapshot.GetStateAsync(ns, key, cancellationToken).ConfigureAwait(false);
        Record(ns).Reads.TryAdd(key, value?.Version);
        return value;
    }

    /// <summary>
    /// Iterates [<paramref name="startKey"/>, <paramref name="endKey"/>) (empty = open) in key order, recording every
    /// key returned; stopping early records an unexhausted iterator, re-checked at commit up to its last key.
    /// </summary>
    public async IAsyncEnumerable<VersionedKeyValue> GetStateRangeAsync(string ns, string startKey, string endKey, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        StateLimits.ValidateRangeBound(ns, startKey);
        StateLimits.ValidateRangeBound(ns, endKey);
        var info = new RangeQueryInfo { StartKey = startKey, EndKey = endKey, RawReads = new QueryReads() };
        Record(ns).Ranges.Add(info);
        string? bookmark = null;
        do
        {
            var page = await snapshot.GetStateRangeAsync(ns, startKey, endKey, RangePageSize, bookmark, cancellationToken).ConfigureAwait(false);
            foreach (var result in page.Results)
            {
                info.RawReads.KvReads.Add(new KVRead { Key = result.Key, Version = Kv(result.Value.Version) });
                yield return result;
            }

            bookmark = page.Bookmark;
        }
        while (bookmark.Length > 0);

        info.ItrExhausted = true;
    }

    /// <summary>
    /// One page of a range (chaincode pagination). Records the page's keys; the range is exhausted only when no
    /// page follows. A page after the first starts its recorded range at its first key.
    /// </summary>
    public async ValueTask<QueryPage> GetStateRangePageAsync(string ns, string startKey, string endKey, int pageSize, string? bookmark, CancellationToken cancellationToken = default)
    {
        StateLimits.ValidateRangeBound(ns, startKey);
        StateLimits.ValidateRangeBound(ns, endKey);
        var page = await snapshot.GetStateRangeAsync(ns, startKey, endKey, pageSize, bookmark, cancellationToken).ConfigureAwait(false);
        var info = new RangeQueryInfo
        {
            StartKey = string.IsNullOrEmpty(bookmark) || page.Results.Count == 0 ? startKey : page.Results[0].Key,
            EndKey = endKey,
            ItrExhausted = !page.HasMore,
            RawReads = new QueryReads(),
        };
        info.RawReads.KvReads.AddRange(page.Results.Select(r => new KVRead { Key = r.Key, Version = Kv(r.Value.Version) }));
        Record(ns).Ranges.Add(info);
        return page;
    }

    public void PutState(string ns, string key, ReadOnlyMemory<byte> value)
    {
        StateLimits.ValidateKey(ns, key);
        StateLimits.ValidateValue(ns, key, value.Length);
        Record(ns).Writes[key] = new KVWrite { Key = key, Value = ByteString.CopyFrom(value.Span) };
    }

    public void DeleteState(string ns, string key)
    {
        StateLimits.ValidateKey(ns, key);
        Record(ns).Writes[key] = new KVWrite { Key = key, IsDelete = true };
    }

    /// <summary>
    /// Sets a metadata entry of a key (e.g. <c>VALIDATION_PARAMETER</c>, a key-level endorsement policy); null
    /// leaves it out. As in Fabric, a metadata write replaces the key's metadata at commit with exactly the entries
    /// this transaction set.
    /// </summary>
    public void SetStateMetadata(string ns, string key, string name, ReadOnlyMemory<byte>? value)
    {
        StateLimits.ValidateKey(ns, key);
        ArgumentException.ThrowIfNullOrEmpty(name);
        var entries = Record(ns).Metadata.TryGetValue(key, out var existing) ? existing : Record(ns).Metadata[key] = new SortedDictionary<string, ByteString?>(StringComparer.Ordinal);
        entries[name] = value is { } v ? ByteString.CopyFrom(v.Span) : null;
    }

    /// <summary>Reads a private key's plaintext (member peers hold it; null when absent here) and records a hashed read.</summary>
    public async ValueTask<VersionedValue?> GetPrivateDataAsync(string ns, string collection, string key, CancellationToken cancellationToken = default)
    {
        var privateNs = PrivateNamespaces.Private(ns, collection);
        StateLimits.ValidateKey(privateNs, key);
        var value = await snapshot.GetStateAsync(privateNs, key, cancellationToken).ConfigureAwait(false);
        var hashed = value is null ? await snapshot.GetStateAsync(PrivateNamespaces.Hashed(ns, collection), PrivateNamespaces.HashKey(PrivateNamespaces.HashOf(key)), cancellationToken).ConfigureAwait(false) : null;
        Collection(ns, collection).Reads.TryAdd(key, value?.Version ?? hashed?.Version);
        return value;
    }

    /// <summary>SHA-256 of a private key's committed value from the hashed state every peer holds (null when absent); records a hashed read.</summary>
    public async ValueTask<VersionedValue?> GetPrivateDataHashAsync(string ns, string collection, string key, CancellationToken cancellationToken = default)
    {
        StateLimits.ValidateKey(PrivateNamespaces.Private(ns, collection), key);
        var hashed = await snapshot.GetStateAsync(PrivateNamespaces.Hashed(ns, collection), PrivateNamespaces.HashKey(PrivateNamespaces.HashOf(key)), cancellationToken).ConfigureAwait(false);
        Collection(ns, collection).Reads.TryAdd(key, hashed?.Version);
        return hashed;
    }

    /// <summary>Private keys of a collection in [start, end) with their plaintext (member peers); each returned key is recorded as a hashed read.</summary>
    public async IAsyncEnumerable<VersionedKeyValue> GetPrivateDataRangeAsync(string ns, string collection, string startKey, string endKey, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var privateNs = PrivateNamespaces.Private(ns, collection);
        StateLimits.ValidateRangeBound(privateNs, startKey);
        StateLimits.ValidateRangeBound(privateNs, endKey);
        var record = Collection(ns, collection);
        string? bookmark = null;
        do
        {
            var page = await snapshot.GetStateRangeAsync(privateNs, startKey, endKey, RangePageSize, bookmark, cancellationToken).ConfigureAwait(false);
            foreach (var result in page.Results)
            {
                record.Reads.TryAdd(result.Key, result.Value.Version);
                yield return result;
            }

            bookmark = page.Bookmark;
        }
        while (bookmark.Length > 0);
    }

    public void PutPrivateData(string ns, string collection, string key, ReadOnlyMemory<byte> value)
    {
        StateLimits.ValidateKey(PrivateNamespaces.Private(ns, collection), key);
        StateLimits.ValidateValue(PrivateNamespaces.Private(ns, collection), key, value.Length);
        Collection(ns, collection).Writes[key] = new PrivateWrite(false, false, value.ToArray());
    }

    public void DeletePrivateData(string ns, string collection, string key)
    {
        StateLimits.ValidateKey(PrivateNamespaces.Private(ns, collection), key);
        Collection(ns, collection).Writes[key] = new PrivateWrite(true, false, []);
    }

    /// <summary>Fabric 2.5's PurgePrivateData: delete the key and erase every version of it from member peers at commit.</summary>
    public void PurgePrivateData(string ns, string collection, string key)
    {
        StateLimits.ValidateKey(PrivateNamespaces.Private(ns, collection), key);
        Collection(ns, collection).Writes[key] = new PrivateWrite(true, true, []);
    }

    /// <summary>True when the transaction wrote, deleted or purged private data (it then has a private write set).</summary>
    public bool HasPrivateWrites => _namespaces.Values.Any(n => n.Collections.Values.Any(c => c.Writes.Count > 0));

    /// <summary>
    /// The plaintext private write sets (collections with writes), deterministic like <see cref="Build"/>: what
    /// member peers store at commit and what must never reach a block, a response payload or a log.
    /// </summary>
    public TxPvtReadWriteSet BuildPrivate()
    {
        var result = new TxPvtReadWriteSet { DataModel = TxReadWriteSet.Types.DataModel.Kv };
        foreach (var (ns, record) in _namespaces)
        {
            var nsPvt = new NsPvtReadWriteSet { Namespace = ns };
            foreach (var (name, collection) in record.Collections.Where(c => c.Value.Writes.Count > 0))
            {
                nsPvt.CollectionPvtRwset.Add(new CollectionPvtReadWriteSet { CollectionName = name, Rwset = PlaintextWrites(collection).ToByteString() });
            }

            if (nsPvt.CollectionPvtRwset.Count > 0)
            {
                result.NsPvtRwset.Add(nsPvt);
            }
        }

        return result;
    }

    private static KVRWSet PlaintextWrites(CollectionRecord collection)
    {
        var kv = new KVRWSet();
        kv.Writes.AddRange(collection.Writes
            .Where(w => !w.Value.IsPurge)
            .OrderBy(w => w.Key, Utf8Order.Instance)
            .Select(w => new KVWrite { Key = w.Key, IsDelete = w.Value.IsDelete, Value = w.Value.IsDelete ? ByteString.Empty : ByteString.CopyFrom(w.Value.Value) }));
        return kv;
    }

    private static IEnumerable<CollectionHashedReadWriteSet> Hashed(NamespaceRecord record) =>
        record.Collections.Select(c =>
        {
            var hashed = new HashedRWSet();
            hashed.HashedReads.AddRange(c.Value.Reads
                .Select(r => (Hash: PrivateNamespaces.HashOf(r.Key), r.Value))
                .OrderBy(r => Convert.ToHexStringLower(r.Hash), StringComparer.Ordinal)
                .Select(r => new KVReadHash { KeyHash = ByteString.CopyFrom(r.Hash), Version = Kv(r.Value) }));
            hashed.HashedWrites.AddRange(c.Value.Writes
                .Select(w => (Hash: PrivateNamespaces.HashOf(w.Key), w.Value))
                .OrderBy(w => Convert.ToHexStringLower(w.Hash), StringComparer.Ordinal)
                .Select(w => new KVWriteHash
                {
                    KeyHash = ByteString.CopyFrom(w.Hash),
                    IsDelete = w.Value.IsDelete,
                    IsPurge = w.Value.IsPurge,
                    ValueHash = w.Value.IsDelete ? ByteString.Empty : ByteString.CopyFrom(System.Security.Cryptography.SHA256.HashData(w.Value.Value)),
                }));
            var collectionSet = new CollectionHashedReadWriteSet { CollectionName = c.Key, HashedRwset = hashed.ToByteString() };
            if (c.Value.Writes.Count > 0)
            {
                collectionSet.PvtRwsetHash = ByteString.CopyFrom(System.Security.Cryptography.SHA256.HashData(PlaintextWrites(c.Value).ToByteArray()));
            }

            return collectionSet;
        });

    /// <summary>The transaction's read/write set, deterministic for a given execution.</summary>
    public TxReadWriteSet Build()
    {
        var rwset = new TxReadWriteSet { DataModel = TxReadWriteSet.Types.DataModel.Kv };
        foreach (var (ns, record) in _namespaces)
        {
            var kv = new KVRWSet();
            kv.Reads.AddRange(record.Reads.OrderBy(r => r.Key, Utf8Order.Instance).Select(r => new KVRead { Key = r.Key, Version = Kv(r.Value) }));
            kv.RangeQueriesInfo.AddRange(record.Ranges);
            kv.Writes.AddRange(record.Writes.OrderBy(w => w.Key, Utf8Order.Instance).Select(w => w.Value));
            foreach (var (key, entries) in record.Metadata.OrderBy(m => m.Key, Utf8Order.Instance))
            {
                var write = new KVMetadataWrite { Key = key };
                write.Entries.AddRange(entries.Where(e => e.Value is not null).Select(e => new KVMetadataEntry { Name = e.Key, Value = e.Value }));
                kv.MetadataWrites.Add(write);
            }

            var entry = new NsReadWriteSet { Namespace = ns, Rwset = kv.ToByteString() };
            entry.CollectionHashedRwset.AddRange(Hashed(record));
            rwset.NsRwset.Add(entry);
        }

        return rwset;
    }

    private NamespaceRecord Record(string ns)
    {
        if (!_namespaces.TryGetValue(ns, out var record))
        {
            record = new NamespaceRecord();
            _namespaces.Add(ns, record);
        }

        return record;
    }

    private CollectionRecord Collection(string ns, string collection)
    {
        if (PrivateNamespaces.CollectionNameProblem(collection) is { } problem)
        {
            throw new ArgumentException(problem, nameof(collection));
        }

        var record = Record(ns);
        if (!record.Collections.TryGetValue(collection, out var found))
        {
            found = new CollectionRecord();
            record.Collections.Add(collection, found);
        }

        return found;
    }

    private static KvVersion? Kv(Version? version) =>
        version is { } v ? new KvVersion { BlockNum = v.BlockNumber, TxNum = v.TxNumber } : null;

    private sealed class NamespaceRecord
    {
        public Dictionary<string, Version?> Reads { get; } = new(StringComparer.Ordinal);

        public List<RangeQueryInfo> Ranges { get; } = [];

        public Dictionary<string, KVWrite> Writes { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, SortedDictionary<string, ByteString?>> Metadata { get; } = new(StringComparer.Ordinal);

        public SortedDictionary<string, CollectionRecord> Collections { get; } = new(StringComparer.Ordinal);
    }

    private sealed class CollectionRecord
    {
        public Dictionary<string, Version?> Reads { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, PrivateWrite> Writes { get; } = new(StringComparer.Ordinal);
    }

    private sealed record PrivateWrite(bool IsDelete, bool IsPurge, byte[] Value);
}
