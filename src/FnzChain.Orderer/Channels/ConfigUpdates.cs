using System.Security.Cryptography;
using FnzChain.Crypto.Signatures;
using FnzChain.Identity.Channels;
using FnzChain.Identity.Policies;
using FnzChain.Protos.Common;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace FnzChain.Orderer.Channels;

/// <summary>
/// Channel configuration changes at the orderer. A client submits a CONFIG_UPDATE envelope whose data is Fabric's
/// <c>common.ConfigUpdateEnvelope</c>: a <c>common.ConfigUpdate</c> (read set and write set of the tree) and the
/// signatures of the admins it needs (over signature header ‖ update bytes). The orderer applies it with Fabric's
/// rules (<see cref="ConfigUpdateRules.Apply"/>) and, if it passes, wraps the result in a CONFIG envelope
/// (<c>common.ConfigEnvelope { config, last_update }</c>) that is cut into a block of its own.
/// </summary>
public static class ConfigUpdates
{
    /// <summary>Signs a serialized <see cref="ConfigUpdate"/> as one admin (an entry of <see cref="ConfigUpdateEnvelope.Signatures"/>).</summary>
    public static ConfigSignature Sign(ByteString configUpdate, ReadOnlyMemory<byte> serializedIdentity, EcdsaSigner signer)
    {
        ArgumentNullException.ThrowIfNull(configUpdate);
        ArgumentNullException.ThrowIfNull(signer);
        var header = new SignatureHeader
        {
            Creator = ByteString.CopyFrom(serializedIdentity.Span),
            Nonce = ByteString.CopyFrom(RandomNumberGenerator.GetBytes(24)),
        }.ToByteString();
        return new ConfigSignature { SignatureHeader = header, Signature = ByteString.CopyFrom(signer.Sign([.. header.Span, .. configUpdate.Span])) };
    }

    /// <summary>
    /// Checks a CONFIG_UPDATE envelope against <paramref name="current"/> and returns the configuration it leads to
    /// (sequence + 1). A <see cref="ConfigUpdateRejectedException"/> says why it cannot be applied.
    /// </summary>
    public static Config Validate(ChannelBundle current, SignedEnvelope envelope, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(envelope);
        ConfigUpdateEnvelope updateEnvelope;
        try
        {
            updateEnvelope = ConfigUpdateEnvelope.Parser.ParseFrom(envelope.Payload.Data);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new ConfigUpdateRejectedException($"config update envelope does not parse as common.ConfigUpdateEnvelope: {e.Message}");
        }

        return ConfigUpdateRules.Apply(current, updateEnvelope, now);
    }

    /// <summary>The CONFIG envelope the orderer orders for an accepted update, signed by the orderer.</summary>
    public static Envelope ToConfigEnvelope(string channelId, Config next, Envelope lastUpdate, ReadOnlyMemory<byte> ordererIdentity, EcdsaSigner signer, DateTimeOffset now)
    {
        var payload = new Payload
        {
            Header = new Header
            {
                ChannelHeader = new ChannelHeader
                {
                    Type = (int)HeaderType.Config,
                    ChannelId = channelId,
                    TxId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)),
                    Timestamp = Timestamp.FromDateTimeOffset(now),
                }.ToByteString(),
                SignatureHeader = new SignatureHeader
                {
                    Creator = ByteString.CopyFrom(ordererIdentity.Span),
                    Nonce = ByteString.CopyFrom(RandomNumberGenerator.GetBytes(24)),
                }.ToByteString(),
            },
            Data = new ConfigEnvelope { Config = next, LastUpdate = lastUpdate }.ToByteString(),
        }.ToByteString();
        return new Envelope { Payload = payload, Signature = ByteString.CopyFrom(signer.Sign(payload.Span)) };
    }
}
