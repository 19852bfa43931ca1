using FnzChain.Ledger;
using FnzChain.Ledger.State.CouchDb;
using FnzChain.Node;
using FnzChain.Node.Channels;
using FnzChain.Node.Tls;
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
        using var couchDb = options.StateDatabase == "couchdb" ? new CouchDbStateDatabaseProvider(options.CouchDb!) : null;
        if (couchDb is not null)
        {
            // Unreachable, or refusing the credentials: stop now, in one line, not at the first block.
            await couchDb.CheckAsync(cancellationToken).ConfigureAwait(false);
            couchDb.StartMonitoring(TimeSpan.FromSeconds(5));
        }

        using var atRest = await NodeEncryptionAtRest.OpenAsync(options, cancellationToken).ConfigureAwait(false);
        var builder = NodeHost.CreateBuilder(options);
        builder.Services.AddSingleton(local);
        NodeHost.AddChannels<PeerChannel>(builder.Services, options, (provider, ledgerOptions) =>
            async (folder, genesis, ct) =>
            {
                var channel = await PeerChannel.OpenAsync(
                    folder, genesis, local, provider.GetRequiredService<NodeTls>(), options.OrdererAddresses, (couchDb is null ? ledgerOptions : ledgerOptions with { StateDatabase = couchDb }) with { Encryption = atRest },
                    provider.GetRequiredService<ILoggerFactory>().CreateLogger<PeerChannel>(), ct).ConfigureAwait(false);
                if (couchDb is not null)
                {
                    channel.AttachRuntime(provider.GetRequiredService<ChaincodeRuntime>()); // CouchDB indexes from chaincode packages
                    channel.AttachStateDatabaseHealth(() => couchDb.Problem);
                }

                return channel;
            });
        builder.Services.AddSingleton(provider => new ChaincodeRuntime(options.DataPath, provider.GetRequiredService<ILogger<ChaincodeRuntime>>()));
        builder.Services.AddSingleton<IChaincodeInstaller>(provider => provider.GetRequiredService<ChaincodeRuntime>());
        builder.Services.AddSingleton<ProposalEndorser>();
        builder.Services.AddSingleton<PrivateData.Disseminator>();
        builder.Services.AddSingleton<IPrivateDataInspector, PrivateDataInspector>();
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton<Connections>();
        builder.Services.AddSingleton<BroadcastStreams>();

        await using var app = builder.Build();
        var nodeLogger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("FnzChain.Node");
        NodeEncryptionAtRest.LogState(nodeLogger, options, atRest);
        if (atRest is not null && couchDb is not null)
        {
            nodeLogger.LogWarning("Encryption at rest covers this peer's own files; its public state in CouchDB is stored by CouchDB in the clear (encrypt CouchDB's volume). Private data never reaches CouchDB");
        }

        app.MapGrpcService<EndorserService>();
        app.MapGrpcService<GatewayService>();
        app.MapGrpcService<PeerDeliverService>();
        app.MapGrpcService<NodeAdminService>();
        app.MapGrpcService<PrivateData.PrivateDataService>();
        await NodeHost.RunWithChannelsAsync<PeerChannel>(app, "peer", output, cancellationToken).ConfigureAwait(false);
    }
}
