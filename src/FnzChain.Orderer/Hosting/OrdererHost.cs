using FnzChain.Ledger;
using FnzChain.Node;
using FnzChain.Node.Channels;
using FnzChain.Orderer.Channels;
using FnzChain.Orderer.Services;
using FnzChain.Orderer.Signing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
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
        var builder = NodeHost.CreateBuilder(options.Endpoint, options.MaxMessageBytes);
        builder.Services.AddSingleton(local);
        builder.Services.AddSingleton<INodeChannels>(provider => provider.GetRequiredService<ChannelRegistry<OrdererChannel>>());
        builder.Services.AddSingleton(provider =>
        {
            var loggers = provider.GetRequiredService<ILoggerFactory>();
            var signer = new BlockSigner(local.Serialized, local.Signing.Signer);
            var ledgerOptions = new LedgerOptions { Durability = options.Durability, Logger = loggers.CreateLogger("FnzChain.Ledger") };
            return new ChannelRegistry<OrdererChannel>(
                options.DataPath,
                (folder, genesis, ct) => OrdererChannel.OpenAsync(folder, genesis, signer, ledgerOptions, loggers.CreateLogger<OrdererChannel>(), ct),
                loggers.CreateLogger<ChannelRegistry<OrdererChannel>>());
        });

        await using var app = builder.Build();
        app.MapGrpcService<AtomicBroadcastService>();
        app.MapGrpcService<NodeAdminService>();
        var channels = app.Services.GetRequiredService<ChannelRegistry<OrdererChannel>>();
        await channels.LoadAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await NodeHost.RunAsync(app, "orderer", output, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await channels.DisposeAsync().ConfigureAwait(false);
        }
    }
}
