using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace FnzChain.Ledger.State.RocksDb;

/// <summary>
/// Byte layout of the <c>state</c> column family.
/// Key: UTF-8 namespace, 0x00, UTF-8 key. The namespace cannot contain 0x00, so the first 0x00 ends it and
/// every key of a namespace sorts contiguously, in key byte order, even when keys contain 0x00 (composite
/// keys); the end of namespace N is N‖0x01.
/// Value: varint block, varint tx, flags byte (bit 0: has metadata), [varint metadata length, metadata], value.
/// </summary>
internal static class StateEncoding
{
    private const byte HasMetadata = 0x01;

    public static int MaxKeyLength(string ns, string key) => Encoding.UTF8.GetMaxByteCount(ns.Length + key.Length) + 1;

    /// <summary>Encodes namespace‖0x00‖key into <paramref name="destination"/>. Callers validate first.</summary>
    public static int EncodeKey(string ns, string key, Span<byte> destination)
    {
        var n = Encoding.UTF8.GetBytes(ns, destination);
        destination[n++] = 0;
        return n + Encoding.UTF8.GetBytes(key, destination[n..]);
    }

    /// <summary>The exclusive upper bound of every key in a namespace.</summary>
    public static byte[] NamespaceEnd(string ns)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(ns) + 1];
        var n = Encoding.UTF8.GetBytes(ns, bytes);
        bytes[n] = 1;
        return bytes;
    }

    public static int MaxValueLength(in StateWrite write) => (2 * Varint.MaxLength) + 1 + Varint.MaxLength + write.Metadata.Length + write.Value.Length;

    public static int EncodeValue(in StateWrite write, Span<byte> destination)
    {
        var n = Varint.Write(destination, write.Version.BlockNumber);
        n += Varint.Write(destination[n..], write.Version.TxNumber);
        if (write.Metadata.IsEmpty)
        {
            destination[n++] = 0;
        }
        else
        {
            destination[n++] = HasMetadata;
            n += Varint.Write(destination[n..], (ulong)write.Metadata.Length);
            write.Metadata.Span.CopyTo(destination[n..]);
            n += write.Metadata.Length;
        }

        write.Value.Span.CopyTo(destination[n..]);
        return n + write.Value.Length;
    }

    public static VersionedValue DecodeValue(ReadOnlySpan<byte> stored)
    {
        var offset = 0;
        var block = Varint.Read(stored, ref offset);
        var tx = Varint.Read(stored, ref offset);
        if (offset >= stored.Length)
        {
            throw new InvalidDataException("truncated state value header");
        }

        var flags = stored[offset++];
        byte[] metadata = [];
        if ((flags & HasMetadata) != 0)
        {
            var length = (int)Varint.Read(stored, ref offset);
            metadata = stored.Slice(offset, length).ToArray();
            offset += length;
        }

        return new VersionedValue(stored[offset..].ToArray(), new Version(block, tx), metadata);
    }

    public static void EncodeSavepoint(Version savepoint, Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, savepoint.BlockNumber);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], savepoint.TxNumber);
    }

    public static Version DecodeSavepoint(ReadOnlySpan<byte> stored)
    {
        if (stored.Length != 16)
        {
            throw new InvalidDataException($"savepoint record has {stored.Length} bytes, expected 16");
        }

        return new Version(BinaryPrimitives.ReadUInt64BigEndian(stored), BinaryPrimitives.ReadUInt64BigEndian(stored[8..]));
    }

    /// <summary>Grows a pooled buffer to at least <paramref name="size"/> bytes.</summary>
    public static void EnsureCapacity(ref byte[] buffer, int size)
    {
        if (buffer.Length >= size)
        {
            return;
        }

        ArrayPool<byte>.Shared.Return(buffer);
        buffer = ArrayPool<byte>.Shared.Rent(size);
    }
}
