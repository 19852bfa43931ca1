namespace FnzChain.HostileInputTests.Network;

/// <summary>The suite's seed: <c>FNZCHAIN_HOSTILE_SEED</c> when set (to reproduce a failure), otherwise a fresh one. Printed in every failure.</summary>
internal static class HostileSeed
{
    public static int Value { get; } = int.TryParse(Environment.GetEnvironmentVariable("FNZCHAIN_HOSTILE_SEED"), out var seed) ? seed : Random.Shared.Next();

    /// <summary>A generator for one named stream of cases: the same seed and name give the same sequence.</summary>
    public static Random For(string name)
    {
        var hash = 2166136261u; // FNV-1a: string.GetHashCode differs between runs
        foreach (var c in name)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return new Random(Value ^ (int)hash);
    }

    public static string Reproduce => $"seed {Value} (rerun with FNZCHAIN_HOSTILE_SEED={Value})";
}
