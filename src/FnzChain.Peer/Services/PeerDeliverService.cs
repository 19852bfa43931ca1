using FnzChain.Node.Channels;
using FnzChain.Node.Delivery;
using FnzChain.Peer.Channels;
using FnzChain.Protos.Common;
using FnzChain.Protos.Peer;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Status = FnzChain.Protos.Common.Status;

namespace FnzChain.Peer.Services;

/// <summary>
/// Fabric's <c>protos.Deliver</c> on a peer: committed blocks (with the peer's validation codes), or filtered blocks
/// (tx id, type, validation code and chaincode event names only) for clients that only follow outcomes.
/// </summary>
public sealed partial class PeerDeliverService(ChannelRegistry<PeerChannel> channels, ILogger<PeerDeliverService> logger) : Deliver.DeliverBase
{
    public override Task Deliver(IAsyncStreamReader<Envelope> requestStream, IServerStreamWriter<DeliverResponse> responseStream, ServerCallContext context) =>
        ServeAsync(requestStream, responseStream, context, block => new DeliverResponse { Block = block });

    public override Task DeliverFiltered(IAsyncStreamReader<Envelope> requestStream, IServerStreamWriter<DeliverResponse> responseStream, ServerCallContext context) =>
        ServeAsync(requestStream, responseStream, context, block => new DeliverResponse { FilteredBlock = FilteredBlocks.From(block) });

    private async Task ServeAsync(IAsyncStreamReader<Envelope> requestStream, IServerStreamWriter<DeliverResponse> responseStream, ServerCallContext context, Func<Block, DeliverResponse> response)
    {
        var cancellationToken = context.CancellationToken;
        while (await requestStream.MoveNext(cancellationToken).ConfigureAwait(false))
        {
            var (status, info) = await BlockDelivery.ServeAsync(
                requestStream.Current,
                id => channels.Find(id) is { } channel ? new DeliverSource(() => channel.Bundle, channel.Ledger.Blocks) : null,
                (block, seek, ct) => responseStream.WriteAsync(response(BlockDelivery.ForContentType(block, seek)), ct),
                cancellationToken).ConfigureAwait(false);
            if (status != Status.Success)
            {
                LogRejected(logger, context.Method, context.Peer, status, info);
            }

            await responseStream.WriteAsync(new DeliverResponse { Status = status }, cancellationToken).ConfigureAwait(false);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Method} from {Peer} rejected: {Status} {Info}")]
    private static partial void LogRejected(ILogger logger, string method, string peer, Status status, string info);
}
