using FnzChain.Protos.Common;
using FnzChain.Protos.Msp;
using FnzChain.Protos.Orderer;
using FnzChain.Protos.Peer;
using Google.Protobuf;
using static FnzChain.Protos.Tests.FabricTestData;

namespace FnzChain.Protos.Tests;

/// <summary>
/// Fabric's channel configuration (common.ConfigEnvelope tree, ConfigUpdateEnvelope, a config block) as
/// written by Fabric's own JS classes: decoded with ours, every value carried as bytes decoded as the
/// message its key names, and every layer re-encoded byte for byte. Fabric's JS writes map entries
/// key-sorted and C# re-writes them in the order parsed, so byte equality holds for the config tree's maps.
/// </summary>
public sealed class FabricConfigWireTests
{
    [Test]
    public void ConfigEnvelope_from_fabric_protos_decodes_and_reencodes_identically()
    {
        var envelope = DecodeAndAssertReencodes(ConfigEnvelope.Parser, Read("config_envelope"));

        Assert.That(envelope.Config.Sequence, Is.EqualTo(3UL));
        var channel = envelope.Config.ChannelGroup;
        Assert.That(channel.ModPolicy, Is.EqualTo("Admins"));
        Assert.That(channel.Groups.Keys, Is.EqualTo(new[] { "Application", "Orderer" }));
        Assert.That(channel.Values.Keys,
            Is.EqualTo(new[] { "BlockDataHashingStructure", "Capabilities", "HashingAlgorithm", "OrdererAddresses" }));
    }

    [Test]
    public void Channel_group_values_decode_as_fabric_channel_messages()
    {
        var channel = ReadConfig().ChannelGroup;

        Assert.That(Value(channel, "HashingAlgorithm", HashingAlgorithm.Parser).Name, Is.EqualTo("SHA256"));
        Assert.That(Value(channel, "BlockDataHashingStructure", BlockDataHashingStructure.Parser).Width, Is.EqualTo(uint.MaxValue));
        Assert.That(Value(channel, "OrdererAddresses", OrdererAddresses.Parser).Addresses, Is.EqualTo(new[] { "orderer.example.com:7050" }));
        Assert.That(channel.Values["OrdererAddresses"].ModPolicy, Is.EqualTo("/Channel/Orderer/Admins"));
        Assert.That(Value(channel, "Capabilities", Capabilities.Parser).Capabilities_.Keys, Is.EqualTo(new[] { "V2_0" }));

        AssertImplicitMeta(channel.Policies["Readers"], ImplicitMetaPolicy.Types.Rule.Any, "Readers");
        AssertImplicitMeta(channel.Policies["Admins"], ImplicitMetaPolicy.Types.Rule.Majority, "Admins");
    }

    [Test]
    public void Orderer_group_values_decode_as_fabric_orderer_messages()
    {
        var ordererGroup = ReadConfig().ChannelGroup.Groups["Orderer"];

        var consensus = Value(ordererGroup, "ConsensusType", ConsensusType.Parser);
        Assert.That(consensus.Type, Is.EqualTo("solo"));
        Assert.That(consensus.Metadata, Is.Empty);
        Assert.That(consensus.State, Is.EqualTo(ConsensusType.Types.State.Normal));
        var batchSize = Value(ordererGroup, "BatchSize", BatchSize.Parser);
        Assert.That(batchSize.MaxMessageCount, Is.EqualTo(10u));
        Assert.That(batchSize.AbsoluteMaxBytes, Is.EqualTo(103809024u));
        Assert.That(batchSize.PreferredMaxBytes, Is.EqualTo(524288u));
        Assert.That(Value(ordererGroup, "BatchTimeout", BatchTimeout.Parser).Timeout, Is.EqualTo("2s"));
        Assert.That(Value(ordererGroup, "KafkaBrokers", KafkaBrokers.Parser).Brokers,
            Is.EqualTo(new[] { "kafka0.example.com:9092", "kafka1.example.com:9092" }));
        Assert.That(Value(ordererGroup, "ChannelRestrictions", ChannelRestrictions.Parser).MaxCount, Is.EqualTo(1000UL));
        AssertImplicitMeta(ordererGroup.Policies["BlockValidation"], ImplicitMetaPolicy.Types.Rule.Any, "Writers");

        var org = ordererGroup.Groups["OrdererOrg"];
        Assert.That(Value(org, "Endpoints", OrdererAddresses.Parser).Addresses, Is.EqualTo(new[] { "orderer.example.com:7050" }));
        Assert.That(FabricMsp(org).Name, Is.EqualTo("OrdererMSP"));
    }

