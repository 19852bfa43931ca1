using System.CommandLine;
using FnzChain.Cli.Network;

namespace FnzChain.Cli.Commands;

/// <summary><c>--consenter solo|kafka --orderers N --kafka-brokers host:port,…</c>: how a local network orders (network up, demo, bench network).</summary>
internal sealed class OrderingOptions
{
    private readonly Option<string> _consenter = new("--consenter")
    {
        Description = "solo (one orderer, the default) or kafka (several orderers on one Kafka topic per channel).",
        DefaultValueFactory = _ => "solo",
    };

    private readonly Option<int?> _orderers = new("--orderers")
    {
        Description = "How many orderers (kafka: default 3, up to 9; solo: 1).",
    };

    private readonly Option<string?> _brokers = new("--kafka-brokers")
    {
        Description = "With --consenter kafka: a real cluster's bootstrap brokers (host:port,…). Without it, an in-memory local stand-in (librdkafka's mock cluster) is started — not durable.",
    };

    public OrderingOptions()
    {
        _consenter.AcceptOnlyFromAmong("solo", "kafka");
    }

    public void AddTo(Command command)
    {
        command.Options.Add(_consenter);
        command.Options.Add(_orderers);
        command.Options.Add(_brokers);
    }

    /// <summary>The ordering the command line asks for, checked (one line naming the option when it cannot run).</summary>
    public OrderingSpec Read(ParseResult parse)
    {
        var consenter = parse.GetValue(_consenter) ?? "solo";
        return new OrderingSpec(consenter, parse.GetValue(_orderers) ?? (consenter == "kafka" ? 3 : 1), parse.GetValue(_brokers)).Checked();
    }
}
