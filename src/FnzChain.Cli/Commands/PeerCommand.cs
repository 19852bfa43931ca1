using System.CommandLine;
using FnzChain.Peer.Hosting;

namespace FnzChain.Cli.Commands;

/// <summary><c>fnzchain peer start --config &lt;file&gt;</c>: runs a peer node until stopped (Ctrl+C / SIGTERM).</summary>
internal static class PeerCommand
{
    public static Command Create()
    {
        var config = new Option<string>("--config") { Description = "The peer's JSON configuration file.", Required = true }.MustBeFile();
        var start = new Command("start", "Run a peer node: pulls, validates and commits the blocks of its channels; serves Deliver and NodeAdmin.");
        start.Options.Add(config);
        start.SetAction(async (parse, cancellationToken) =>
        {
            var options = PeerOptions.Load(parse.GetValue(config)!);
            await PeerHost.RunAsync(options, parse.InvocationConfiguration.Output, cancellationToken).ConfigureAwait(false);
            return 0;
        });
        var command = new Command("peer", "Peer node.");
        command.Subcommands.Add(start);
        return command;
    }
}
