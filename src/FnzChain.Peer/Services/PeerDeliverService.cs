using FnzChain.Identity.Channels;
using FnzChain.Identity.Policies;
using FnzChain.Node.Audit;
using FnzChain.Node.Channels;
using FnzChain.Node.Delivery;
using FnzChain.Node.Rpc;
using FnzChain.Peer.Chaincode;
using FnzChain.Peer.Channels;
using FnzChain.Protos.Common;
using FnzChain.Protos.Ledger.Rwset;
using FnzChain.Protos.Peer;
using Google.Protobuf;
using Grpc.Core;
using Status = FnzChain.Protos.Common.Status;

namespace FnzChain.Peer.Services;

/// <summary>
/// Fabric's <c>protos.Deliver</c> on a peer: committed blocks (with the peer's validation codes), filtered blocks
/// (tx id, type, validation code and chaincode event names only) for clients that only follow outcomes, or blocks
/// with the private data the requester's organisation may see.
/// </summary>
public sealed class PeerDeliverService(ChannelRegistry<PeerChannel> channels, ClientFaultLog faults, FnzChain.Node.Tls.NodeTls tls) : Deliver.DeliverBase
{
    public override Task Deliver(IAsyncStreamReader<Envelope> requestStream, IServerStreamWriter<DeliverResponse> responseStream, ServerCallContext context) =>
        ServeAsync(requestStream, responseStream, context, _ => block => new DeliverResponse { Block = block });

    public override Task DeliverFiltered(IAsyncStreamReader<Envelope> requestStream, IServerStreamWriter<DeliverResponse> responseStream, ServerCallContext context) =>
        ServeAsync(requestStream, responseStream, context, _ => block => new DeliverResponse { FilteredBlock = FilteredBlocks.From(block) });

    /// <summary>
    /// Blocks with the private data this peer stored for them (<see cref="Ledger.Private.PrivateDataStore"/>), limited
    /// to the collections whose member policy the requester satisfies (as Fabric's collection access filter).
    /// </summary>
    public override Task DeliverWithPrivateData(IAsyncStreamReader<Envelope> requestStream, IServerStreamWriter<DeliverResponse> responseStream, ServerCallContext context) =>
        ServeAsync(requestStream, responseStream, context, request =>
        {
            var withPrivateData = PrivateDataFor(request);
            return block => new DeliverResponse { BlockAndPrivateData = withPrivateData(block) };
        });

    /// <summary>
    /// For one request: each block with the private data its requester may see. Membership is decided once per
    /// collection and configuration (a config block may change it mid-stream). A request that does not parse gets
    /// bare blocks — Deliver refuses it before sending any.
    /// </summary>
    private Func<Block, BlockAndPrivateData> PrivateDataFor(Envelope request)
    {
        SignedEnvelope parsed;
        try
        {
            parsed = SignedEnvelope.Parse(request);
        }
        catch (Exception e) when (e is FormatException or InvalidProtocolBufferException)
        {
            return block => new BlockAndPrivateData { Block = block };
        }

        var allowed = new Dictionary<(ulong Sequence, string Ns, string Collection), bool>();
        return block =>
        {
            var result = new BlockAndPrivateData { Block = block };
            if (channels.Find(parsed.ChannelId) is not { } channel || block.Header is null)
            {
                return result;
            }

            var bundle = channel.Bundle;
            var requester = bundle.Msps.Deserialize(parsed.SignedData.Identity.Span);
            if (!requester.IsValid)
            {
                return result;
            }

            bool MayRead(string ns, string collection)
            {
                var key = (bundle.Config.Sequence, ns, collection);
                if (!allowed.TryGetValue(key, out var may))
                {
                    var definition = bundle.Chaincode(ns);
                    may = definition is not null && CollectionAccess.Compile(definition).TryGetValue(collection, out var found)
                        && found.Members.Evaluate(SignatureSet.Verified(requester.Identity!)).IsSatisfied;
                    allowed[key] = may;
                }

                return may;
            }

            foreach (var (index, data) in channel.Ledger.PrivateData.ForBlock(block.Header.Number))
            {
                var visible = new TxPvtReadWriteSet { DataModel = data.DataModel };
                foreach (var ns in data.NsPvtRwset)
                {
                    var kept = new NsPvtReadWriteSet { Namespace = ns.Namespace };
                    kept.CollectionPvtRwset.AddRange(ns.CollectionPvtRwset.Where(c => MayRead(ns.Namespace, c.CollectionName)));
                    if (kept.CollectionPvtRwset.Count > 0)
                    {
                        visible.NsPvtRwset.Add(kept);
                    }
                }

                if (visible.NsPvtRwset.Count > 0)
                {
                    result.PrivateDataMap[(ulong)index] = visible;
                }
            }

            return result;
        };
    }

    private async Task ServeAsync(
        IAsyncStreamReader<Envelope> requestStream, IServerStreamWriter<DeliverResponse> responseStream, ServerCallContext context, Func<Envelope, Func<Block, DeliverResponse>> responseFor)
    {
        var cancellationToken = context.CancellationToken;
        while (await requestStream.MoveNext(cancellationToken).ConfigureAwait(false))
        {
            var request = requestStream.Current;
            var response = responseFor(request);
            var (status, info) = await BlockDelivery.ServeAsync(
                request,
                id => channels.Find(id) is { } channel ? new DeliverSource(() => channel.Bundle, channel.Ledger.Blocks) : null,
                (block, seek, ct) => responseStream.WriteAsync(response(BlockDelivery.ForContentType(block, seek)), ct),
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
}
