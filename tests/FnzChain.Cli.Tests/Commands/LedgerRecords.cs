using System.Buffers.Binary;

namespace FnzChain.Cli.Tests.Commands;

/// <summary>Finds block records in a segment file by walking the record headers (u32 length, u32 CRC-32C), independently of the ledger's index.</summary>
internal static class LedgerRecords
{
    /// <summary>(offset, length) of every record in a segment file, in order.</summary>
    public static List<(long Offset, int Length)> Walk(string segmentFile)
    {
        var bytes = File.ReadAllBytes(segmentFile);
        var records = new List<(long, int)>();
        for (var offset = 0; offset + 8 <= bytes.Length;)
        {
            var length = (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(offset));
            records.Add((offset, length));
            offset += 8 + length;
        }

        return records;
    }

    public static void FlipByte(string path, long offset)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        file.Position = offset;
        var b = file.ReadByte();
        file.Position = offset;
        file.WriteByte((byte)(b ^ 0x40));
    }
}
