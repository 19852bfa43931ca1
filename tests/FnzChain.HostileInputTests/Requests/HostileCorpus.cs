using FnzChain.HostileInputTests.Wire;

namespace FnzChain.HostileInputTests.Requests;

/// <summary>The classes of hostile input every method gets.</summary>
internal enum InputClass
{
    Empty,
    Random,
    Truncated,
    Nested,
    Oversized,
    Unsigned,
    WronglySigned,
    Replayed,
    Mutated,
}

/// <summary>One case: its class, its index within the method's corpus (to find it again), and the bytes sent.</summary>
internal sealed record HostileCase(InputClass Class, int Index, byte[] Bytes, bool OverLimit = false)
{
    public override string ToString() => $"{Class} #{Index} ({Bytes.Length} bytes{(OverLimit ? ", over the receive limit" : string.Empty)})";
}

/// <summary>
/// Builds a method's corpus from a seed: the same seed gives the same cases (signatures aside, which ECDSA
/// randomises). <c>FNZCHAIN_HOSTILE_SCALE</c> multiplies the count of every class but Empty and Oversized.
/// </summary>
internal static class HostileCorpus
{
    private static readonly (InputClass Class, int Count)[] s_counts =
    [
        (InputClass.Empty, 2),
        (InputClass.Random, 40),
        (InputClass.Truncated, 30),
        (InputClass.Nested, 20),
        (InputClass.Oversized, 4),
        (InputClass.Unsigned, 10),
        (InputClass.WronglySigned, 20),
        (InputClass.Replayed, 10),
        (InputClass.Mutated, 64),
    ];

    public static double Scale => double.TryParse(Environment.GetEnvironmentVariable("FNZCHAIN_HOSTILE_SCALE"), System.Globalization.CultureInfo.InvariantCulture, out var scale) && scale > 0 ? scale : 1;

    public static List<HostileCase> Generate(HostileMethod method, Signing signing, Random random, int receiveLimit)
    {
        var valid = method.Build(signing.With(SignMode.Valid, random));
        var cases = new List<HostileCase>();
        foreach (var (kind, baseCount) in s_counts)
        {
            var count = kind is InputClass.Empty or InputClass.Oversized ? baseCount : Math.Max(1, (int)Math.Round(baseCount * Scale));
            var made = kind switch
            {
                InputClass.Empty => [new(kind, 0, []), new(kind, 1, [0x0A, 0x00])],
                InputClass.Random => Enumerable.Range(0, count).Select(i => new HostileCase(kind, i, RandomBytes(random))).ToList(),
                InputClass.Truncated => Enumerable.Range(0, count).Select(i => new HostileCase(kind, i, valid[..random.Next(1, valid.Length)])).ToList(),
                InputClass.Nested => Enumerable.Range(0, count).Select(i => new HostileCase(kind, i, Nested(random, i))).ToList(),
                InputClass.Oversized => Oversized(valid, random, receiveLimit),
                InputClass.Unsigned => Enumerable.Range(0, count).Select(i => new HostileCase(kind, i, method.Build(signing.With(SignMode.Unsigned, random)))).ToList(),
                InputClass.WronglySigned => Enumerable.Range(0, count)
                    .Select(i => new HostileCase(kind, i, method.Build(signing.With(i % 2 == 0 ? SignMode.OtherKey : SignMode.FlippedBit, random)))).ToList(),
                InputClass.Replayed => Enumerable.Range(0, count).Select(i => new HostileCase(kind, i, valid)).ToList(),
                _ => Enumerable.Range(0, count).Select(i => new HostileCase(kind, i, Mutator.Mutate(valid, random))).ToList(),
            };
            cases.AddRange(made);
        }

        return cases;
    }

    private static byte[] RandomBytes(Random random)
    {
        var length = random.Next(10) switch
        {
            < 2 => random.Next(1, 64),
            < 9 => random.Next(64, 4096),
            _ => random.Next(4096, 65536),
        };
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    /// <summary>Deep nesting: start-group tags (recursive groups) or length-delimited fields inside each other, up to tens of thousands deep.</summary>
    private static byte[] Nested(Random random, int index)
    {
        int[] depths = [64, 100, 101, 1_000, 10_000, 50_000];
        var depth = depths[index % depths.Length];
        var field = 1 + random.Next(5);
        if (index % 2 == 0)
        {
            var tag = WireFields.Varint(((ulong)field << 3) | 3);
            return Enumerable.Repeat(tag, depth).SelectMany(t => t).ToArray();
        }

        // Length-delimited fields inside each other: the lengths are computed inside-out, the bytes written outside-in.
        var tagBytes = WireFields.Varint(((ulong)field << 3) | 2);
        var lengths = new ulong[depth + 1];
        for (var level = 1; level <= depth; level++)
        {
            lengths[level] = (ulong)tagBytes.Length + (ulong)WireFields.Varint(lengths[level - 1]).Length + lengths[level - 1];
        }

        using var output = new MemoryStream((int)lengths[depth]);
        for (var level = depth; level >= 1; level--)
        {
            output.Write(tagBytes);
            WireFields.WriteVarint(output, lengths[level - 1]);
        }

        return output.ToArray();
    }

    /// <summary>Garbage well under, just under and just over the receive limit, and the valid request padded over it.</summary>
    private static List<HostileCase> Oversized(byte[] valid, Random random, int limit)
    {
        byte[] Garbage(int length)
        {
            var bytes = new byte[length];
            random.NextBytes(bytes);
            return bytes;
        }

        var padding = limit + 1024 - valid.Length;
        byte[] padded = [.. valid, .. WireFields.Varint((1000UL << 3) | 2), .. WireFields.Varint((ulong)padding), .. new byte[padding]];
        return
        [
            new(InputClass.Oversized, 0, Garbage(256 * 1024)),
            new(InputClass.Oversized, 1, Garbage(limit - 1024)),
            new(InputClass.Oversized, 2, Garbage(limit + 1024), OverLimit: true),
            new(InputClass.Oversized, 3, padded, OverLimit: true),
        ];
    }
}

/// <summary>Makes <see cref="RequestSigning"/>s with the suite's stranger key.</summary>
internal sealed class Signing(FnzChain.IntegrationTests.Signer stranger)
{
    public RequestSigning With(SignMode mode, Random random) => new(mode, stranger, random);
}
