using System.CommandLine;
using FnzChain.Cli.Network;

namespace FnzChain.Cli.Commands;

/// <summary>
/// <c>--consenter solo|kafka --orderers N --kafka-brokers host:port,… --state-db rocksdb|couchdb --mutual-tls</c> (and the
/// root command's <c>--insecure</c>): how a local network orders, stores and secures its connections (network up, demo, bench network).
/// </summary>
internal sealed class NetworkShapeOptions
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

    private readonly Option<string> _stateDatabase = new("--state-db")
    {
        Description = "The peers' state database: rocksdb (embedded, the default) or couchdb (a local CouchDB-compatible server per peer — pouchdb-server, installed with npm on first use — for rich queries).",
        DefaultValueFactory = _ => "rocksdb",
    };

    private readonly Option<string?> _brokers = new("--kafka-brokers")
    {
        Description = "With --consenter kafka: a real cluster's bootstrap brokers (host:port,…). Without it, an in-memory local stand-in (librdkafka's mock cluster) is started — not durable.",
    };

    private readonly Option<bool> _mutualTls = new("--mutual-tls")
    {
        Description = "Every node requires a TLS client certificate from a TLS CA of the channel's organisations (mutual TLS); clients present their identity's tls/client.crt.",
    };

    private readonly Option<bool> _encryptAtRest = new("--encrypt-at-rest")
    {
        Description = "Encrypt every node's block files and database values at rest (AES-256-GCM), each node with its own key-encryption key in <dir>/keys, outside its data folder. Off by default.",
    };

    public NetworkShapeOptions()
    {
        _consenter.AcceptOnlyFromAmong("solo", "kafka");
        _stateDatabase.AcceptOnlyFromAmong("rocksdb", "couchdb");
    }

    public void AddTo(Command command)
    {
        command.Options.Add(_consenter);
        command.Options.Add(_orderers);
        command.Options.Add(_brokers);
        command.Options.Add(_stateDatabase);
        command.Options.Add(_mutualTls);
        command.Options.Add(_encryptAtRest);
    }

    /// <summary>The ordering the command line asks for, checked (one line naming the option when it cannot run).</summary>
    public NetworkShape Read(ParseResult parse)
    {
        var consenter = parse.GetValue(_consenter) ?? "solo";
        var insecure = ClientTlsOptions.IsInsecure(parse);
        if (insecure && parse.GetValue(_mutualTls))
        {
            throw new CliException("--mutual-tls and --insecure contradict each other");
        }

        var security = insecure ? NetworkShape.Insecure : parse.GetValue(_mutualTls) ? NetworkShape.MutualTls : NetworkShape.Tls;
        return new NetworkShape(consenter, parse.GetValue(_orderers) ?? (consenter == "kafka" ? 3 : 1), parse.GetValue(_brokers), parse.GetValue(_stateDatabase) ?? "rocksdb", security) { EncryptAtRest = parse.GetValue(_encryptAtRest) }.Checked();
    }
}
