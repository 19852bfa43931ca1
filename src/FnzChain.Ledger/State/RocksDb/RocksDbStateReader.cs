using System.Buffers;
using System.Text;
using RocksDbSharp;

namespace FnzChain.Ledger.State.RocksDb;

/// <summary>
/// Reads of the <c>state</c> column family, either live or through a RocksDB snapshot. Shared by
/// <see cref="RocksDbStateDatabase"/> and <see cref="RocksDbStateSnapshot"/>. Keys are encoded into pooled
/// buffers and values decoded straight from RocksDB's pinned memory, so a point read allocates only its result.
/// </summary>
internal sealed class RocksDbStateReader
{
    private readonly RocksDbSharp.RocksDb _db;
    private readonly ColumnFamilyHandle _state;
    private readonly Snapshot? _snapshot;
    private readonly ReadOptions _pointReadOptions;

    public RocksDbStateReader(RocksDbSharp.RocksDb db, ColumnFamilyHandle state, Snapshot? snapshot)
    {
        _db = db;
        _state = state;
        _snapshot = snapshot;
        _pointReadOptions = new ReadOptions();
        if (snapshot is not null)
        {
            _pointReadOptions.SetSnapshot(snapshot);
        }
    }

    public VersionedValue? GetState(string ns, string key)
    {
        StateLimits.ValidateKey(ns, key);
        var buffer = ArrayPool<byte>.Shared.Rent(StateEncoding.MaxKeyLength(ns, key));
        try
        {
            return Get(ns, key, buffer);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public IReadOnlyList<VersionedValue?> GetStates(IReadOnlyList<StateKey> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        foreach (var k in keys)
        {
            StateLimits.ValidateKey(k.Namespace, k.Key);
        }

        var results = new VersionedValue?[keys.Count];
        var buffer = ArrayPool<byte>.Shared.Rent(256);
        try
        {
            for (var i = 0; i < results.Length; i++)
            {
                var k = keys[i];
                StateEncoding.EnsureCapacity(ref buffer, StateEncoding.MaxKeyLength(k.Namespace, k.Key));
                results[i] = Get(k.Namespace, k.Key, buffer);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return results;
    }

    public QueryPage GetStateRange(string ns, string startKey, string endKey, int pageSize, string? bookmark)
    {
        StateLimits.ValidateRangeBound(ns, startKey);
        StateLimits.ValidateRangeBound(ns, endKey);
        StateLimits.ValidatePageSize(pageSize);
        var from = string.IsNullOrEmpty(bookmark) ? startKey : RangeBookmark.Decode(bookmark, ns, startKey, endKey);

        var lower = new byte[StateEncoding.MaxKeyLength(ns, from)];
        var lowerLength = StateEncoding.EncodeKey(ns, from, lower);
        byte[] upper;
        if (endKey.Length == 0)
        {
            upper = StateEncoding.NamespaceEnd(ns);
        }
        else
        {
            upper = new byte[StateEncoding.MaxKeyLength(ns, endKey)];
            Array.Resize(ref upper, StateEncoding.EncodeKey(ns, endKey, upper));
        }

        // Bounds make RocksDB stop at the range end itself, without reading keys past it.
        var options = new ReadOptions().SetIterateUpperBound(upper);
        if (_snapshot is not null)
        {
            options.SetSnapshot(_snapshot);
        }

        var prefixLength = Encoding.UTF8.GetByteCount(ns) + 1;
        var results = new List<VersionedKeyValue>(Math.Min(pageSize, 256));
        using var iterator = _db.NewIterator(_state, options);
        iterator.Seek(lower.AsSpan(0, lowerLength));
        while (iterator.Valid() && results.Count < pageSize)
        {
            var key = Encoding.UTF8.GetString(iterator.GetKeySpan()[prefixLength..]);
            results.Add(new VersionedKeyValue(ns, key, StateEncoding.DecodeValue(iterator.GetValueSpan())));
            iterator.Next();
        }

        var next = iterator.Valid() ? RangeBookmark.Encode(iterator.GetKeySpan()[prefixLength..]) : string.Empty;
        return new QueryPage(results, next);
    }

    private VersionedValue? Get(string ns, string key, byte[] buffer)
    {
        var length = StateEncoding.EncodeKey(ns, key, buffer);
        return _db.Get(buffer.AsSpan(0, length), ValueDeserializer.Instance, _state, _pointReadOptions);
    }

    private sealed class ValueDeserializer : ISpanDeserializer<VersionedValue?>
    {
        public static readonly ValueDeserializer Instance = new();

        public VersionedValue? Deserialize(ReadOnlySpan<byte> buffer) => StateEncoding.DecodeValue(buffer);
    }
}
