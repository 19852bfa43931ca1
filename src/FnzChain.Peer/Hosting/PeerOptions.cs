using System.Net;
using FnzChain.Ledger.State.RocksDb;
using FnzChain.Node;

namespace FnzChain.Peer.Hosting;

/// <summary>
/// The peer's configuration file (JSON, camelCase, unknown fields refused; relative paths relative to the file).
/// Example: <c>{ "listenAddress": "127.0.0.1:7051", "mspId": "Org1MSP", "mspPath": "msp", "dataPath": "data" }</c>.
/// </summary>
public sealed class PeerOptions
{
    /// <summary>host:port for gRPC (HTTP/2 without TLS for now); port 0 picks a free port, printed at start.</summary>
    public required string ListenAddress { get; init; }

    public required string MspId { get; init; }

    /// <summary>The peer's msp folder (cacerts/, signcerts/, keystore/): signs endorsements and Deliver requests.</summary>
    public required string MspPath { get; init; }

    /// <summary>Where channel ledgers live (<c>channels/&lt;id&gt;</c>).</summary>
    public required string DataPath { get; init; }

    /// <summary>Orderers to pull blocks from, overriding the channel configuration's endpoints (Fabric's OrdererEndpointOverrides).</summary>
    public List<string> OrdererAddresses { get; init; } = [];

    public CommitDurability Durability { get; init; } = CommitDurability.Synced;

    public int MaxMessageBytes { get; init; } = 100 * 1024 * 1024;

    public IPEndPoint Endpoint => NodeConfiguration.ParseEndpoint(ListenAddress);

    public static PeerOptions Load(string path)
    {
        var options = NodeConfiguration.Load<PeerOptions>(path, "peer config");
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        options = new PeerOptions
        {
            ListenAddress = options.ListenAddress,
            MspId = options.MspId,
            MspPath = Path.GetFullPath(options.MspPath, folder),
            DataPath = Path.GetFullPath(options.DataPath, folder),
            OrdererAddresses = options.OrdererAddresses,
            Durability = options.Durability,
            MaxMessageBytes = options.MaxMessageBytes,
        };
        try
        {
            _ = options.Endpoint;
            foreach (var orderer in options.OrdererAddresses)
            {
                _ = NodeConfiguration.ParseEndpoint(orderer);
            }
        }
        catch (FormatException e)
        {
            throw new OptionsException($"peer config {path}: {e.Message}");
        }

        if (!Directory.Exists(options.MspPath))
        {
            throw new OptionsException($"peer config {path}: mspPath {options.MspPath} does not exist");
        }

        return options;
    }
}
