using System.CommandLine;

namespace FnzChain.Cli.Commands;

/// <summary><c>fnzchain bench</c>: throughput benchmarks of the node's building blocks, printed as tables.</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var command = new Command("bench", "Measure throughput of FnzChain's building blocks on this machine.");
        command.Subcommands.Add(BenchCryptoCommand.Create());
        command.Subcommands.Add(BenchLedgerCommand.Create());
        command.Subcommands.Add(BenchNetworkCommand.Create());
        return command;
    }
}
