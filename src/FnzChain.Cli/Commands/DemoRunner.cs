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
        NetworkShape ordering,
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
            info = await LocalNetwork.UpAsync(folder, output, cancellationToken, layout, uncompressed: true, force: force, ordering: ordering).ConfigureAwait(false);
            await business(info, folder).ConfigureAwait(false);
        }
        finally
        {
            if (info is not null)
            {
                output.WriteLine();
                output.WriteLine($"{stoppingSection}. Stopping the network");
                await LocalNetwork.DownAsync(folder).ConfigureAwait(false);
                output.WriteLine(info.Orderers.Count > 1 ? $"  {info.Orderers.Count} orderers, {(info.KafkaPid is null ? string.Empty : "the Kafka stand-in, ")}and peers stopped" : "  orderer and peers stopped");
                foreach (var organization in info.Organizations)
                {
                    var report = await NetworkKeys.VerifyLedgerAsync(folder, LocalNetwork.PeerDataFolder(folder, organization.Domain), CancellationToken.None).ConfigureAwait(false);
                    output.WriteLine(report.IsIntact
                        ? $"  ledger verify ({organization.Name} peer): ok, {report.Blocks} blocks, {report.Transactions} transactions ({report.ValidTransactions} valid)"
                        : $"  ledger verify ({organization.Name} peer): block {report.BadBlock} is bad: {report.Problem}");
                }

                await ReportOrderersAsync(output, folder, info).ConfigureAwait(false);
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

    /// <summary>"a solo orderer" or "3 orderers on Kafka".</summary>
    public static string Describe(NetworkShape shape) =>
        (shape.Consenter == "solo" ? "a solo orderer" : $"{shape.Orderers} orderer{(shape.Orderers == 1 ? string.Empty : "s")} on Kafka")
        + (shape.StateDatabase == "couchdb" ? ", peers' public state in CouchDB" : string.Empty);

    /// <summary>
    /// Each orderer's height and last block hash, from its own ledger (verified). Orderers of one channel must agree on
    /// both — the block data and hash chain are identical everywhere, only the signatures differ — or the demo fails.
    /// </summary>
    private static async Task ReportOrderersAsync(TextWriter output, string folder, ConnectionInfo info)
    {
        var reports = new List<(string Name, VerificationReport Report)>();
        foreach (var orderer in info.Orderers)
        {
            reports.Add((orderer.Name, await NetworkKeys.VerifyLedgerAsync(folder, LocalNetwork.OrdererDataFolder(folder, orderer.Name), CancellationToken.None).ConfigureAwait(false)));
        }

        foreach (var (name, report) in reports)
        {
            output.WriteLine(report.IsIntact
                ? $"  {name}: height {report.Blocks}, last block hash {report.LastBlockHash}"
                : $"  {name}: block {report.BadBlock} is bad: {report.Problem}");
        }

        if (reports.Count > 1)
        {
            if (reports.Any(r => !r.Report.IsIntact) || reports.Select(r => (r.Report.Blocks, r.Report.LastBlockHash)).Distinct().Count() != 1)
            {
                throw new CliException($"the orderers disagree: {string.Join("; ", reports.Select(r => $"{r.Name} height {r.Report.Blocks} hash {r.Report.LastBlockHash}"))}");
            }

            output.WriteLine($"  the {reports.Count} orderers hold the same chain: same height, same last block hash");
        }
    }
}
