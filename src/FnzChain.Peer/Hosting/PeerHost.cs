using FnzChain.Ledger;
using FnzChain.Node;
using FnzChain.Node.Channels;
using FnzChain.Peer.Chaincode;
using FnzChain.Peer.Channels;
using FnzChain.Peer.Endorser;
using FnzChain.Peer.Gateway;
using FnzChain.Peer.Services;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FnzChain.Peer.Hosting;

/// <summary>Runs a peer node: Endorser, Deliver and NodeAdmin over gRPC, and a committer per joined channel.</summary>
public static class PeerHost
{
    public static async Task RunAsync(PeerOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        using var local = LocalIdentity.Load(options.MspPath, options.MspId);
        var builder = NodeHost.CreateBuilder(options);
        builder.Services.AddSingleton(local);
        NodeHost.AddChannels<PeerChannel>(builder.Services, options, (provider, ledgerOptions) =>
            (folder, genesis, ct) => PeerChannel.OpenAsync(
                folder, genesis, local, options.OrdererAddresses, ledgerOptions, provider.GetRequiredService<ILoggerFactory>().CreateLogger<PeerChannel>(), ct));
        builder.Services.AddSingleton(provider => new ChaincodeRuntime(options.DataPath, provider.GetRequiredService<ILogger<ChaincodeRuntime>>()));
        builder.Services.AddSingleton<IChaincodeInstaller>(provider => provider.GetRequiredService<ChaincodeRuntime>());
        builder.Services.AddSingleton<ProposalEndorser>();
        builder.Services.AddSingleton<PrivateData.Disseminator>();
        builder.Services.AddSingleton<IPrivateDataInspector, PrivateDataInspector>();
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton<Connections>();
        builder.Services.AddSingleton<BroadcastStreams>();

        await using var app = builder.Build();
        app.MapGrpcService<EndorserService>();
        app.MapGrpcService<GatewayService>();
        app.MapGrpcService<PeerDeliverService>();
        app.MapGrpcService<NodeAdminService>();
        app.MapGrpcService<PrivateData.PrivateDataService>();
        await NodeHost.RunWithChannelsAsync<PeerChannel>(app, "peer", output, cancellationToken).ConfigureAwait(false);
    }
}
