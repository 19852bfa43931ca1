using System.CommandLine;
using FnzChain.Cli.Network;

namespace FnzChain.Cli.Commands;

/// <summary><c>fnzchain network up|down --dir D</c>: a local two-organisation network as background processes.</summary>
internal static class NetworkCommand
{
    public static Command Create()
    {
        var command = new Command("network", "Start or stop a local network (a solo orderer or several on Kafka, one peer per organisation, channel funds, sample chaincode).");
        var upDir = new Option<string>("--dir") { Description = "Folder for crypto material, configs, ledgers, logs and connection.json.", Required = true };
        var force = new Option<bool>("--force")
        {
            Description = "If --dir holds a stopped network (what network down leaves), erase it (crypto, configs, ledgers, logs) and start a new one. A running network is never touched.",
        };
        var up = new Command("up", "Generate everything, start the nodes in the background, join them, deploy the sample chaincode; writes connection.json. "
            + "A folder that holds a stopped network is refused unless --force: a new network is started from nothing, the old one is not restarted.") { upDir, force };
        var ordering = new NetworkShapeOptions();
        ordering.AddTo(up);
        up.SetAction(async (parse, cancellationToken) =>
        {
            var folder = Path.GetFullPath(parse.GetValue(upDir)!);
            var output = parse.InvocationConfiguration.Output;
            var spec = ordering.Read(parse);
            output.WriteLine($"network up in {folder}");
            await LocalNetwork.UpAsync(folder, output, cancellationToken, force: parse.GetValue(force), ordering: spec).ConfigureAwait(false);
            output.WriteLine($"network up: connection details in {Path.Combine(folder, LocalNetwork.ConnectionFile)}; stop with: fnzchain network down --dir {folder}");
            return 0;
        });
        var downDir = new Option<string>("--dir") { Description = "The folder given to network up.", Required = true };
        var down = new Command("down", "Stop the nodes started by network up (the folder and its ledgers stay). A network that is already stopped is reported as such (exit 0).") { downDir };
        down.SetAction(async (parse, _) =>
        {
            var folder = Path.GetFullPath(parse.GetValue(downDir)!);
            var info = await LocalNetwork.DownAsync(folder).ConfigureAwait(false);
            parse.InvocationConfiguration.Output.WriteLine(info is null
                ? $"network down: the network in {folder} is already stopped; nothing to do (start a new one there with: fnzchain network up --dir {folder} --force)"
                : $"network down: stopped {(info.Orderers.Count > 1 ? $"{info.Orderers.Count} orderers" : "the orderer")}{(info.KafkaPid is null ? string.Empty : ", the local Kafka stand-in")} and {info.Organizations.Count} peers{(info.Organizations.Any(o => o.CouchDbPid is not null) ? " with their CouchDB-compatible servers" : string.Empty)}");
            return 0;
        });
        command.Subcommands.Add(up);
        command.Subcommands.Add(down);
        return command;
    }
}
