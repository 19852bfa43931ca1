using System.CommandLine;
using FnzChain.Orderer.Hosting;

namespace FnzChain.Cli.Commands;

/// <summary><c>fnzchain orderer start --config &lt;file&gt;</c>: runs an orderer node until stopped (Ctrl+C / SIGTERM).</summary>
internal static class OrdererCommand
{
    public static Command Create()
    {
        var config = new Option<string>("--config") { Description = "The orderer's JSON configuration file.", Required = true }.MustBeFile();
        var start = new Command("start", "Run an orderer node: AtomicBroadcast (Broadcast, Deliver) and NodeAdmin on one gRPC port.");
        start.Options.Add(config);
        start.SetAction(async (parse, cancellationToken) =>
        {
            var options = OrdererOptions.Load(parse.GetValue(config)!);
            await OrdererHost.RunAsync(options, parse.InvocationConfiguration.Output, cancellationToken,
                new FnzChain.Orderer.Kafka.KafkaConsenterFactory(new FnzChain.Orderer.Kafka.KafkaConsenterOptions { OrdererName = options.MspId + "@" + Environment.MachineName, FetchWaitMs = options.Kafka.FetchWaitMs })).ConfigureAwait(false);
            return 0;
        });
        var command = new Command("orderer", "Orderer node.");
        command.Subcommands.Add(start);
        return command;
    }
}
