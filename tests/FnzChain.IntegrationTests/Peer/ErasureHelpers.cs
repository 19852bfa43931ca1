using System.Text;

namespace FnzChain.IntegrationTests.Peer;

/// <summary>What the erasure tests share: the sample contract's personal-data transient map and reading the status table.</summary>
internal static class ErasureHelpers
{
    /// <summary>Transient data for the sample's RegisterInvestor / UpdateInvestor, carrying <paramref name="text"/> as the name.</summary>
    public static Dictionary<string, byte[]> Personal(string text) =>
        new() { ["personal"] = Encoding.UTF8.GetBytes($"{{\"name\":\"{text}\",\"taxId\":\"X\"}}") };

    /// <summary>The member, plaintext, hash, transient and erasing columns of <c>private status</c>'s row of <paramref name="mspId"/>.</summary>
    public static string[] Row(string output, string mspId) =>
        output.Split('\n').Single(l => l.Contains($" {mspId} ", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[2..7];
}