    [Test]
    public void Application_group_values_decode_as_fabric_peer_messages()
    {
        var application = ReadConfig().ChannelGroup.Groups["Application"];

        Assert.That(application.Version, Is.EqualTo(1UL));
        Assert.That(application.Groups.Keys, Is.EqualTo(new[] { "Org1MSP", "Org2MSP" }));
        Assert.That(Value(application, "Capabilities", Capabilities.Parser).Capabilities_.Keys, Is.EqualTo(new[] { "V2_5" }));
        var acls = Value(application, "ACLs", ACLs.Parser).Acls;
        Assert.That(acls, Has.Count.EqualTo(4));
        Assert.That(acls["peer/Propose"].PolicyRef, Is.EqualTo("/Channel/Application/Writers"));
        Assert.That(acls["event/Block"].PolicyRef, Is.EqualTo("/Channel/Application/Readers"));
        AssertImplicitMeta(application.Policies["LifecycleEndorsement"], ImplicitMetaPolicy.Types.Rule.Majority, "Endorsement");

        var org1 = application.Groups["Org1MSP"];
        Assert.That(org1.Version, Is.EqualTo(1UL));
        var anchor = Value(org1, "AnchorPeers", AnchorPeers.Parser).AnchorPeers_.Single();
        Assert.That(anchor.Host, Is.EqualTo("peer1.org1.example.com"));
        Assert.That(anchor.Port, Is.EqualTo(8051));
        Assert.That(org1.Values["AnchorPeers"].Version, Is.EqualTo(1UL));
        var org2Anchor = Value(application.Groups["Org2MSP"], "AnchorPeers", AnchorPeers.Parser).AnchorPeers_.Single();
        Assert.That(org2Anchor.Host, Is.EqualTo("peer0.org2.example.com"));
        Assert.That(org2Anchor.Port, Is.EqualTo(7051));
    }

    [Test]
    public void Organisation_msp_value_decodes_as_fabric_msp_config()
    {
        var org1 = ReadConfig().ChannelGroup.Groups["Application"].Groups["Org1MSP"];

        var mspConfig = Value(org1, "MSP", MSPConfig.Parser);
        Assert.That(mspConfig.Type, Is.EqualTo(0), "0 = FABRIC (X.509)");
        var fabric = DecodeAndAssertReencodes(FabricMSPConfig.Parser, mspConfig.Config);
        Assert.That(fabric.Name, Is.EqualTo("Org1MSP"));
        Assert.That(fabric.RootCerts.Single(), Is.EqualTo(Pem("CERTIFICATE", "Org1MSP-ca")));
        Assert.That(fabric.IntermediateCerts.Single(), Is.EqualTo(Pem("CERTIFICATE", "Org1MSP-ica")));
        Assert.That(fabric.Admins.Single(), Is.EqualTo(Pem("CERTIFICATE", "Org1MSP-admin")));
        Assert.That(fabric.RevocationList.Single(), Is.EqualTo(Pem("X509 CRL", "Org1MSP-crl")));
        Assert.That(fabric.SigningIdentity, Is.Null, "channel config never carries a signing identity");
        Assert.That(fabric.OrganizationalUnitIdentifiers.Single().OrganizationalUnitIdentifier, Is.EqualTo("COP"));
        Assert.That(fabric.CryptoConfig.SignatureHashFamily, Is.EqualTo("SHA2"));
        Assert.That(fabric.CryptoConfig.IdentityIdentifierHashFunction, Is.EqualTo("SHA256"));
        Assert.That(fabric.TlsRootCerts.Single(), Is.EqualTo(Pem("CERTIFICATE", "Org1MSP-tlsca")));
        Assert.That(fabric.TlsIntermediateCerts.Single(), Is.EqualTo(Pem("CERTIFICATE", "Org1MSP-tlsica")));
        var nodeOus = fabric.FabricNodeOus;
        Assert.That(nodeOus.Enable, Is.True);
        Assert.That(nodeOus.ClientOuIdentifier.OrganizationalUnitIdentifier, Is.EqualTo("client"));
        Assert.That(nodeOus.PeerOuIdentifier.OrganizationalUnitIdentifier, Is.EqualTo("peer"));
        Assert.That(nodeOus.AdminOuIdentifier.OrganizationalUnitIdentifier, Is.EqualTo("admin"));
        Assert.That(nodeOus.OrdererOuIdentifier.OrganizationalUnitIdentifier, Is.EqualTo("orderer"));
        Assert.That(nodeOus.PeerOuIdentifier.Certificate, Is.EqualTo(Pem("CERTIFICATE", "Org1MSP-ca")));
    }

