namespace FnzChain.HostileInputTests.Wire;

/// <summary>
/// Seeded, structure-aware mutations of a valid protobuf message: bit flips anywhere, and at any depth of nested
/// messages field swaps, drops, duplicates, extreme varints, wrong lengths and value exchanges between fields.
/// </summary>
internal static class Mutator
{
    public static byte[] Mutate(byte[] valid, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var rounds = 1 + random.Next(3);
        var bytes = valid;
        for (var i = 0; i < rounds; i++)
        {
            bytes = random.Next(3) == 0 ? FlipBits(bytes, random) : MutateStructure(bytes, random, depth: 0);
        }

        return bytes;
    }

    public static byte[] FlipBits(byte[] bytes, Random random)
    {
        var copy = (byte[])bytes.Clone();
        if (copy.Length == 0)
        {
            return [(byte)random.Next(256)];
        }

        var flips = 1 + random.Next(8);
        for (var i = 0; i < flips; i++)
        {
            copy[random.Next(copy.Length)] ^= (byte)(1 << random.Next(8));
        }

        return copy;
    }

    private static byte[] MutateStructure(byte[] bytes, Random random, int depth)
    {
        var fields = WireFields.TryParse(bytes);
        if (fields is null || fields.Count == 0)
        {
            return FlipBits(bytes, random);
        }

        var i = random.Next(fields.Count);
        var field = fields[i];
        switch (random.Next(8))
        {
            case 0 when fields.Count > 1: // swap positions
                var j = random.Next(fields.Count);
                (fields[i], fields[j]) = (fields[j], fields[i]);
                break;
            case 1: // drop
                fields.RemoveAt(i);
                break;
            case 2: // duplicate (last one wins for scalars, repeated for lists)
                fields.Insert(random.Next(fields.Count + 1), field);
                break;
            case 3 when field.WireType == 0: // extreme varint
                fields[i] = field with { Value = WireFields.Varint(random.Next(2) == 0 ? ulong.MaxValue : 0) };
                break;
            case 4 when field.WireType == 2: // length that lies: re-encode by hand with a different declared length
                var prefix = WireFields.Varint(((ulong)field.Number << 3) | 2);
                var declared = WireFields.Varint(random.Next(2) == 0 ? (ulong)field.Value.Length + 1 + (ulong)random.Next(1000) : (ulong)int.MaxValue);
                var others = WireFields.Join(fields.Where((_, k) => k != i));
                return [.. prefix, .. declared, .. field.Value, .. others];
            case 5 when fields.Count > 1: // exchange values between two fields of the same wire type
                var k = random.Next(fields.Count);
                if (fields[k].WireType == field.WireType)
                {
                    (fields[i], fields[k]) = (field with { Value = fields[k].Value }, fields[k] with { Value = field.Value });
                }

                break;
            case 6: // change the field number
                fields[i] = field with { Number = 1 + random.Next(20) };
                break;
            default: // descend into a nested message, or flip bits of this value
                if (field.WireType == 2 && depth < 8 && WireFields.TryParse(field.Value) is { Count: > 0 })
                {
                    fields[i] = field with { Value = MutateStructure(field.Value, random, depth + 1) };
                }
                else
                {
                    fields[i] = field with { Value = FlipBits(field.Value, random) };
                }

                break;
        }

        return WireFields.Join(fields);
    }
}
