using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using FnzChain.Ledger.State.RocksDb;

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

    public IPEndPoint Endpoint => ParseEndpoint(ListenAddress);

    private static readonly JsonSerializerOptions s_json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false) },
        ReadCommentHandling = JsonCommentHandling.Skip,
    };

    /// <summary>Reads and checks the file; every problem is an <see cref="OptionsException"/> naming the file and field.</summary>
    public static OrdererOptions Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new OptionsException($"orderer config {path} does not exist");
        }

        OrdererOptions options;
        try
        {
            options = JsonSerializer.Deserialize<OrdererOptions>(File.ReadAllText(path), s_json)
                ?? throw new OptionsException($"orderer config {path} is empty");
        }
        catch (JsonException e)
        {
            throw new OptionsException($"orderer config {path}: {e.Message}", e);
        }

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

    internal static IPEndPoint ParseEndpoint(string address)
    {
        var colon = address.LastIndexOf(':');
        if (colon <= 0 || !ushort.TryParse(address.AsSpan(colon + 1), out var port))
        {
            throw new FormatException($"\"{address}\" is not host:port");
        }

        var host = address[..colon];
        if (host == "localhost")
        {
            return new IPEndPoint(IPAddress.Loopback, port);
        }

        return IPAddress.TryParse(host.Trim('[', ']'), out var ip)
            ? new IPEndPoint(ip, port)
            : throw new FormatException($"\"{host}\" is not an IP address (use 127.0.0.1, 0.0.0.0 or localhost)");
    }
}

/// <summary>A node configuration that cannot be used; the message names the file and the field.</summary>
public sealed class OptionsException : Exception
{
    public OptionsException(string message)
        : base(message)
    {
    }

    public OptionsException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