    [Test]
    public void Organisation_policies_decode_as_signature_policies_with_mod_policy()
    {
        var org1 = ReadConfig().ChannelGroup.Groups["Application"].Groups["Org1MSP"];

        Assert.That(org1.Policies.Keys, Is.EqualTo(new[] { "Admins", "Endorsement", "Readers", "Writers" }));
        var admins = org1.Policies["Admins"];
        Assert.That(admins.ModPolicy, Is.EqualTo("Admins"));
        Assert.That(admins.Policy.Type, Is.EqualTo((int)Policy.Types.PolicyType.Signature));
        var envelope = DecodeAndAssertReencodes(SignaturePolicyEnvelope.Parser, admins.Policy.Value);
        Assert.That(envelope.Rule.NOutOf.N, Is.EqualTo(1));
        var role = MSPRole.Parser.ParseFrom(envelope.Identities.Single().Principal);
        Assert.That(role.MspIdentifier, Is.EqualTo("Org1MSP"));
        Assert.That(role.Role, Is.EqualTo(MSPRole.Types.MSPRoleType.Admin));
        var readers = DecodeAndAssertReencodes(SignaturePolicyEnvelope.Parser, org1.Policies["Readers"].Policy.Value);
        Assert.That(readers.Identities, Has.Count.EqualTo(3));
    }

    [Test]
    public void ConfigUpdateEnvelope_from_fabric_protos_decodes_and_reencodes_identically()
    {
        var envelope = DecodeAndAssertReencodes(ConfigUpdateEnvelope.Parser, Read("config_update_envelope"));

        Assert.That(envelope.Signatures, Has.Count.EqualTo(2));
        AssertConfigSignature(envelope.Signatures[0], "Org1MSP", "org1-admin");
        AssertConfigSignature(envelope.Signatures[1], "Org2MSP", "org2-admin");

        var update = DecodeAndAssertReencodes(ConfigUpdate.Parser, envelope.ConfigUpdate);
        Assert.That(update.ChannelId, Is.EqualTo(ChannelId));
        Assert.That(update.IsolatedData.Keys, Is.EqualTo(new[] { "note", "rscc_seed_data" }));
        Assert.That(update.IsolatedData["rscc_seed_data"], Is.EqualTo(PseudoBytes("rscc-seed", 16)));
        Assert.That(update.IsolatedData["note"], Is.EqualTo(Utf8("move Org1 anchor peer")));

        var readOrg1 = update.ReadSet.Groups["Application"].Groups["Org1MSP"];
        Assert.That(update.ReadSet.Groups["Application"].Version, Is.EqualTo(1UL));
        Assert.That(readOrg1.Version, Is.EqualTo(0UL));
        Assert.That(readOrg1.Values.Keys, Is.EqualTo(new[] { "MSP" }));
        Assert.That(readOrg1.Values["MSP"].Value, Is.Empty, "a read set names versions only");

        var writeOrg1 = update.WriteSet.Groups["Application"].Groups["Org1MSP"];
        Assert.That(writeOrg1.Version, Is.EqualTo(1UL));
        Assert.That(writeOrg1.ModPolicy, Is.EqualTo("Admins"));
        Assert.That(writeOrg1.Values["AnchorPeers"].Version, Is.EqualTo(1UL));
        Assert.That(Value(writeOrg1, "AnchorPeers", AnchorPeers.Parser).AnchorPeers_.Single().Host, Is.EqualTo("peer1.org1.example.com"));
    }

    [Test]
    public void ConfigEnvelope_last_update_carries_the_config_update_envelope()
    {
        var lastUpdate = ReadConfigEnvelope().LastUpdate;

        var payload = DecodeAndAssertReencodes(Payload.Parser, lastUpdate.Payload);
        var channelHeader = DecodeAndAssertReencodes(ChannelHeader.Parser, payload.Header.ChannelHeader);
        Assert.That(channelHeader.Type, Is.EqualTo((int)HeaderType.ConfigUpdate));
        Assert.That(channelHeader.ChannelId, Is.EqualTo(ChannelId));
        Assert.That(payload.Data.ToByteArray(), Is.EqualTo(Read("config_update_envelope")));
    }

