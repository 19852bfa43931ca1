using System.Buffers.Binary;

namespace FnzChain.Ledger.Blocks;

/// <summary>
/// How a block sits in a segment file: an 8-byte header (little-endian u32 length of the serialized block, then
/// its u32 CRC-32C) followed by the serialized <c>common.Block</c>. The checksum lets recovery tell a torn last
/// write from a complete record, and <c>ledger verify</c> name a damaged block even when its bytes still parse.
/// </summary>
internal static class BlockRecord
{
    public const int HeaderLength = 8;

    public static void WriteHeader(Span<byte> destination, ReadOnlySpan<byte> block)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(destination, (uint)block.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], Crc32C.Compute(block));
    }

    public static (uint Length, uint Checksum) ReadHeader(ReadOnlySpan<byte> header) =>
        (BinaryPrimitives.ReadUInt32LittleEndian(header), BinaryPrimitives.ReadUInt32LittleEndian(header[4..]));
}
