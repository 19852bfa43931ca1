namespace FnzChain.HostileInputTests.Wire;

/// <summary>One top-level field of a protobuf message as it is on the wire: its tag and its value bytes.</summary>
internal readonly record struct WireField(int Number, int WireType, byte[] Value)
{
    public byte[] Encode()
    {
        using var output = new MemoryStream();
        WireFields.WriteVarint(output, ((ulong)Number << 3) | (uint)WireType);
        if (WireType == 2)
        {
            WireFields.WriteVarint(output, (ulong)Value.Length);
        }

        output.Write(Value);
        return output.ToArray();
    }
}

/// <summary>Splits protobuf bytes into top-level fields and joins them again, so a mutator can swap, drop and rewrite fields.</summary>
internal static class WireFields
{
    /// <summary>The fields of <paramref name="bytes"/>, or null when they are not a well-formed message (groups count as not).</summary>
    public static List<WireField>? TryParse(ReadOnlySpan<byte> bytes)
    {
        var fields = new List<WireField>();
        var at = 0;
        while (at < bytes.Length)
        {
            if (!TryReadVarint(bytes, ref at, out var tag) || tag >> 3 is 0 or > int.MaxValue)
            {
                return null;
            }

            var (number, type) = ((int)(tag >> 3), (int)(tag & 7));
            int length;
            switch (type)
            {
                case 0:
                    var start = at;
                    if (!TryReadVarint(bytes, ref at, out _))
                    {
                        return null;
                    }

                    fields.Add(new WireField(number, type, bytes[start..at].ToArray()));
                    continue;
                case 1:
                    length = 8;
                    break;
                case 5:
                    length = 4;
                    break;
                case 2:
                    if (!TryReadVarint(bytes, ref at, out var declared) || declared > (ulong)(bytes.Length - at))
                    {
                        return null;
                    }

                    length = (int)declared;
                    break;
                default:
                    return null;
            }

            if (length > bytes.Length - at)
            {
                return null;
            }

            fields.Add(new WireField(number, type, bytes.Slice(at, length).ToArray()));
            at += length;
        }

        return fields;
    }

    public static byte[] Join(IEnumerable<WireField> fields) => fields.SelectMany(f => f.Encode()).ToArray();

    public static void WriteVarint(Stream output, ulong value)
    {
        while (value >= 0x80)
        {
            output.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }

        output.WriteByte((byte)value);
    }

    public static byte[] Varint(ulong value)
    {
        using var output = new MemoryStream();
        WriteVarint(output, value);
        return output.ToArray();
    }

    private static bool TryReadVarint(ReadOnlySpan<byte> bytes, ref int at, out ulong value)
    {
        value = 0;
        for (var shift = 0; shift < 64 && at < bytes.Length; shift += 7)
        {
            var b = bytes[at++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return true;
            }
        }

        return false;
    }
}
