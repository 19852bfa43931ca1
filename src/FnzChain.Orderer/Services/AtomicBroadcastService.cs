using FnzChain.Node.Rpc;
using FnzChain.Node.Channels;
using FnzChain.Identity.Channels;
using FnzChain.Orderer.Channels;
using FnzChain.Node;
using FnzChain.Node.Delivery;
using FnzChain.Protos.Common;
using FnzChain.Protos.Orderer;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Status = FnzChain.Protos.Common.Status;

namespace FnzChain.Orderer.Services;

/// <summary>
/// Fabric's <c>orderer.AtomicBroadcast</c>: Broadcast takes signed envelopes for ordering (channel, size,
/// signature and Writers policy checked first); Deliver streams a channel's blocks to its Readers. Every
/// rejection is a <c>common.Status</c> with a one-line reason, logged once.
/// </summary>
public sealed class AtomicBroadcastService(ChannelRegistry<OrdererChannel> channels, LocalIdentity local, TimeProvider time, ClientFaultLog faults) : AtomicBroadcast.AtomicBroadcastBase
{
    public override async Task Broadcast(IAsyncStreamReader<Envelope> requestStream, IServerStreamWriter<BroadcastResponse> responseStream, ServerCallContext context)
    {
        var cancellationToken = context.CancellationToken;
        while (await requestStream.MoveNext(cancellationToken).ConfigureAwait(false))
        {
            var (status, info) = await OrderAsync(requestStream.Current, cancellationToken).ConfigureAwait(false);
            OrdererMetrics.Broadcasts.Add(1, new KeyValuePair<string, object?>("status", status.ToString()));
            if (status != Status.Success)
            {
                faults.Refused(context.Method, context.Peer, status.ToString(), info);
            }

            await responseStream.WriteAsync(new BroadcastResponse { Status = status, Info = info }, cancellationToken).ConfigureAwait(false);
        }
    }

    public override async Task Deliver(IAsyncStreamReader<Envelope> requestStream, IServerStreamWriter<DeliverResponse> responseStream, ServerCallContext context)
    {
        var cancellationToken = context.CancellationToken;
        while (await requestStream.MoveNext(cancellationToken).ConfigureAwait(false))
        {
            var (status, info) = await BlockDelivery.ServeAsync(
                requestStream.Current,
                id => channels.Find(id) is { } channel ? new DeliverSource(() => channel.Bundle, channel.Ledger.Blocks) : null,
                (block, seek, ct) => responseStream.WriteAsync(new DeliverResponse { Block = BlockDelivery.ForContentType(block, seek) }, ct),
                cancellationToken).ConfigureAwait(false);
            if (status != Status.Success)
            {
                faults.Refused(context.Method, context.Peer, status.ToString(), info);
            }

            await responseStream.WriteAsync(new DeliverResponse { Status = status }, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<(Status, string)> OrderAsync(Envelope envelope, CancellationToken cancellationToken)
    {
        SignedEnvelope parsed;
        try
        {
            parsed = SignedEnvelope.Parse(envelope);
        }
        catch (FormatException e)
        {
            return (Status.BadRequest, e.Message);
        }

        if (channels.Find(parsed.ChannelId) is not { } channel)
        {
            return (Status.NotFound, $"channel \"{parsed.ChannelId}\" does not exist on this orderer");
        }

        var bundle = channel.Bundle;
        var size = envelope.CalculateSize();
        var limit = bundle.Config.Orderer.BatchSize.AbsoluteMaxBytes;
        if (limit > 0 && size > limit)
        {
            return (Status.RequestEntityTooLarge, $"envelope of {size} bytes exceeds channel {parsed.ChannelId}'s absolute_max_bytes of {limit}");
        }

        switch (parsed.Type)
        {
            case HeaderType.EndorserTransaction or HeaderType.Message or HeaderType.ConfigUpdate:
                break;
            case HeaderType.Config:
                return (Status.BadRequest, "CONFIG envelopes are produced by the orderer; submit a CONFIG_UPDATE");
            default:
                return (Status.BadRequest, $"envelopes of header type {(int)parsed.Type} are not accepted for ordering");
        }

        var writers = bundle.Evaluate(ChannelBundle.Writers, [parsed.SignedData]);
        if (!writers.IsSatisfied)
        {
            return (Status.Forbidden, writers.Reason);
        }

        if (parsed.Type == HeaderType.ConfigUpdate)
        {
            try
            {
                var next = ConfigUpdates.Validate(bundle, parsed);
                var config = ConfigUpdates.ToConfigEnvelope(next, envelope, local.Serialized, local.Signing.Signer, time.GetUtcNow());
                await channel.Consenter.OrderAsync(config, isConfig: true, cancellationToken).ConfigureAwait(false);
                return (Status.Success, string.Empty);
            }
            catch (ConfigUpdateRejectedException e)
            {
                return (e.IsAuthorization ? Status.Forbidden : Status.BadRequest, e.Message);
            }
        }

        await channel.Consenter.OrderAsync(envelope, isConfig: false, cancellationToken).ConfigureAwait(false);
        return (Status.Success, string.Empty);
    }
}
