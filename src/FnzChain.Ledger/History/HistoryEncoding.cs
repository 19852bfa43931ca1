using System.Buffers.Binary;
using System.Text;
using FnzChain.Ledger.State;
using Version = FnzChain.Ledger.State.Version;
using FnzChain.Ledger.State.RocksDb;

namespace FnzChain.Ledger.History;

/// <summary>
/// Byte layout of the <c>history</c> column family.
/// Key: UTF-8 namespace, 0x00, varint key length, UTF-8 key, block number (8 bytes big-endian), tx number
/// (8 bytes big-endian). The length prefix makes the prefix of one key's entries unique: without it the
/// history of "a" would pick up entries of "ab" (and composite keys containing 0x00 rule out a terminator).
/// Big-endian numbers sort entries oldest first, so reading newest first iterates backwards.
/// Value: flags byte (bit 0: delete), timestamp (UTC ticks, 8 bytes big-endian), varint tx id length,
/// UTF-8 tx id, value bytes (empty for a delete).
/// </summary>
internal static class HistoryEncoding
{
    public const int HeightLength = 16;
    private const byte IsDeleteFlag = 0x01;

    public static int MaxKeyPrefixLength(string ns, string key) => Encoding.UTF8.GetMaxByteCount(ns.Length + key.Length) + 1 + Varint.MaxLength;

    public static int MaxKeyLength(string ns, string key) => MaxKeyPrefixLength(ns, key) + HeightLength;

    public static int EncodeKeyPrefix(string ns, string key, Span<byte> destination)
    {
        var n = Encoding.UTF8.GetBytes(ns, destination);
        destination[n++] = 0;
        n += Varint.Write(destination[n..], (ulong)Encoding.UTF8.GetByteCount(key));
        return n + Encoding.UTF8.GetBytes(key, destination[n..]);
    }

    public static int EncodeKey(in StateWrite write, Span<byte> destination)
    {
        var n = EncodeKeyPrefix(write.Namespace, write.Key, destination);
        BinaryPrimitives.WriteUInt64BigEndian(destination[n..], write.Version.BlockNumber);
        BinaryPrimitives.WriteUInt64BigEndian(destination[(n + 8)..], write.Version.TxNumber);
        return n + HeightLength;
    }

    public static int MaxValueLength(in StateWrite write) => 1 + 8 + Varint.MaxLength + Encoding.UTF8.GetMaxByteCount(write.Tx.TxId.Length) + write.Value.Length;

    public static int EncodeValue(in StateWrite write, Span<byte> destination)
    {
        destination[0] = write.IsDelete ? IsDeleteFlag : (byte)0;
        BinaryPrimitives.WriteInt64BigEndian(destination[1..], write.Tx.Timestamp.UtcTicks);
        var n = 9;
        n += Varint.Write(destination[n..], (ulong)Encoding.UTF8.GetByteCount(write.Tx.TxId));
        n += Encoding.UTF8.GetBytes(write.Tx.TxId, destination[n..]);
        if (!write.IsDelete)
        {
            write.Value.Span.CopyTo(destination[n..]);
            n += write.Value.Length;
        }

        return n;
    }

    public static KeyModification Decode(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        var height = key[^HeightLength..];
        var version = new Version(BinaryPrimitives.ReadUInt64BigEndian(height), BinaryPrimitives.ReadUInt64BigEndian(height[8..]));
        if (value.Length < 10)
        {
            throw new InvalidDataException($"truncated history record at {version}");
        }

        var isDelete = (value[0] & IsDeleteFlag) != 0;
        var timestamp = new DateTimeOffset(BinaryPrimitives.ReadInt64BigEndian(value[1..]), TimeSpan.Zero);
        var offset = 9;
        var txIdLength = (int)Varint.Read(value, ref offset);
        var txId = Encoding.UTF8.GetString(value.Slice(offset, txIdLength));
        offset += txIdLength;
        return new KeyModification(txId, timestamp, isDelete, value[offset..].ToArray(), version);
    }
}
