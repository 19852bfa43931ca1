using FnzChain.Crypto.Signatures;
using FnzChain.Identity.Msp;
using FnzChain.Protos.Admin;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace FnzChain.Identity.Admin;

/// <summary>
/// Signed administration requests to a node (join channel, list channels, …): the operator signs a serialized
/// <see cref="AdminRequest"/>; the node accepts it only from an admin of its own organisation, with a valid
/// signature and a timestamp within <see cref="ClockSkew"/>.
/// </summary>
public static class AdminRequests
{
    public static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(15);

    /// <summary>Signs <paramref name="request"/> (stamping the time) as <paramref name="serializedIdentity"/>.</summary>
    public static SignedAdminRequest Sign(AdminRequest request, ReadOnlyMemory<byte> serializedIdentity, EcdsaSigner signer, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(signer);
        request.Timestamp = Timestamp.FromDateTimeOffset((time ?? TimeProvider.System).GetUtcNow());
        var bytes = request.ToByteString();
        return new SignedAdminRequest
        {
            Request = bytes,
            Creator = ByteString.CopyFrom(serializedIdentity.Span),
            Signature = ByteString.CopyFrom(signer.Sign(bytes.Span)),
        };
    }

    /// <summary>The request when its signer is an admin of <paramref name="localMsp"/>; otherwise a one-line reason.</summary>
    public static (AdminRequest? Request, string? Error) Authorize(SignedAdminRequest signed, MspRegistry localMsp) => Authorize(signed, localMsp, out _, out _);

    /// <summary>
    /// As <see cref="Authorize(SignedAdminRequest, MspRegistry)"/>, also saying who signed (<paramref name="signer"/>, when
    /// the signature verified) or why the signer did not authenticate (<paramref name="rejection"/>; None when it did, or
    /// when it is refused for another reason such as not being an admin).
    /// </summary>
    public static (AdminRequest? Request, string? Error) Authorize(SignedAdminRequest signed, MspRegistry localMsp, out ValidatedIdentity? signer, out IdentityRejection rejection)
    {
        ArgumentNullException.ThrowIfNull(signed);
        ArgumentNullException.ThrowIfNull(localMsp);
        signer = null;
        rejection = IdentityRejection.None;
        var identity = localMsp.Deserialize(signed.Creator.Span);
        if (!identity.IsValid)
        {
            rejection = identity.Rejection;
            return (null, $"the request's signer is not a member of this node's organisation: {identity.Error}");
        }

        if (!identity.Identity!.HasRole(MspRoles.Admin))
        {
            return (null, $"{identity.Identity} is not an admin of {identity.Identity.MspId}");
        }

        var check = identity.Identity.Verify(signed.Request.Span, signed.Signature.Span);
        if (check.Status != SignatureStatus.Valid)
        {
            rejection = IdentityRejection.BadSignature;
            return (null, $"the request's signature does not verify: {check.Reason}");
        }

        signer = identity.Identity;

        AdminRequest request;
        try
        {
            request = AdminRequest.Parser.ParseFrom(signed.Request);
        }
        catch (InvalidProtocolBufferException e)
        {
            return (null, $"the request does not parse: {e.Message}");
        }

        var now = localMsp.Time.GetUtcNow();
        if (Channels.HeaderTime.Read(request.Timestamp) is not { } sent || (sent - now).Duration() > ClockSkew)
        {
            return (null, $"the request's timestamp is missing or more than {ClockSkew.TotalMinutes} minutes from this node's clock");
        }

        return (request, null);
    }
}
