using System.CommandLine;
using FnzChain.Ledger.Verification;

namespace FnzChain.Cli.Commands;

/// <summary><c>fnzchain ledger verify --path &lt;ledger dir&gt;</c>: re-checks a channel ledger folder without changing it.</summary>
internal static class LedgerCommand
{
    public static Command Create()
    {
        var command = new Command("ledger", "Inspect a channel ledger folder.");
        command.Subcommands.Add(CreateVerify());
        return command;
    }

    private static Command CreateVerify()
    {
        var path = new Option<string>("--path") { Description = "The channel's ledger folder (holding blocks/ and db/).", Required = true };
        var command = new Command(
            "verify",
            "Re-check record checksums, the hash chain, data hashes, the index and the state savepoint. Prints the first bad block and exits 1, or a summary.");
        command.Options.Add(path);
        command.SetAction((parse, _) =>
        {
            var folder = parse.GetValue(path)!;
            if (!Directory.Exists(folder))
            {
                throw new CliException($"ledger verify: {folder} does not exist");
            }

            VerificationReport report;
            try
            {
                report = LedgerVerifier.Verify(folder);
            }
            catch (DirectoryNotFoundException e)
            {
                throw new CliException($"ledger verify: {e.Message}");
            }

            var output = parse.InvocationConfiguration.Output;
            foreach (var note in report.Notes)
            {
                output.WriteLine($"note: {note}");
            }

            if (!report.IsIntact)
            {
                throw new CliException($"ledger verify: block {report.BadBlock} is bad: {report.Problem}");
            }

            var last = report.Blocks == 0 ? "no blocks yet" : $"last block hash {report.LastBlockHash}";
            output.WriteLine($"ledger verify: ok: {report.Blocks} blocks, {report.Transactions} transactions ({report.ValidTransactions} valid), hash chain, data hashes and index consistent, {last}");
            return Task.FromResult(0);
        });
        return command;
    }
}
