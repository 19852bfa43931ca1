using System.Net;
using FnzChain.Ledger;
using FnzChain.Node.Audit;
using FnzChain.Node.Channels;
using FnzChain.Node.Operations;
using FnzChain.Node.Rpc;
using FnzChain.Node.Tls;
using FnzChain.Protos.Common;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace FnzChain.Node;

/// <summary>
/// The hosting every node shares: Kestrel with one HTTP/2 endpoint for gRPC and, when configured, one for
/// operations (/healthz, /metrics); single-line console logs; the ready line.
/// </summary>
public static class NodeHost
{
    public static WebApplicationBuilder CreateBuilder(NodeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var (endpoint, operations, maxMessageBytes) = (options.Endpoint, options.OperationsEndpoint, options.MaxMessageBytes);
        // The node reads its own configuration file, not appsettings.json: no reload-on-change watcher, whose
        // inotify watch on the content root (the working directory, often above the data folder) otherwise woke
        // every node process for every block file and RocksDB write beneath it.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = ["--hostBuilder:reloadConfigOnChange=false"],
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
        });
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Logging.AddFilter("Grpc", LogLevel.Warning); // rejections are logged once, by our services
        var tls = options.LoadedTls ??= NodeTls.Load(options.Tls, DateTimeOffset.UtcNow);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = maxMessageBytes;
            var refusals = new HandshakeRefusalLog(kestrel.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger("FnzChain.Node.Tls"), TimeProvider.System);
            kestrel.Listen(endpoint, listen =>
            {
                listen.Protocols = HttpProtocols.Http2;
                if (tls.Enabled)
                {
                    new HandshakeGuard(kestrel.ApplicationServices.GetRequiredService<RequestAuditor>(), refusals)
                        .Install(listen, TlsListener.Options(tls, tls.ClientAuthRequired));
                }
            });
            if (operations is not null)
            {
                kestrel.Listen(operations, listen =>
                {
                    listen.Protocols = HttpProtocols.Http1AndHttp2;
                    if (tls.Operations)
                    {
                        listen.UseHttps(TlsListener.Options(tls, clientAuthRequired: false));
                    }
                });
            }
        });
        builder.Services.AddSingleton(tls);
        builder.Services.AddSingleton(new OperationsListener(operations is not null));
        builder.Services.AddSingleton<PrometheusExporter>();
        builder.Services.AddGrpc(grpc =>
        {
            grpc.MaxReceiveMessageSize = maxMessageBytes;
            grpc.MaxSendMessageSize = MaxSendMessageBytes; // blocks (with private data) to peers and clients: not an attack surface
            grpc.Interceptors.Add<AuditInterceptor>(); // outermost: sees the status RpcErrorInterceptor chose
            grpc.Interceptors.Add<RpcErrorInterceptor>();
        });
        AuditServices.Add(builder.Services, options);
        builder.Services.UseStrictRequestDecoding();
        builder.Services.AddSingleton<ClientFaultLog>();
        builder.Services.AddSingleton(provider =>
        {
            var channels = provider.GetService<INodeChannels>();
            return new LargeRequestLimiter(
                options.MaxConcurrentLargeRequests, options.MaxConcurrentLargeRequestsPerConnection, options.LargeRequestBytes, options.MaxMessageBytes, () => channels?.LargestEnvelopeBytes);
        });
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(TimeProvider.System);
        return builder;
    }

    /// <summary>
    /// Registers the node's channel registry (and <see cref="INodeChannels"/> for NodeAdmin): channels under
    /// <see cref="NodeOptions.DataPath"/>, each opened by <paramref name="open"/> with ledger options from the node options.
    /// </summary>
    public static void AddChannels<TChannel>(
        IServiceCollection services,
        NodeOptions options,
        Func<IServiceProvider, LedgerOptions, Func<string, Block?, CancellationToken, Task<TChannel>>> open)
        where TChannel : class, INodeChannel
    {
        ArgumentNullException.ThrowIfNull(options);
        services.AddSingleton<INodeChannels>(provider => provider.GetRequiredService<ChannelRegistry<TChannel>>());
        services.AddSingleton(provider =>
        {
            var loggers = provider.GetRequiredService<ILoggerFactory>();
            var ledgerOptions = new LedgerOptions { Durability = options.Durability, Compression = options.Compression, Logger = loggers.CreateLogger("FnzChain.Ledger") };
            return new ChannelRegistry<TChannel>(options.DataPath, open(provider, ledgerOptions), loggers.CreateLogger<ChannelRegistry<TChannel>>());
        });
    }

    /// <summary>Reopens the node's channels, runs <paramref name="app"/> (see <see cref="RunAsync"/>), and closes the channels when it stops.</summary>
    public static async Task RunWithChannelsAsync<TChannel>(WebApplication app, string kind, TextWriter output, CancellationToken cancellationToken)
        where TChannel : class, INodeChannel
    {
        ArgumentNullException.ThrowIfNull(app);
        var channels = app.Services.GetRequiredService<ChannelRegistry<TChannel>>();
        var operations = app.Services.GetRequiredService<OperationsListener>();
        app.Services.GetRequiredService<NodeTls>().AttachChannelOrganizations(
            () => channels.All.SelectMany(c => c.Bundle.Msps.MspIds.Select(id => c.Bundle.Msps.Find(id)!.Definition)));
        var audit = app.Services.GetRequiredService<AuditTrail>();
        audit.Start();
        app.Use(app.Services.GetRequiredService<RequestAuditor>().InvokeAsync); // first: requests the limiter refuses are audited too
        app.Use(app.Services.GetRequiredService<LargeRequestLimiter>().InvokeAsync);
        if (operations.Enabled)
        {
            OperationsEndpoint.Use(app, () => operations.Port, channels, audit, app.Services.GetRequiredService<PrometheusExporter>());
        }

        await channels.LoadAsync(cancellationToken).ConfigureAwait(false);
        WarnOfSmallReceiveLimit(channels.All, app.Services.GetRequiredService<NodeOptions>(), app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("FnzChain.Node"));
        try
        {
            await RunAsync(app, kind, output, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await channels.DisposeAsync().ConfigureAwait(false);
            await audit.DisposeAsync().ConfigureAwait(false); // every record of the served requests written and fsynced
        }
    }

    /// <summary>Largest message a node sends (a block with its private data may exceed a request's limit).</summary>
    public const int MaxSendMessageBytes = 256 * 1024 * 1024;

    private static void WarnOfSmallReceiveLimit<TChannel>(IEnumerable<TChannel> channels, NodeOptions options, ILogger logger)
        where TChannel : class, INodeChannel
    {
        foreach (var channel in channels)
        {
            if (channel.MaxEnvelopeBytes is { } envelope && envelope + (ulong)NodeOptions.MessageHeadroomBytes > (ulong)options.MaxMessageBytes)
            {
                logger.LogWarning(
                    "Channel {Channel}: AbsoluteMaxBytes {Envelope} plus {Headroom} bytes of headroom is more than this node's maxMessageBytes {Limit}: transactions near the channel's limit will be refused; raise maxMessageBytes",
                    channel.ChannelId, envelope, NodeOptions.MessageHeadroomBytes, options.MaxMessageBytes);
            }
        }
    }

    /// <summary>Starts <paramref name="app"/>, writes <c>&lt;kind&gt; listening on host:port</c>, and runs until cancelled or stopped.</summary>
    public static async Task RunAsync(WebApplication app, string kind, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(app);
        _ = app.Services.GetRequiredService<PrometheusExporter>(); // listening from the start, so counters miss nothing
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        // Kestrel lists the bound addresses in the order they were configured: gRPC first, then operations.
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Select(a => new Uri(a)).ToList();
        var operations = app.Services.GetService<OperationsListener>();
        string? operationsAddress = null;
        if (operations is { Enabled: true } && addresses.Count > 1)
        {
            operations.Port = addresses[1].Port;
            operationsAddress = addresses[1].Authority;
            await output.WriteLineAsync($"{kind} operations on {operationsAddress}").ConfigureAwait(false);
        }

        if (app.Services.GetService<NodeTls>() is { } tls)
        {
            await output.WriteLineAsync($"{kind} {TlsListener.Describe(tls, addresses[0].Authority, operationsAddress)}").ConfigureAwait(false);
        }

        await output.WriteLineAsync($"{kind} listening on {addresses[0].Authority}").ConfigureAwait(false);
        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        await app.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>Whether the node serves operations, and on which port once bound.</summary>
internal sealed class OperationsListener(bool enabled)
{
    private int _port = -1;

    public bool Enabled { get; } = enabled;

    /// <summary>The bound port; -1 until the node has started (no request can arrive before).</summary>
    public int Port
    {
        get => Volatile.Read(ref _port);
        set => Volatile.Write(ref _port, value);
    }
}
