using System.Security.Cryptography;
using System.Text;
using FnzChain.Identity.Channels;
using FnzChain.Identity.Msp;
using FnzChain.Ledger.State;
using FnzChain.Node;
using FnzChain.Node.Audit;
using FnzChain.Node.Channels;
using FnzChain.Peer.Chaincode;
using FnzChain.Peer.Channels;
using FnzChain.Protos.PrivateData;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace FnzChain.Peer.PrivateData;

/// <summary>
/// FnzChain's peer-to-peer private data service. <b>Push</b>: an endorser of another member organisation sends a
/// transaction's private write sets; the collections both organisations are members of go to this peer's transient
/// store, where the committer finds them. <b>Pull</b>: a member peer missing plaintext asks for keys by hash and value
/// hash; this peer answers with what its private state holds with exactly those hashes. Senders must be peers of
/// member organisations; nothing is ever sent to or accepted from others. Payloads are never logged.
/// </summary>
public sealed partial class PrivateDataService(ChannelRegistry<PeerChannel> channels, LocalIdentity local, TimeProvider time, ILogger<PrivateDataService> logger)
    : Protos.PrivateData.PrivateData.PrivateDataBase
{
    public override Task<PrivateDataPushResult> Push(SignedPrivateDataMessage request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        var push = Decode(PrivateDataPush.Parser, request, context);
        AuditEntry.Of(context)?.Describe(push.ChannelId, push.TxId);
        var channel = Channel(push.ChannelId, context);
        var sender = Authenticate(request, channel, push.Timestamp, context);
        if (string.IsNullOrEmpty(push.TxId) || push.PrivateData is null)
        {
            throw Fail(context, StatusCode.InvalidArgument, "push without tx id or private data");
        }

        Func<string, Protos.Lifecycle.ChaincodeDefinition?> definitionOf = cc => channel.Bundle.Chaincode(cc);
        var forUs = CollectionAccess.MemberPart(CollectionAccess.MemberPart(push.PrivateData, definitionOf, sender.MspId), definitionOf, local.MspId);
        var offered = push.PrivateData.NsPvtRwset.Sum(n => n.CollectionPvtRwset.Count);
        var kept = forUs.NsPvtRwset.Sum(n => n.CollectionPvtRwset.Count);
        if (kept < offered)
        {
            LogDropped(logger, push.ChannelId, push.TxId, sender.ToString(), offered - kept);
        }

        if (kept > 0)
        {
            channel.Ledger.Transient.Persist(push.TxId, forUs, channel.Ledger.Height);
        }

        return Task.FromResult(new PrivateDataPushResult());
    }

    public override async Task<PrivateDataPullResult> Pull(SignedPrivateDataMessage request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        var pull = Decode(PrivateDataPull.Parser, request, context);
        AuditEntry.Of(context)?.Describe(pull.ChannelId);
        var channel = Channel(pull.ChannelId, context);
        var sender = Authenticate(request, channel, pull.Timestamp, context);
        var definition = channel.Bundle.Chaincode(pull.Namespace)
            ?? throw Fail(context, StatusCode.NotFound, $"chaincode \"{pull.Namespace}\" is not defined on channel {pull.ChannelId}");
        var collections = CollectionAccess.Compile(definition);
        if (!collections.TryGetValue(pull.Collection, out var collection))
        {
            throw Fail(context, StatusCode.NotFound, $"collection \"{pull.Collection}\" is not defined for chaincode {pull.Namespace}");
        }

        if (!collection.Members.IsSatisfiableBy(new HashSet<string>(StringComparer.Ordinal) { sender.MspId }))
        {
            throw Fail(context, StatusCode.PermissionDenied, $"{sender} is not a member of collection {pull.Collection}");
        }

        if (pull.Keys.Count > 10_000)
        {
            throw Fail(context, StatusCode.InvalidArgument, $"a pull asks for at most 10000 keys, not {pull.Keys.Count}");
        }

        var result = new PrivateDataPullResult();
        var state = channel.Ledger.State;
        foreach (var wanted in pull.Keys)
        {
            var index = await state.GetStateAsync(PrivateNamespaces.KeyIndex(pull.Namespace, pull.Collection), PrivateNamespaces.HashKey(wanted.KeyHash.Span), context.CancellationToken).ConfigureAwait(false);
            if (index is null)
            {
                continue;
            }

            var key = Encoding.UTF8.GetString(index.Value.Span);
            var value = await state.GetStateAsync(PrivateNamespaces.Private(pull.Namespace, pull.Collection), key, context.CancellationToken).ConfigureAwait(false);
            if (value is not null && SHA256.HashData(value.Value.Span).AsSpan().SequenceEqual(wanted.ValueHash.Span))
            {
                result.Entries.Add(new PulledEntry { Key = key, Value = ByteString.CopyFrom(value.Value.Span) });
            }
        }

        return result;
    }

    private T Decode<T>(MessageParser<T> parser, SignedPrivateDataMessage request, ServerCallContext context)
        where T : IMessage<T>
    {
        try
        {
            return parser.ParseFrom(request.Message);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw Fail(context, StatusCode.InvalidArgument, $"message does not parse: {e.Message}");
        }
    }

    private PeerChannel Channel(string channelId, ServerCallContext context) =>
        channels.Find(channelId) ?? throw Fail(context, StatusCode.NotFound, $"channel \"{channelId}\" is not joined by this peer");

    private ValidatedIdentity Authenticate(SignedPrivateDataMessage request, PeerChannel channel, Google.Protobuf.WellKnownTypes.Timestamp? timestamp, ServerCallContext context)
    {
        var audit = AuditEntry.Of(context);
        if (audit?.IdentityLockout(request.Creator.Span) is { } locked)
        {
            throw locked;
        }

        var (sender, error) = PeerMessages.Authenticate(request, channel.Bundle, timestamp, time.GetUtcNow(), audit);
        return sender ?? throw Fail(context, StatusCode.PermissionDenied, error!);
    }

    private RpcException Fail(ServerCallContext context, StatusCode code, string message)
    {
        return new RpcException(new Status(code, message));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Channel {Channel}: push of tx {TxId} from {Sender}: {Count} collection(s) dropped (sender or this peer not a member)")]
    private static partial void LogDropped(ILogger logger, string channel, string txId, string sender, int count);
}
