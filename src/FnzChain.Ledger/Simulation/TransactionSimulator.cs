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

            rwset.NsRwset.Add(new NsReadWriteSet { Namespace = ns, Rwset = kv.ToByteString() });
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

    private static KvVersion? Kv(Version? version) =>
        version is { } v ? new KvVersion { BlockNum = v.BlockNumber, TxNum = v.TxNumber } : null;

    private sealed class NamespaceRecord
    {
        public Dictionary<string, Version?> Reads { get; } = new(StringComparer.Ordinal);

        public List<RangeQueryInfo> Ranges { get; } = [];

        public Dictionary<string, KVWrite> Writes { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, SortedDictionary<string, ByteString?>> Metadata { get; } = new(StringComparer.Ordinal);
    }
}
