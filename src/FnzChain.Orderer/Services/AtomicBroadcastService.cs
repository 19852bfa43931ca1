using FnzChain.Node.Audit;
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
public sealed class AtomicBroadcastService(ChannelRegistry<OrdererChannel> channels, ClientFaultLog faults, FnzChain.Node.Tls.NodeTls tls) : AtomicBroadcast.AtomicBroadcastBase
{
    /// <summary>Envelopes of one Broadcast stream being ordered at once (answers still go back in order).</summary>
    public const int MaxInFlightPerStream = 64;

    /// <remarks>
    /// Pipelined: the next envelope is checked and handed to the consenter while earlier ones wait for it (the Kafka
    /// consenter answers once the brokers acknowledged, a few milliseconds), so a stream that many submissions share — a
    /// gateway keeps one per orderer — is not held to one envelope per acknowledgement. Envelopes reach the consenter in
    /// the stream's order, answers go back in the same order, and at most <see cref="MaxInFlightPerStream"/> are pending.
    /// </remarks>
    public override async Task Broadcast(IAsyncStreamReader<Envelope> requestStream, IServerStreamWriter<BroadcastResponse> responseStream, ServerCallContext context)
    {
        // The answers stop (a write failed): stop reading too, so the reader never waits on a queue nobody drains.
        using var stopped = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
        var cancellationToken = stopped.Token;
        var pending = System.Threading.Channels.Channel.CreateBounded<Task<(Status, string)>>(
            new System.Threading.Channels.BoundedChannelOptions(MaxInFlightPerStream) { SingleReader = true, SingleWriter = true });
        var answering = AnswerAsync(pending.Reader, responseStream, context);
        _ = answering.ContinueWith(_ => CancelQuietly(stopped), CancellationToken.None, TaskContinuationOptions.NotOnRanToCompletion | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        try
        {
            while (await requestStream.MoveNext(cancellationToken).ConfigureAwait(false))
            {
                // The entry of the message just read: ordering is pipelined, so it is taken now, not when OrderAsync resumes.
                await pending.Writer.WriteAsync(OrderAsync(requestStream.Current, AuditEntry.Of(context), cancellationToken), cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            pending.Writer.TryComplete();
        }

        await answering.ConfigureAwait(false);
    }

    private static void CancelQuietly(CancellationTokenSource source)
    {
        try
        {
            source.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // the call already ended
        }
    }

    private async Task AnswerAsync(System.Threading.Channels.ChannelReader<Task<(Status, string)>> pending, IServerStreamWriter<BroadcastResponse> responseStream, ServerCallContext context)
    {
        await foreach (var ordering in pending.ReadAllAsync(context.CancellationToken).ConfigureAwait(false))
        {
            var (status, info) = await ordering.ConfigureAwait(false);
            OrdererMetrics.Broadcasts.Add(1, new KeyValuePair<string, object?>("status", status.ToString()));
            if (status != Status.Success)
            {
                faults.Refused(context.Method, context.Peer, status.ToString(), info);
            }

            await responseStream.WriteAsync(new BroadcastResponse { Status = status, Info = info }, context.CancellationToken).ConfigureAwait(false);
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
                cancellationToken,
                FnzChain.Node.Tls.TlsBinding.RequiredHash(tls, context),
                AuditEntry.Of(context)).ConfigureAwait(false);
            if (status != Status.Success)
            {
                faults.Refused(context.Method, context.Peer, status.ToString(), info);
            }

            await responseStream.WriteAsync(new DeliverResponse { Status = status }, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Checks one envelope and hands it to the channel's consenter. Every outcome is a status with a reason: an
    /// envelope that cannot even be checked is BAD_REQUEST (one bad envelope must not end a stream that others'
    /// transactions share), one too large for the consenter's transport REQUEST_ENTITY_TOO_LARGE, a consenter that
    /// cannot take it SERVICE_UNAVAILABLE.
    /// </summary>
    /// <remarks>
    /// An identity locked out by the authentication throttle is answered in-band, <c>SERVICE_UNAVAILABLE</c> with the
    /// retry-after in the info: a Broadcast stream is shared by a gateway's submissions of many clients, and ending
    /// it would refuse them all.
    /// </remarks>
    private async Task<(Status, string)> OrderAsync(Envelope envelope, AuditEntry? audit, CancellationToken cancellationToken)
    {
        OrdererChannel channel;
        Admission admission;
        try
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

            audit?.Describe(parsed.ChannelId, parsed.TxId);
            if (channels.Find(parsed.ChannelId) is not { } found)
            {
                return (Status.NotFound, $"channel \"{parsed.ChannelId}\" does not exist on this orderer");
            }

            if (audit?.IdentityLockout(parsed.SignatureHeader.Creator.Span) is { } locked)
            {
                return (Status.ServiceUnavailable, locked.Status.Detail);
            }

            channel = found;
            admission = channel.Admit(envelope, parsed, audit);
            if (admission.Envelope is null)
            {
                return (admission.Status, admission.Reason);
            }
        }
        catch (Exception e) when (e is not (OperationCanceledException or OutOfMemoryException))
        {
            return (Status.BadRequest, $"envelope cannot be checked: {e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}");
        }

        try
        {
            await channel.Consenter.OrderAsync(admission.Envelope, admission.ConfigSequence, admission.IsConfig, cancellationToken).ConfigureAwait(false);
            return (Status.Success, string.Empty);
        }
        catch (FnzChain.Orderer.Consensus.EnvelopeTooLargeException e)
        {
            return (Status.RequestEntityTooLarge, e.Message);
        }
        catch (Exception e) when (e is not (OperationCanceledException or OutOfMemoryException))
        {
            return (Status.ServiceUnavailable, $"channel {channel.ChannelId} cannot order now: {e.Message.ReplaceLineEndings(" ")}");
        }
    }
}
