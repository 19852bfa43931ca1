using System.Net;
using FnzChain.Ledger;
using FnzChain.Node.Channels;
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

/// <summary>The hosting every node shares: Kestrel on one HTTP/2 endpoint for gRPC, single-line console logs, and the ready line.</summary>
public static class NodeHost
{
    public static WebApplicationBuilder CreateBuilder(IPEndPoint endpoint, int maxMessageBytes)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
        });
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Logging.AddFilter("Grpc", LogLevel.Warning); // rejections are logged once, by our services
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = maxMessageBytes;
            kestrel.Listen(endpoint, listen => listen.Protocols = HttpProtocols.Http2);
        });
        builder.Services.AddGrpc(grpc =>
        {
            grpc.MaxReceiveMessageSize = maxMessageBytes;
            grpc.MaxSendMessageSize = maxMessageBytes;
        });
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
            var ledgerOptions = new LedgerOptions { Durability = options.Durability, Logger = loggers.CreateLogger("FnzChain.Ledger") };
            return new ChannelRegistry<TChannel>(options.DataPath, open(provider, ledgerOptions), loggers.CreateLogger<ChannelRegistry<TChannel>>());
        });
    }

    /// <summary>Reopens the node's channels, runs <paramref name="app"/> (see <see cref="RunAsync"/>), and closes the channels when it stops.</summary>
    public static async Task RunWithChannelsAsync<TChannel>(WebApplication app, string kind, TextWriter output, CancellationToken cancellationToken)
        where TChannel : class, INodeChannel
    {
        ArgumentNullException.ThrowIfNull(app);
        var channels = app.Services.GetRequiredService<ChannelRegistry<TChannel>>();
        await channels.LoadAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await RunAsync(app, kind, output, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await channels.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Starts <paramref name="app"/>, writes <c>&lt;kind&gt; listening on host:port</c>, and runs until cancelled or stopped.</summary>
    public static async Task RunAsync(WebApplication app, string kind, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(app);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        await output.WriteLineAsync($"{kind} listening on {new Uri(address).Authority}").ConfigureAwait(false);
        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        await app.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
    }
}
