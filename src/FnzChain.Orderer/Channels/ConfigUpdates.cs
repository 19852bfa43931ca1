using FnzChain.Node.Channels;
using System.Security.Cryptography;
using FnzChain.Crypto.Signatures;
using FnzChain.Identity.Channels;
using FnzChain.Identity.Policies;
using FnzChain.Protos.Common;
using FnzChain.Protos.Config;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
// FnzChain's own config messages until issue 14 moves channel config to Fabric's (same names in FnzChain.Protos.Common).
using ConfigEnvelope = FnzChain.Protos.Config.ConfigEnvelope;
using ConfigSignature = FnzChain.Protos.Config.ConfigSignature;
using ConfigUpdate = FnzChain.Protos.Config.ConfigUpdate;
using ConfigUpdateEnvelope = FnzChain.Protos.Config.ConfigUpdateEnvelope;

namespace FnzChain.Orderer.Channels;

/// <summary>
/// Channel configuration changes. A client submits a CONFIG_UPDATE envelope whose data is a
/// <see cref="ConfigUpdateEnvelope"/>: the full new configuration, the sequence it is based on, and signatures of
/// enough admins (over signature header ‖ update bytes, as Fabric signs config updates). The orderer checks the
/// update against the configuration in force and, if it passes, wraps it into a CONFIG envelope that is cut into a
/// block of its own.
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
    /// Checks a CONFIG_UPDATE against <paramref name="current"/> and returns the configuration it leads to (sequence
    /// + 1). A <see cref="ConfigUpdateRejectedException"/> says why it cannot be applied.
    /// </summary>
    public static ChannelConfig Validate(ChannelBundle current, SignedEnvelope envelope)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(envelope);
        ConfigUpdateEnvelope updateEnvelope;
        ConfigUpdate update;
        try
        {
            updateEnvelope = ConfigUpdateEnvelope.Parser.ParseFrom(envelope.Payload.Data);
            update = ConfigUpdate.Parser.ParseFrom(updateEnvelope.ConfigUpdate);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new ConfigUpdateRejectedException($"config update does not parse: {e.Message}");
        }

        var channel = current.ChannelId;
        if (update.ChannelId != channel || update.Config?.ChannelId != channel)
        {
            throw new ConfigUpdateRejectedException($"config update is for channel {update.ChannelId} (config {update.Config?.ChannelId}), not {channel}");
        }

        if (update.BaseSequence != current.Config.Sequence)
        {
            throw new ConfigUpdateRejectedException(
                $"config update is based on sequence {update.BaseSequence} but channel {channel} is at sequence {current.Config.Sequence}; fetch the latest config and sign again");
        }

        var next = update.Config.Clone();
        next.Sequence = current.Config.Sequence + 1;
        if (next.Orderer?.ConsenterType != current.Config.Orderer.ConsenterType)
        {
            throw new ConfigUpdateRejectedException($"config update changes the consenter type of channel {channel}, which is not supported");
        }

        try
        {
            _ = ChannelBundle.Create(next);
        }
        catch (ChannelConfigException e)
        {
            throw new ConfigUpdateRejectedException($"config update is not a valid configuration: {e.Message}");
        }

        if (ChannelBundle.TransitionProblem(current.Config, next) is { } problem)
        {
            throw new ConfigUpdateRejectedException($"config update is not allowed: {problem}");
        }

        var policy = string.IsNullOrEmpty(current.Config.ModificationPolicy) ? ChannelBundle.Admins : current.Config.ModificationPolicy;
        var signatures = new List<SignedData>();
        foreach (var signature in updateEnvelope.Signatures)
        {
            SignatureHeader header;
            try
            {
                header = SignatureHeader.Parser.ParseFrom(signature.SignatureHeader);
            }
            catch (InvalidProtocolBufferException e)
            {
                throw new ConfigUpdateRejectedException($"a config update signature header does not parse: {e.Message}");
            }

            signatures.Add(new SignedData(header.Creator.Memory, (byte[])[.. signature.SignatureHeader.Span, .. updateEnvelope.ConfigUpdate.Span], signature.Signature.Memory));
        }

        var result = current.Evaluate(policy, signatures);
        return result.IsSatisfied ? next : throw new ConfigUpdateRejectedException($"config update not authorized: {result.Reason}", isAuthorization: true);
    }

    /// <summary>The CONFIG envelope the orderer orders for an accepted update, signed by the orderer.</summary>
    public static Envelope ToConfigEnvelope(ChannelConfig next, Envelope lastUpdate, ReadOnlyMemory<byte> ordererIdentity, EcdsaSigner signer, DateTimeOffset now)
    {
        var payload = new Payload
        {
            Header = new Header
            {
                ChannelHeader = new ChannelHeader
                {
                    Type = (int)HeaderType.Config,
                    ChannelId = next.ChannelId,
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

/// <summary>A config update that cannot be applied; the message says why (sequence, validity, missing signatures).</summary>
public sealed class ConfigUpdateRejectedException(string message, bool isAuthorization = false) : Exception(message)
{
    /// <summary>True when the update is well formed but not signed by enough admins.</summary>
    public bool IsAuthorization { get; } = isAuthorization;
}
