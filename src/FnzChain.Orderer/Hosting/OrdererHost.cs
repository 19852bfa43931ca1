using FnzChain.Ledger;
using FnzChain.Orderer.Channels;
using FnzChain.Orderer.Services;
using FnzChain.Orderer.Signing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace FnzChain.Orderer.Hosting;

/// <summary>Runs an orderer node: Kestrel with the AtomicBroadcast and NodeAdmin gRPC services, channels reopened from the data folder.</summary>
public static class OrdererHost
{
    /// <summary>Starts the node, writes <c>orderer listening on host:port</c> to <paramref name="output"/>, and runs until cancelled.</summary>
    public static async Task RunAsync(OrdererOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        using var local = LocalIdentity.Load(options.MspPath, options.MspId);
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
            kestrel.Limits.MaxRequestBodySize = options.MaxMessageBytes;
            kestrel.Listen(options.Endpoint, listen => listen.Protocols = HttpProtocols.Http2);
        });
        builder.Services.AddGrpc(grpc =>
        {
            grpc.MaxReceiveMessageSize = options.MaxMessageBytes;
            grpc.MaxSendMessageSize = options.MaxMessageBytes;
        });
        builder.Services.AddSingleton(local);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(provider => new OrdererChannels(
            options.DataPath,
            new BlockSigner(local.Serialized, local.Signing.Signer),
            new LedgerOptions { Durability = options.Durability, Logger = provider.GetRequiredService<ILoggerFactory>().CreateLogger("FnzChain.Ledger") },
            provider.GetRequiredService<ILoggerFactory>()));

        await using var app = builder.Build();
        app.MapGrpcService<AtomicBroadcastService>();
        app.MapGrpcService<NodeAdminService>();
        var channels = app.Services.GetRequiredService<OrdererChannels>();
        await channels.LoadAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            await output.WriteLineAsync($"orderer listening on {new Uri(address).Authority}").ConfigureAwait(false);
            await output.FlushAsync(cancellationToken).ConfigureAwait(false);
            await app.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await channels.DisposeAsync().ConfigureAwait(false);
        }
    }
}
