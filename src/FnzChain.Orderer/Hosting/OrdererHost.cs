using FnzChain.Ledger;
using FnzChain.Node;
using FnzChain.Node.Channels;
using FnzChain.Orderer.Channels;
using FnzChain.Orderer.Consensus;
using FnzChain.Orderer.Consensus.Solo;
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
    /// <param name="consenters">Consenter factories beside solo (e.g. Kafka's, which lives in its own project).</param>
    public static async Task RunAsync(OrdererOptions options, TextWriter output, CancellationToken cancellationToken, params IConsenterFactory[] consenters)
    {
        ArgumentNullException.ThrowIfNull(options);
        using var local = LocalIdentity.Load(options.MspPath, options.MspId);
        using var atRest = await NodeEncryptionAtRest.OpenAsync(options, cancellationToken).ConfigureAwait(false);
        var builder = NodeHost.CreateBuilder(options);
        builder.Services.AddSingleton(local);
        var services = new OrdererServices(local, new BlockSigner(local.Serialized, local.Signing.Signer), TimeProvider.System, new ConsenterRegistry([new SoloConsenterFactory(), .. consenters]));
        NodeHost.AddChannels<OrdererChannel>(builder.Services, options, (provider, ledgerOptions) =>
            (folder, genesis, ct) => OrdererChannel.OpenAsync(folder, genesis, services, ledgerOptions with { Encryption = atRest, IndexTransactions = false }, provider.GetRequiredService<ILoggerFactory>().CreateLogger<OrdererChannel>(), ct));

        await using var app = builder.Build();
        NodeEncryptionAtRest.LogState(app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("FnzChain.Node"), options, atRest);
        app.MapGrpcService<AtomicBroadcastService>();
        app.MapGrpcService<NodeAdminService>();
        await NodeHost.RunWithChannelsAsync<OrdererChannel>(app, "orderer", output, cancellationToken).ConfigureAwait(false);
    }
}
