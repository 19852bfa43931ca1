using System.Net;
using System.Text.Json.Serialization;
using FnzChain.Crypto.Tls;
using FnzChain.Ledger.Storage;
using FnzChain.Node.Tls;
using FnzChain.Node.Audit;
using FnzChain.Node.Security;

namespace FnzChain.Node;

/// <summary>
/// What every node's configuration file has (JSON, camelCase, unknown fields refused). Relative paths are
/// resolved against the file's folder when it is loaded.
/// </summary>
public abstract class NodeOptions
{
    /// <summary>host:port for gRPC (HTTP/2, over TLS when <see cref="Tls"/> is enabled); port 0 picks a free port, printed at start.</summary>
    public required string ListenAddress { get; init; }

    /// <summary>
    /// host:port of the HTTP operations endpoint (<c>/healthz</c>, <c>/metrics</c>); null (the default) serves none.
    /// Port 0 picks a free port, printed at start.
    /// </summary>
    public string? OperationsAddress { get; init; }

    /// <summary>The node's organisation.</summary>
    public required string MspId { get; init; }

    /// <summary>The node's msp folder (cacerts/, signcerts/, keystore/), as cryptogen writes it.</summary>
    public required string MspPath { get; set; }

    /// <summary>Where channel ledgers live (<c>channels/&lt;id&gt;</c>).</summary>
    public required string DataPath { get; set; }

    public CommitDurability Durability { get; init; } = CommitDurability.Synced;

    /// <summary>Table-file compression of the channel databases: <c>lz4</c> (default) or <c>none</c> (byte-scan evidence of erasure).</summary>
    public StorageCompression Compression { get; init; } = StorageCompression.Lz4;

    /// <summary>Encryption at rest of the node's ledgers (block files and database values); off unless enabled.</summary>
    public EncryptionAtRestOptions EncryptionAtRest { get; init; } = new();

    /// <summary>Fabric's default AbsoluteMaxBytes (10 MiB) plus <see cref="MessageHeadroomBytes"/>.</summary>
    public const int DefaultMaxMessageBytes = (10 * 1024 * 1024) + MessageHeadroomBytes;

    /// <summary>What a request may carry beyond one envelope of AbsoluteMaxBytes (the Submit or Endorse wrapping, signatures, ids).</summary>
    public const int MessageHeadroomBytes = 1024 * 1024;

    /// <summary>
    /// Largest gRPC message the node accepts: a request over it is refused from its 5-byte header, before its bytes
    /// are read. It must be at least the largest AbsoluteMaxBytes of the node's channels plus
    /// <see cref="MessageHeadroomBytes"/> (the node warns at start when it is not); channel batch limits apply on top.
    /// </summary>
    public int MaxMessageBytes { get; init; } = DefaultMaxMessageBytes;

    /// <summary>Requests whose message is this large or larger count as large (see <see cref="MaxConcurrentLargeRequests"/>).</summary>
    public int LargeRequestBytes { get; init; } = 1024 * 1024;

    /// <summary>Large unary requests the node decodes at once; more are refused with RESOURCE_EXHAUSTED before their bytes are read.</summary>
    public int MaxConcurrentLargeRequests { get; init; } = 4;

    /// <summary>Large unary requests one connection may have in progress at once.</summary>
    public int MaxConcurrentLargeRequestsPerConnection { get; init; } = 2;

    /// <summary>TLS and mutual TLS on the node's listeners and outbound connections; off (plaintext, said at start) when the section is absent.</summary>
    public NodeTlsOptions Tls { get; init; } = new();

    /// <summary>The TLS material <see cref="Tls"/> names, loaded and checked by <see cref="Load{T}"/> (or at start for options made in code).</summary>
    [JsonIgnore]
    public NodeTls? LoadedTls { get; set; }

    /// <summary>The audit trail in <c>&lt;dataPath&gt;/audit</c> (docs/security.md, "Audit trail").</summary>
    public AuditOptions Audit { get; init; } = new();

    /// <summary>Throttling of repeated failed authentication (docs/security.md, "Throttling failed authentication").</summary>
    public AuthenticationThrottleOptions AuthenticationThrottle { get; init; } = new();

    /// <summary>Where the audit trail is written.</summary>
    public string AuditPath => Path.Combine(DataPath, "audit");

    public IPEndPoint Endpoint => NodeConfiguration.ParseEndpoint(ListenAddress);

    public IPEndPoint? OperationsEndpoint => OperationsAddress is null ? null : NodeConfiguration.ParseEndpoint(OperationsAddress);

    /// <summary>Reads a node config file, resolves its paths and checks it; errors name <paramref name="what"/>, the file and the field.</summary>
    protected static T Load<T>(string path, string what)
        where T : NodeOptions
    {
        var options = NodeConfiguration.Load<T>(path, what);
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        options.MspPath = Path.GetFullPath(options.MspPath, folder);
        options.DataPath = Path.GetFullPath(options.DataPath, folder);
        options.Tls.ResolvePaths(folder);
        try
        {
            _ = options.Endpoint;
        }
        catch (FormatException e)
        {
            throw new OptionsException($"{what} {path}: listenAddress: {e.Message}");
        }

        try
        {
            _ = options.OperationsEndpoint;
        }
        catch (FormatException e)
        {
            throw new OptionsException($"{what} {path}: operationsAddress: {e.Message}");
        }

        if (options.EncryptionAtRest is null)
        {
            throw new OptionsException($"{what} {path}: encryptionAtRest is null; leave it out (off) or give {{ \"enabled\": …, \"keyEncryptionKeyFile\": … }}");
        }

        if (options.EncryptionAtRest.KeyEncryptionKeyFile is { Length: > 0 } kek)
        {
            options.EncryptionAtRest.KeyEncryptionKeyFile = Path.GetFullPath(kek, folder);
        }

        if (options.EncryptionAtRest.Problem(options.DataPath) is { } problem)
        {
            throw new OptionsException($"{what} {path}: {problem}");
        }

        try
        {
            options.Audit.Validate();
            options.AuthenticationThrottle.Validate();
            options.Validate();
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            throw new OptionsException($"{what} {path}: {e.Message}");
        }

        if (string.IsNullOrWhiteSpace(options.MspId))
        {
            throw new OptionsException($"{what} {path}: mspId is empty");
        }

        if (!Directory.Exists(options.MspPath))
        {
            throw new OptionsException($"{what} {path}: mspPath {options.MspPath} does not exist");
        }

        if (options.MaxMessageBytes is < 64 * 1024 or > 1024 * 1024 * 1024)
        {
            throw new OptionsException($"{what} {path}: maxMessageBytes {options.MaxMessageBytes} is outside 64 KiB..1 GiB");
        }

        if (options.LargeRequestBytes < 1024 || options.MaxConcurrentLargeRequests < 1 || options.MaxConcurrentLargeRequestsPerConnection < 1)
        {
            throw new OptionsException($"{what} {path}: largeRequestBytes must be at least 1024 and maxConcurrentLargeRequests, maxConcurrentLargeRequestsPerConnection at least 1");
        }

        try
        {
            options.LoadedTls = NodeTls.Load(options.Tls, DateTimeOffset.UtcNow);
        }
        catch (TlsConfigurationException e)
        {
            throw new OptionsException($"{what} {path}: {e.Message}");
        }

        return options;
    }

    /// <summary>Checks of the derived node's own fields; throw <see cref="FormatException"/> or <see cref="ArgumentException"/> naming the field.</summary>
    protected virtual void Validate()
    {
    }
}
