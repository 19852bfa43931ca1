using System.Security.Cryptography;
using FnzChain.Crypto.Signatures;
using FnzChain.Identity.Policies;
using FnzChain.Protos.Common;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace FnzChain.Identity.Channels;

/// <summary>An envelope decoded down to its headers, with the signed data its creator's signature covers.</summary>
public sealed record SignedEnvelope(Envelope Envelope, Payload Payload, ChannelHeader ChannelHeader, SignatureHeader SignatureHeader)
{
    public HeaderType Type => (HeaderType)ChannelHeader.Type;

    public string ChannelId => ChannelHeader.ChannelId;

    public string TxId => ChannelHeader.TxId;

    /// <summary>The creator's signature over the payload bytes as sent.</summary>
    public SignedData SignedData => new(SignatureHeader.Creator.Memory, Envelope.Payload.Memory, Envelope.Signature.Memory);

    /// <summary>
    /// Creates and signs an envelope as <paramref name="serializedIdentity"/>: a fresh nonce, the Fabric tx id
    /// (hex SHA-256 of nonce ‖ creator), the time, and the creator's signature over the payload bytes.
    /// </summary>
    public static Envelope Create(string channelId, HeaderType type, ByteString data, ReadOnlyMemory<byte> serializedIdentity, EcdsaSigner signer, TimeProvider? time = null, byte[]? tlsCertHash = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(signer);
        var nonce = RandomNumberGenerator.GetBytes(24);
        var payload = new Payload
        {
            Header = new Header
            {
                ChannelHeader = new ChannelHeader
                {
                    Type = (int)type,
                    ChannelId = channelId,
                    TxId = Convert.ToHexStringLower(SHA256.HashData([.. nonce, .. serializedIdentity.Span])),
                    Timestamp = Timestamp.FromDateTimeOffset((time ?? TimeProvider.System).GetUtcNow()),
                    TlsCertHash = tlsCertHash is null ? ByteString.Empty : ByteString.CopyFrom(tlsCertHash),
                }.ToByteString(),
                SignatureHeader = new SignatureHeader { Creator = ByteString.CopyFrom(serializedIdentity.Span), Nonce = ByteString.CopyFrom(nonce) }.ToByteString(),
            },
            Data = data,
        }.ToByteString();
        return new Envelope { Payload = payload, Signature = ByteString.CopyFrom(signer.Sign(payload.Span)) };
    }

    /// <summary>Decodes the envelope's payload and headers; a <see cref="FormatException"/> names the part that is wrong.</summary>
    public static SignedEnvelope Parse(Envelope envelope)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        if (envelope.Payload.IsEmpty)
        {
            throw new FormatException("envelope has no payload");
        }

        var payload = Decode(Payload.Parser, envelope.Payload, "payload");
        if (payload.Header is null)
        {
            throw new FormatException("payload has no header");
        }

        var channelHeader = Decode(ChannelHeader.Parser, payload.Header.ChannelHeader, "channel header");
        var signatureHeader = Decode(SignatureHeader.Parser, payload.Header.SignatureHeader, "signature header");
        return new SignedEnvelope(envelope, payload, channelHeader, signatureHeader);
    }

    private static T Decode<T>(MessageParser<T> parser, ByteString bytes, string what)
        where T : IMessage<T>
    {
        try
        {
            return parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new FormatException($"{what} does not parse: {e.Message}", e);
        }
    }
}
