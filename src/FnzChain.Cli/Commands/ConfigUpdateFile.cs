using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using FnzChain.Identity.Channels;
using FnzChain.Identity.Policies;
using FnzChain.Protos.Common;
using FnzChain.Protos.Lifecycle;
using FnzChain.Protos.Msp;
using FnzChain.Protos.Orderer;
using FnzChain.Protos.Peer;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace FnzChain.Cli.Commands;

/// <summary>
/// A config update file as Fabric's tools pass them around (<c>update_in_envelope.pb</c>): a <c>common.Envelope</c>
/// whose payload has a CONFIG_UPDATE channel header and a <c>common.ConfigUpdateEnvelope</c> as data, with the admins'
/// signatures collected in it. The outer envelope is not signed: whoever submits it signs a fresh one. Fabric's
/// <c>peer channel signconfigtx</c> / <c>peer channel update</c> read and write the same file.
/// </summary>
internal static class ConfigUpdateFile
{
    /// <summary>Larger files are refused before they are parsed: no config update is near this.</summary>
    public const int MaxBytes = 16 * 1024 * 1024;

    public static Envelope Create(string channelId, ConfigUpdateEnvelope update)
    {
        var payload = new Payload
        {
            Header = new Header
            {
                ChannelHeader = new ChannelHeader { Type = (int)HeaderType.ConfigUpdate, ChannelId = channelId, Timestamp = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow) }.ToByteString(),
            },
            Data = update.ToByteString(),
        };
        return new Envelope { Payload = payload.ToByteString() };
    }

    public static void Write(string path, string channelId, ConfigUpdateEnvelope update)
    {
        var temporary = path + ".tmp";
        File.WriteAllBytes(temporary, Create(channelId, update).ToByteArray());
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Reads and checks an update file; every problem is one line naming the file.</summary>
    public static (string ChannelId, ConfigUpdateEnvelope Envelope, ConfigUpdate Update) Read(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new CliException($"update file {path} does not exist");
        }

        if (info.Length > MaxBytes)
        {
            throw new CliException($"update file {path} is {info.Length} bytes; a config update file is at most {MaxBytes}");
        }

        try
        {
            var envelope = Envelope.Parser.ParseFrom(File.ReadAllBytes(path));
            var payload = Payload.Parser.ParseFrom(envelope.Payload);
            var header = ChannelHeader.Parser.ParseFrom(payload.Header?.ChannelHeader ?? ByteString.Empty);
            if (header.Type != (int)HeaderType.ConfigUpdate)
            {
                throw new CliException($"update file {path} is not a config update: its envelope has header type {header.Type}, not CONFIG_UPDATE (2)");
            }

            var updateEnvelope = ConfigUpdateEnvelope.Parser.ParseFrom(payload.Data);
            var update = ConfigUpdate.Parser.ParseFrom(updateEnvelope.ConfigUpdate);
            if (update.WriteSet is null)
            {
                throw new CliException($"update file {path} holds a config update without a write set (truncated or not an update)");
            }

            if (update.ChannelId != header.ChannelId)
            {
                throw new CliException($"update file {path}: the envelope is for channel {header.ChannelId} but the update inside is for {update.ChannelId}");
            }

            return (update.ChannelId, updateEnvelope, update);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new CliException($"update file {path} is not a config update (truncated or corrupt): {e.Message}");
        }
    }

    /// <summary>Who signed, and whether each signature is over exactly these update bytes by the certificate it names.</summary>
    public static IEnumerable<string> DescribeSignatures(ConfigUpdateEnvelope envelope)
    {
        if (envelope.Signatures.Count == 0)
        {
            yield return "  no signatures yet";
            yield break;
        }

        foreach (var signature in envelope.Signatures)
        {
            string line;
            try
            {
                var header = SignatureHeader.Parser.ParseFrom(signature.SignatureHeader);
                var identity = SerializedIdentity.Parser.ParseFrom(header.Creator);
                using var certificate = X509Certificate2.CreateFromPem(identity.IdBytes.ToStringUtf8());
                using var key = certificate.GetECDsaPublicKey();
                var valid = key is not null && key.VerifyData(
                    (byte[])[.. signature.SignatureHeader.Span, .. envelope.ConfigUpdate.Span], signature.Signature.Span, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
                line = $"  {identity.Mspid} '{certificate.Subject}': {(valid ? "signature valid over this update" : "signature does NOT match this update (tampered after signing, or signed another update)")}";
            }
            catch (Exception e) when (e is InvalidProtocolBufferException or CryptographicException or ArgumentException)
            {
                line = $"  an unreadable signature ({e.Message})";
            }

            yield return line;
        }
    }

    /// <summary>A readable account of what an update changes: one line per added, removed or modified element, decoded.</summary>
    public static IEnumerable<string> DescribeChanges(ConfigUpdate update, ChannelBundle? current)
    {
        var lines = new List<string>();
        Walk("/Channel", update.ReadSet ?? new ConfigGroup(), update.WriteSet, current?.Config.Tree.ChannelGroup);
        return lines.Count == 0 ? ["  changes nothing"] : lines;

        void Walk(string path, ConfigGroup? read, ConfigGroup write, ConfigGroup? inForce)
        {
            var bumped = read is null || read.Version != write.Version;
            if (bumped && read is not null)
            {
                lines.Add($"  modifies group {path} (version {read.Version} → {write.Version}){Needs(inForce?.ModPolicy, path)}");
                foreach (var removed in read.Groups.Keys.Except(write.Groups.Keys))
                {
                    lines.Add($"  removes group {path}/{removed}");
                }

                foreach (var removed in read.Values.Keys.Except(write.Values.Keys))
                {
                    lines.Add($"  removes value {path}/{removed}");
                }

                foreach (var removed in read.Policies.Keys.Except(write.Policies.Keys))
                {
                    lines.Add($"  removes policy {path}/{removed}");
                }
            }

            foreach (var (key, value) in write.Values)
            {
                var before = read?.Values.GetValueOrDefault(key);
                if (before is not null && before.Version == value.Version)
                {
                    continue;
                }

                var old = inForce?.Values.GetValueOrDefault(key);
                lines.Add(before is null && old is null && value.Version == 0
                    ? $"  adds value {path}/{key}: {DescribeValue(key, value.Value)}"
                    : $"  sets value {path}/{key}: {(old is null ? string.Empty : DescribeValue(key, old.Value) + " → ")}{DescribeValue(key, value.Value)}{Needs(old?.ModPolicy, path)}");
            }

            foreach (var (key, policy) in write.Policies)
            {
                var before = read?.Policies.GetValueOrDefault(key);
                if (before is not null && before.Version == policy.Version)
                {
                    continue;
                }

                var old = inForce?.Policies.GetValueOrDefault(key);
                lines.Add(before is null && old is null && policy.Version == 0
                    ? $"  adds policy {path}/{key}: {DescribePolicy(policy.Policy)}"
                    : $"  sets policy {path}/{key}: {(old is null ? string.Empty : DescribePolicy(old.Policy) + " → ")}{DescribePolicy(policy.Policy)}{Needs(old?.ModPolicy, path)}");
            }

            foreach (var (key, child) in write.Groups)
            {
                var childRead = read?.Groups.GetValueOrDefault(key);
                if (childRead is null && inForce?.Groups.ContainsKey(key) != true)
                {
                    lines.Add($"  adds group {path}/{key}{DescribeNewGroup(child)}");
                    continue;
                }

                Walk($"{path}/{key}", childRead, child, inForce?.Groups.GetValueOrDefault(key));
            }
        }

        string Needs(string? modPolicy, string scope)
        {
            if (current is null || string.IsNullOrEmpty(modPolicy))
            {
                return string.Empty;
            }

            var path = ChannelBundle.ResolvePolicyPath(modPolicy, scope);
            return $"; needs {path}{(current.FindPolicy(path)?.Text is { } text ? $" ({text})" : string.Empty)}";
        }
    }

    private static string DescribeNewGroup(ConfigGroup group)
    {
        var parts = new List<string>();
        foreach (var (key, value) in group.Values)
        {
            parts.Add($"{key} {DescribeValue(key, value.Value)}");
        }

        if (group.Policies.Count > 0)
        {
            parts.Add("policies " + string.Join(", ", group.Policies.Select(p => $"{p.Key} {DescribePolicy(p.Value.Policy)}")));
        }

        return parts.Count == 0 ? string.Empty : ": " + string.Join("; ", parts);
    }

    internal static string DescribePolicy(Policy? policy)
    {
        try
        {
            return (Policy.Types.PolicyType)(policy?.Type ?? 0) switch
            {
                Policy.Types.PolicyType.Signature => SignaturePolicyEvaluator.Compile(SignaturePolicyEnvelope.Parser.ParseFrom(policy!.Value)).Text,
                Policy.Types.PolicyType.ImplicitMeta => ImplicitMetaPolicyEvaluator.Render(ImplicitMetaPolicy.Parser.ParseFrom(policy!.Value)),
                _ => $"a policy of type {policy?.Type ?? 0}",
            };
        }
        catch (Exception e) when (e is InvalidProtocolBufferException or PolicyException)
        {
            return $"an unreadable policy ({e.Message})";
        }
    }

    internal static string DescribeValue(string key, ByteString bytes)
    {
        try
        {
            return key switch
            {
                ConfigTree.MspKey => DescribeMsp(MSPConfig.Parser.ParseFrom(bytes)),
                ConfigTree.AnchorPeersKey => $"[{string.Join(", ", AnchorPeers.Parser.ParseFrom(bytes).AnchorPeers_.Select(a => $"{a.Host}:{a.Port}"))}]",
                ConfigTree.EndpointsKey or ConfigTree.OrdererAddressesKey => $"[{string.Join(", ", OrdererAddresses.Parser.ParseFrom(bytes).Addresses)}]",
                ConfigTree.BatchSizeKey => BatchSize.Parser.ParseFrom(bytes) is var b ? $"max {b.MaxMessageCount} messages, preferred {b.PreferredMaxBytes} bytes, absolute {b.AbsoluteMaxBytes} bytes" : string.Empty,
                ConfigTree.BatchTimeoutKey => BatchTimeout.Parser.ParseFrom(bytes).Timeout,
                ConfigTree.ConsensusTypeKey => ConsensusType.Parser.ParseFrom(bytes).Type,
                ConfigTree.KafkaBrokersKey => $"[{string.Join(", ", KafkaBrokers.Parser.ParseFrom(bytes).Brokers)}]",
                ConfigTree.CapabilitiesKey => $"[{string.Join(", ", Capabilities.Parser.ParseFrom(bytes).Capabilities_.Keys)}]",
                ConfigTree.AclsKey => $"{ACLs.Parser.ParseFrom(bytes).Acls.Count} ACL entries",
                _ => $"{bytes.Length} bytes",
            };
        }
        catch (InvalidProtocolBufferException e)
        {
            return $"unreadable ({e.Message})";
        }
    }

    private static string DescribeMsp(MSPConfig wrapper)
    {
        if (wrapper.Type != 0)
        {
            return $"an MSP of type {wrapper.Type}";
        }

        var msp = FabricMSPConfig.Parser.ParseFrom(wrapper.Config);
        var roots = msp.RootCerts.Select(Subject).ToList();
        var crls = msp.RevocationList.Count;
        return $"{msp.Name}, root CA {string.Join(", ", roots)}"
            + (msp.IntermediateCerts.Count > 0 ? $", {msp.IntermediateCerts.Count} intermediate CA(s)" : string.Empty)
            + (crls > 0 ? $", {crls} CRL(s) revoking {Revoked(msp)} certificate(s)" : ", no CRL")
            + (msp.FabricNodeOus?.Enable == true ? ", node OUs" : string.Empty);
    }

    private static string Subject(ByteString pem)
    {
        try
        {
            using var certificate = X509Certificate2.CreateFromPem(pem.ToStringUtf8());
            return $"'{certificate.Subject}' (valid to {certificate.NotAfter.ToUniversalTime():yyyy-MM-dd})";
        }
        catch (CryptographicException)
        {
            return "(an unreadable certificate)";
        }
    }

    private static int Revoked(FabricMSPConfig msp)
    {
        var count = 0;
        foreach (var crl in msp.RevocationList)
        {
            try
            {
                var text = crl.ToStringUtf8();
                var der = PemEncoding.TryFind(text, out var fields) ? Convert.FromBase64String(text[fields.Base64Data]) : crl.ToByteArray();
                count += new Org.BouncyCastle.X509.X509CrlParser().ReadCrl(der)?.GetRevokedCertificates()?.Count ?? 0;
            }
            catch (Exception e) when (e is CryptographicException or FormatException or Org.BouncyCastle.Security.Certificates.CrlException or IOException)
            {
                // counted as zero; the orderer refuses an unreadable CRL with its own message
            }
        }

        return count;
    }
}
