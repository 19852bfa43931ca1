using FnzChain.Node.Channels;
using FnzChain.Crypto.Keys;
using FnzChain.Identity.Channels;
using FnzChain.Identity.Msp;
using FnzChain.Orderer.Channels;
using FnzChain.Protos.Common;
using FnzChain.Protos.Lifecycle;
using FnzChain.Protos.Orderer;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Status = FnzChain.Protos.Common.Status;

namespace FnzChain.Cli.Commands;

/// <summary>What operator commands need of an orderer: signed envelopes, Broadcast of one envelope, Deliver of blocks and of the latest config.</summary>
internal sealed class OrdererClient(string address, SigningIdentityFiles identity, string mspId, Client.Connections.ClientTls tls) : IDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);
    private readonly GrpcChannel _channel = Client.Connections.GrpcConnections.Open(address, tls, maxReceiveMessageBytes: 256 * 1024 * 1024, maxSendMessageBytes: 256 * 1024 * 1024);

    public byte[] Serialized { get; } = MspRegistry.Serialize(mspId, identity.Certificate);

    public Envelope Sign(string channel, HeaderType type, ByteString data) =>
        SignedEnvelope.Create(channel, type, data, Serialized, identity.Signer, tlsCertHash: tls.CertificateHash);

    public async Task BroadcastAsync(Envelope envelope, CancellationToken cancellationToken)
    {
        try
        {
            using var call = new AtomicBroadcast.AtomicBroadcastClient(_channel).Broadcast(cancellationToken: cancellationToken);
            await call.RequestStream.WriteAsync(envelope, cancellationToken).ConfigureAwait(false);
            await call.RequestStream.CompleteAsync().ConfigureAwait(false);
            if (!await call.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false))
            {
                throw new CliException($"{address}: Broadcast ended without a response");
            }

            var response = call.ResponseStream.Current;
            if (response.Status != Status.Success)
            {
                throw new CliException($"{address}: {response.Status}: {response.Info}");
            }
        }
        catch (RpcException e)
        {
            throw new CliException($"{address}: {e.StatusCode}: {e.Status.Detail}");
        }
    }

    /// <summary>Blocks <paramref name="start"/>..<paramref name="stop"/> (waiting for those not yet cut, up to 30 s).</summary>
    public async Task<List<Block>> DeliverAsync(string channel, SeekPosition start, SeekPosition stop, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(s_timeout);
        try
        {
            using var call = new AtomicBroadcast.AtomicBroadcastClient(_channel).Deliver(cancellationToken: timeout.Token);
            var seek = new SeekInfo { Start = start, Stop = stop, Behavior = SeekInfo.Types.SeekBehavior.BlockUntilReady };
            await call.RequestStream.WriteAsync(Sign(channel, HeaderType.DeliverSeekInfo, seek.ToByteString()), timeout.Token).ConfigureAwait(false);
            var blocks = new List<Block>();
            while (await call.ResponseStream.MoveNext(timeout.Token).ConfigureAwait(false))
            {
                var response = call.ResponseStream.Current;
                if (response.TypeCase == DeliverResponse.TypeOneofCase.Status)
                {
                    await call.RequestStream.CompleteAsync().ConfigureAwait(false);
                    return response.Status == Status.Success ? blocks : throw new CliException($"{address}: Deliver: {response.Status}");
                }

                blocks.Add(response.Block);
            }

            throw new CliException($"{address}: Deliver ended without a status");
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && !cancellationToken.IsCancellationRequested)
        {
            throw new CliException($"{address}: no block arrived within {s_timeout.TotalSeconds} s");
        }
        catch (RpcException e)
        {
            throw new CliException($"{address}: {e.StatusCode}: {e.Status.Detail}");
        }
    }

    /// <summary>The newest block's number and the configuration in force (from the last config block it points to).</summary>
    public async Task<(ulong Height, ChannelConfig Config)> FetchConfigAsync(string channel, CancellationToken cancellationToken)
    {
        var newest = new SeekPosition { Newest = new SeekNewest() };
        var last = (await DeliverAsync(channel, newest, newest, cancellationToken).ConfigureAwait(false)).Single();
        var signatures = last.Metadata.Metadata.ElementAtOrDefault((int)BlockMetadataIndex.Signatures);
        var configIndex = signatures is null || signatures.IsEmpty
            ? 0
            : OrdererBlockMetadata.Parser.ParseFrom(FnzChain.Protos.Common.Metadata.Parser.ParseFrom(signatures).Value).LastConfig?.Index ?? 0;
        var at = new SeekPosition { Specified = new SeekSpecified { Number = configIndex } };
        var configBlock = (await DeliverAsync(channel, at, at, cancellationToken).ConfigureAwait(false)).Single();
        return (last.Header.Number + 1, ConfigBlock.ReadConfig(configBlock));
    }

    /// <summary>
    /// The config block an accepted CONFIG_UPDATE <paramref name="sent"/> became: the first config block at or after
    /// <paramref name="from"/> whose <c>last_update</c> is that envelope. Transaction blocks cut meanwhile (a busy channel)
    /// are skipped; a config block made from another update means that one was applied first and this one dropped as stale.
    /// </summary>
    public async Task<(ulong Number, ChannelConfig Config)> WaitForConfigBlockAsync(string channel, ulong from, Envelope sent, CancellationToken cancellationToken)
    {
        const int MaxBlocksScanned = 1_000;
        for (var number = from; number < from + MaxBlocksScanned; number++)
        {
            var at = new SeekPosition { Specified = new SeekSpecified { Number = number } };
            var block = (await DeliverAsync(channel, at, at, cancellationToken).ConfigureAwait(false)).Single();
            if (!ConfigBlock.IsConfigBlock(block))
            {
                continue;
            }

            var config = ConfigBlock.ReadConfig(block);
            return ConfigBlock.ReadEnvelope(block).Envelope.LastUpdate?.Equals(sent) == true
                ? (number, config)
                : throw new CliException(
                    $"config block {number} (config sequence {config.Sequence}) was made from another update, applied first; this one was dropped as stale: compute it again from the current config");
        }

        throw new CliException($"the orderer accepted the update but no config block followed within {MaxBlocksScanned} blocks of {from}");
    }

    public void Dispose() => _channel.Dispose();
}
