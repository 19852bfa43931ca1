using FnzChain.Identity.Channels;
using FnzChain.Identity.Msp;
using FnzChain.Node;
using FnzChain.Node.Audit;
using FnzChain.Protos.PrivateData;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace FnzChain.Peer.PrivateData;

/// <summary>Signing and authenticating peer-to-peer private data messages: signed by a peer of a channel organisation, recent.</summary>
internal static class PeerMessages
{
    /// <summary>How far a message's timestamp may be from this peer's clock.</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(15);

    public static SignedPrivateDataMessage Sign(IMessage message, LocalIdentity local)
    {
        var bytes = message.ToByteString();
        return new SignedPrivateDataMessage
        {
            Message = bytes,
            Creator = ByteString.CopyFrom(local.Serialized),
            Signature = ByteString.CopyFrom(local.Signing.Signer.Sign(bytes.Span)),
        };
    }

    /// <summary>The sending peer, or why it is refused: not a valid peer identity of the channel, a bad signature, or a stale timestamp.</summary>
    public static (ValidatedIdentity? Sender, string? Error) Authenticate(SignedPrivateDataMessage signed, ChannelBundle bundle, Timestamp? timestamp, DateTimeOffset now, AuditEntry? audit = null)
    {
        var creator = bundle.Msps.Deserialize(signed.Creator.Span);
        if (creator.Identity is not { } identity)
        {
            audit?.AuthenticationFailed(creator.Rejection, signed.Creator.Span);
            return (null, $"sender: {creator.Error}");
        }

        if (!identity.HasRole(MspRoles.Peer))
        {
            return (null, $"sender {identity} is not a peer");
        }

        var check = identity.Verify(signed.Message.Span, signed.Signature.Span);
        if (!check.IsValid)
        {
            audit?.AuthenticationFailed(IdentityRejection.BadSignature, signed.Creator.Span);
            return (null, $"signature of {identity}: {check.Reason}");
        }

        audit?.Authenticated(identity);

        if (HeaderTime.Read(timestamp) is not { } sent || (sent - now).Duration() > ClockSkew)
        {
            return (null, $"message from {identity} is not within {ClockSkew.TotalMinutes} minutes of this peer's clock");
        }

        return (identity, null);
    }
}
