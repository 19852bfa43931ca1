using System.Buffers.Binary;
using System.Numerics;

namespace FnzChain.Ledger.Blocks;

/// <summary>CRC-32C (Castagnoli), hardware-accelerated where the CPU has it, used to detect torn and damaged block records.</summary>
internal static class Crc32C
{
    public static uint Compute(ReadOnlySpan<byte> data)
    {
        var crc = uint.MaxValue;
        while (data.Length >= sizeof(ulong))
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[sizeof(ulong)..];
        }

        foreach (var b in data)
        {
            crc = BitOperations.Crc32C(crc, b);
        }

        return ~crc;
    }
}
