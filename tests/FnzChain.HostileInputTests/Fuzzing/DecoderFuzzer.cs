using FnzChain.HostileInputTests.Wire;

namespace FnzChain.HostileInputTests.Fuzzing;

/// <summary>
/// A coverage-less mutational fuzzer: seeded, starting from valid inputs, each iteration mutates a corpus entry (or
/// splices two) and runs one decoder on it. Without coverage feedback it keeps, as a crude substitute, every input
/// whose verdict had not been seen before, so later mutations start from deeper layers of the format.
/// </summary>
internal sealed class DecoderFuzzer(string name, Random random)
{
    private const int MaxCorpus = 512;

    /// <summary>Iterations per decoder: <c>FNZCHAIN_FUZZ_ITERATIONS</c> for a long run by hand; a few seconds' worth by default.</summary>
    public static int Iterations => int.TryParse(Environment.GetEnvironmentVariable("FNZCHAIN_FUZZ_ITERATIONS"), out var n) && n > 0 ? n : 2_000;

    public string Name => name;

    public Dictionary<string, int> Verdicts { get; } = new(StringComparer.Ordinal);

    public List<string> Failures { get; } = [];

    /// <summary>
    /// Runs <paramref name="decode"/> on <paramref name="iterations"/> mutated inputs. It returns the verdict (a short
    /// category such as a validation code) and the reason; it must not throw, and every rejection must carry a reason.
    /// </summary>
    public void Run(IReadOnlyList<byte[]> seeds, int iterations, Func<byte[], (string Verdict, bool Accepted, string? Reason)> decode)
    {
        var corpus = new List<byte[]>(seeds);
        for (var i = 0; i < iterations && Failures.Count < 20; i++)
        {
            var input = random.Next(10) == 0 && corpus.Count > 1 ? Splice(corpus[random.Next(corpus.Count)], corpus[random.Next(corpus.Count)]) : Mutator.Mutate(corpus[random.Next(corpus.Count)], random);
            string verdict;
            try
            {
                var (category, accepted, reason) = decode(input);
                verdict = category;
                if (!accepted && string.IsNullOrWhiteSpace(reason))
                {
                    Failures.Add($"{name} iteration {i}: verdict {category} without a reason; input {Hex(input)}");
                }
            }
#pragma warning disable CA1031 // the point of a fuzzer: any exception is the finding
            catch (Exception e)
#pragma warning restore CA1031
            {
                verdict = $"threw {e.GetType().Name}";
                Failures.Add($"{name} iteration {i}: threw {e.GetType().Name}: {e.Message}\n  at {e.StackTrace?.Split('\n').FirstOrDefault()?.Trim()}\n  input {Hex(input)}");
            }

            if (Verdicts.TryGetValue(verdict, out var seen))
            {
                Verdicts[verdict] = seen + 1;
            }
            else
            {
                Verdicts[verdict] = 1;
                if (corpus.Count < MaxCorpus)
                {
                    corpus.Add(input);
                }
            }
        }
    }

    private byte[] Splice(byte[] a, byte[] b)
    {
        var cutA = random.Next(a.Length + 1);
        var cutB = random.Next(b.Length + 1);
        return [.. a.AsSpan(0, cutA), .. b.AsSpan(cutB)];
    }

    private static string Hex(byte[] input) => input.Length <= 256 ? Convert.ToHexString(input) : $"{Convert.ToHexString(input.AsSpan(0, 256))}… ({input.Length} bytes)";
}
