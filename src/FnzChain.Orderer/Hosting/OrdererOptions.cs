using System.Net;
using FnzChain.Ledger.State.RocksDb;
using FnzChain.Node;

namespace FnzChain.Orderer.Hosting;

/// <summary>
/// The orderer's configuration file (JSON, camelCase, unknown fields rejected). Relative paths are relative to
/// the file. Example: <c>{ "listenAddress": "127.0.0.1:7050", "mspId": "OrdererMSP", "mspPath": "msp", "dataPath": "data" }</c>.
/// </summary>
public sealed class OrdererOptions
{
    /// <summary>host:port for gRPC (HTTP/2 without TLS for now); port 0 picks a free port, printed at start.</summary>
    public required string ListenAddress { get; init; }

    public required string MspId { get; init; }

    /// <summary>The node's msp folder (cacerts/, signcerts/, keystore/), as cryptogen writes it.</summary>
    public required string MspPath { get; init; }

    /// <summary>Where channel ledgers live (<c>channels/&lt;id&gt;</c>).</summary>
    public required string DataPath { get; init; }

    public CommitDurability Durability { get; init; } = CommitDurability.Synced;

    /// <summary>Largest gRPC message accepted or sent; channel batch limits apply on top.</summary>
    public int MaxMessageBytes { get; init; } = 100 * 1024 * 1024;

    public IPEndPoint Endpoint => NodeConfiguration.ParseEndpoint(ListenAddress);

    /// <summary>Reads and checks the file; every problem is an <see cref="OptionsException"/> naming the file and field.</summary>
    public static OrdererOptions Load(string path)
    {
        var options = NodeConfiguration.Load<OrdererOptions>(path, "orderer config");
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        options = new OrdererOptions
        {
            ListenAddress = options.ListenAddress,
            MspId = options.MspId,
            MspPath = Path.GetFullPath(options.MspPath, folder),
            DataPath = Path.GetFullPath(options.DataPath, folder),
            Durability = options.Durability,
            MaxMessageBytes = options.MaxMessageBytes,
        };
        options.Validate(path);
        return options;
    }

    private void Validate(string path)
    {
        try
        {
            _ = Endpoint;
        }
        catch (FormatException e)
        {
            throw new OptionsException($"orderer config {path}: listenAddress: {e.Message}");
        }

        if (string.IsNullOrWhiteSpace(MspId))
        {
            throw new OptionsException($"orderer config {path}: mspId is empty");
        }

        if (!Directory.Exists(MspPath))
        {
            throw new OptionsException($"orderer config {path}: mspPath {MspPath} does not exist");
        }

        if (MaxMessageBytes is < 64 * 1024 or > 1024 * 1024 * 1024)
        {
            throw new OptionsException($"orderer config {path}: maxMessageBytes {MaxMessageBytes} is outside 64 KiB..1 GiB");
        }
    }
}