    [Test]
    public void Config_block_from_fabric_protos_decodes_and_reencodes_identically()
    {
        var block = DecodeAndAssertReencodes(Block.Parser, Read("config_block"));

        Assert.That(block.Header.Number, Is.EqualTo(3UL));
        Assert.That(block.Header.PreviousHash, Is.EqualTo(PseudoBytes("block-2", 32)));
        var data = block.Data.Data.Single();
        Assert.That(block.Header.DataHash, Is.EqualTo(Sha256(data)));

        var envelope = DecodeAndAssertReencodes(Envelope.Parser, data);
        var payload = DecodeAndAssertReencodes(Payload.Parser, envelope.Payload);
        var channelHeader = DecodeAndAssertReencodes(ChannelHeader.Parser, payload.Header.ChannelHeader);
        Assert.That(channelHeader.Type, Is.EqualTo((int)HeaderType.Config));
        Assert.That(channelHeader.ChannelId, Is.EqualTo(ChannelId));
        Assert.That(payload.Data.ToByteArray(), Is.EqualTo(Read("config_envelope")));

        var signatures = DecodeAndAssertReencodes(Metadata.Parser, block.Metadata.Metadata[(int)BlockMetadataIndex.Signatures]);
        Assert.That(DecodeAndAssertReencodes(OrdererBlockMetadata.Parser, signatures.Value).LastConfig.Index, Is.EqualTo(3UL));
        Assert.That(block.Metadata.Metadata[(int)BlockMetadataIndex.TransactionsFilter].ToByteArray(),
            Is.EqualTo(new[] { (byte)TxValidationCode.Valid }));
    }

    private static ConfigEnvelope ReadConfigEnvelope() => ConfigEnvelope.Parser.ParseFrom(Read("config_envelope"));

    // `Config` alone would name the test namespace FnzChain.Protos.Tests.Config.
    private static Common.Config ReadConfig() => ReadConfigEnvelope().Config;

    /// <summary>Decodes the value stored under <paramref name="key"/>, checking it re-encodes identically.</summary>
    private static T Value<T>(ConfigGroup group, string key, MessageParser<T> parser)
        where T : IMessage<T>
    {
        Assert.That(group.Values.ContainsKey(key), Is.True, $"group has no value {key}");
        Assert.That(group.Values[key].ModPolicy, Is.Not.Empty, $"value {key} has no mod_policy");
        return DecodeAndAssertReencodes(parser, group.Values[key].Value);
    }

    private static FabricMSPConfig FabricMsp(ConfigGroup org) =>
        DecodeAndAssertReencodes(FabricMSPConfig.Parser, Value(org, "MSP", MSPConfig.Parser).Config);

    private static void AssertImplicitMeta(ConfigPolicy policy, ImplicitMetaPolicy.Types.Rule rule, string subPolicy)
    {
        Assert.That(policy.ModPolicy, Is.EqualTo("Admins"));
        Assert.That(policy.Policy.Type, Is.EqualTo((int)Policy.Types.PolicyType.ImplicitMeta));
        var meta = DecodeAndAssertReencodes(ImplicitMetaPolicy.Parser, policy.Policy.Value);
        Assert.That(meta.Rule, Is.EqualTo(rule));
        Assert.That(meta.SubPolicy, Is.EqualTo(subPolicy));
    }

    private static void AssertConfigSignature(ConfigSignature signature, string mspId, string label)
    {
        var header = DecodeAndAssertReencodes(SignatureHeader.Parser, signature.SignatureHeader);
        var creator = DecodeAndAssertReencodes(SerializedIdentity.Parser, header.Creator);
        Assert.That(creator.Mspid, Is.EqualTo(mspId));
        Assert.That(creator.IdBytes, Is.EqualTo(Certificate(label)));
        Assert.That(header.Nonce, Is.EqualTo(PseudoBytes($"{label}-nonce", 24)));
        Assert.That(signature.Signature, Is.EqualTo(PseudoBytes($"{label}-config-signature", 71)));
    }

    /// <summary>Same as generate.js `pem(kind, label)`.</summary>
    private static ByteString Pem(string kind, string label) =>
        Utf8($"-----BEGIN {kind}-----\n{Convert.ToBase64String(Pseudo(label, 48))}\n-----END {kind}-----\n");
}
