using System.CommandLine;
using FnzChain.Ledger.Encryption;
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
        var kek = new Option<string>("--kek") { Description = "Key-encryption key file of a ledger encrypted at rest (its node's keyring.json is found above the ledger folder, or given with --keyring)." };
        var keyring = new Option<string>("--keyring") { Description = "The keyring of an encrypted ledger, when it is not in the node's data folder above the ledger." };
        command.Options.Add(path);
        command.Options.Add(kek);
        command.Options.Add(keyring);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var folder = parse.GetValue(path)!;
            if (!Directory.Exists(folder))
            {
                throw new CliException($"ledger verify: {folder} does not exist");
            }

            VerificationReport report;
            try
            {
                using var cipher = await OpenCipherAsync(folder, parse.GetValue(kek), parse.GetValue(keyring), cancellationToken).ConfigureAwait(false);
                report = LedgerVerifier.Verify(folder, encryption: cipher);
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
            return 0;
        });
        return command;
    }

    /// <summary>A read-only cipher for an encrypted ledger (its keyring: given, or the first keyring.json above the ledger folder).</summary>
    private static async Task<AtRestCipher?> OpenCipherAsync(string ledger, string? kek, string? keyring, CancellationToken cancellationToken)
    {
        if (kek is null)
        {
            return keyring is null ? null : throw new CliException("ledger verify: --keyring needs --kek");
        }

        keyring ??= Ancestors(Path.GetFullPath(ledger)).Select(folder => Path.Combine(folder, Keyring.FileName)).FirstOrDefault(File.Exists)
            ?? throw new CliException($"ledger verify: no {Keyring.FileName} above {ledger}; give it with --keyring");
        var opened = await Keyring.OpenAsync(keyring, KeyEncryptionKeyFile.Load(kek), cancellationToken).ConfigureAwait(false);
        return await opened.CreateCipherAsync(readOnly: true, cancellationToken).ConfigureAwait(false);

        static IEnumerable<string> Ancestors(string folder)
        {
            for (var at = folder; at is not null; at = Path.GetDirectoryName(at))
            {
                yield return at;
            }
        }
    }
}
