using System.Buffers;
using System.Text;
using FnzChain.Ledger.Encryption;
using FnzChain.Ledger.Storage;
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
    private readonly AtRestCipher? _cipher;

    public RocksDbStateReader(RocksDbSharp.RocksDb db, ColumnFamilyHandle state, Snapshot? snapshot, AtRestCipher? cipher)
    {
        _db = db;
        _state = state;
        _snapshot = snapshot;
        _cipher = cipher;
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
        var plaintext = _cipher is null ? null : ArrayPool<byte>.Shared.Rent(256);
        try
        {
            while (iterator.Valid() && results.Count < pageSize)
            {
                var stored = iterator.GetKeySpan();
                var key = Encoding.UTF8.GetString(stored[prefixLength..]);
                var value = _cipher is null ? iterator.GetValueSpan() : ChannelDatabase.Decrypt(_cipher, AtRestDomain.State, stored, iterator.GetValueSpan(), ref plaintext!);
                results.Add(new VersionedKeyValue(ns, key, StateEncoding.DecodeValue(value)));
                iterator.Next();
            }
        }
        finally
        {
            if (plaintext is not null)
            {
                ArrayPool<byte>.Shared.Return(plaintext);
            }
        }

        var next = iterator.Valid() ? RangeBookmark.Encode(iterator.GetKeySpan()[prefixLength..]) : string.Empty;
        return new QueryPage(results, next);
    }

    private VersionedValue? Get(string ns, string key, byte[] buffer)
    {
        var length = StateEncoding.EncodeKey(ns, key, buffer);
        return _cipher is null
            ? _db.Get(buffer.AsSpan(0, length), ValueDeserializer.Instance, _state, _pointReadOptions)
            : _db.Get(buffer.AsSpan(0, length), new DecryptingDeserializer(_cipher, buffer, length), _state, _pointReadOptions);
    }

    /// <summary>Decrypts the pinned value (its key is the associated data) into a pooled buffer and decodes it from there.</summary>
    private sealed class DecryptingDeserializer(AtRestCipher cipher, byte[] key, int keyLength) : ISpanDeserializer<VersionedValue?>
    {
        public VersionedValue? Deserialize(ReadOnlySpan<byte> buffer)
        {
            var plaintext = ArrayPool<byte>.Shared.Rent(Math.Max(1, buffer.Length));
            try
            {
                return StateEncoding.DecodeValue(ChannelDatabase.Decrypt(cipher, AtRestDomain.State, key.AsSpan(0, keyLength), buffer, ref plaintext));
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(plaintext);
            }
        }
    }

    private sealed class ValueDeserializer : ISpanDeserializer<VersionedValue?>
    {
        public static readonly ValueDeserializer Instance = new();

        public VersionedValue? Deserialize(ReadOnlySpan<byte> buffer) => StateEncoding.DecodeValue(buffer);
    }
}
