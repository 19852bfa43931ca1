using System.Diagnostics;
using FnzChain.Cli.Network;
using FnzChain.Ledger.Verification;

namespace FnzChain.Cli.Commands;

/// <summary>
/// What the network demos share: a local network in a temporary (or kept) folder, the demo's business, then every
/// node stopped and every peer's ledger verified, with numbered sections and the closing <c>demo: done</c> line.
/// </summary>
internal static class DemoRunner
{
    /// <param name="force">With <paramref name="keepFolder"/>: erase a stopped network a previous run left there (<c>--force</c>).</param>
    /// <param name="title">The first line's description, e.g. "a fund transfer agency network".</param>
    /// <param name="starting">Section 1's heading.</param>
    /// <param name="stoppingSection">The number of the closing "Stopping the network" section.</param>
    /// <param name="business">The demo's business, given the running network and the folder it lives in.</param>
    public static async Task<int> RunAsync(
        TextWriter output,
        string? keepFolder,
        bool force,
        string title,
        string starting,
        int stoppingSection,
        NetworkLayout? layout,
        Func<ConnectionInfo, string, Task> business,
        CancellationToken cancellationToken)
    {
        var folder = keepFolder is null ? Directory.CreateTempSubdirectory("fnzchain-demo-").FullName : Path.GetFullPath(keepFolder);
        var stopwatch = Stopwatch.StartNew();
        output.WriteLine($"FnzChain demo: {title} on this machine (folder {folder})");
        output.WriteLine();
        output.WriteLine($"1. {starting}");
        ConnectionInfo? info = null;
        try
        {
            info = await LocalNetwork.UpAsync(folder, output, cancellationToken, layout, uncompressed: true, force: force).ConfigureAwait(false);
            await business(info, folder).ConfigureAwait(false);
        }
        finally
        {
            if (info is not null)
            {
                output.WriteLine();
                output.WriteLine($"{stoppingSection}. Stopping the network");
                await LocalNetwork.DownAsync(folder).ConfigureAwait(false);
                output.WriteLine("  orderer and peers stopped");
                foreach (var organization in info.Organizations)
                {
                    var report = LedgerVerifier.Verify(Path.Combine(LocalNetwork.PeerDataFolder(folder, organization.Domain), "channels", LocalNetwork.Channel));
                    output.WriteLine(report.IsIntact
                        ? $"  ledger verify ({organization.Name} peer): ok, {report.Blocks} blocks, {report.Transactions} transactions ({report.ValidTransactions} valid)"
                        : $"  ledger verify ({organization.Name} peer): block {report.BadBlock} is bad: {report.Problem}");
                }
            }

            if (keepFolder is null)
            {
                Directory.Delete(folder, recursive: true);
            }
        }

        output.WriteLine();
        output.WriteLine($"demo: done in {stopwatch.Elapsed.TotalSeconds:F1} s");
        return 0;
    }
}
