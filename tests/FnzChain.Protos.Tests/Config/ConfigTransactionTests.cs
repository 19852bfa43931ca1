using FnzChain.Protos.Common;
using FnzChain.Protos.Config;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
// FnzChain's own config messages; Fabric's same-named ones in FnzChain.Protos.Common replace them in issue 14.
using ConfigSignature = FnzChain.Protos.Config.ConfigSignature;
using ConfigUpdate = FnzChain.Protos.Config.ConfigUpdate;
using ConfigUpdateEnvelope = FnzChain.Protos.Config.ConfigUpdateEnvelope;

namespace FnzChain.Protos.Tests.Config;

/// <summary>FnzChain's own channel configuration: the nesting a config update goes through survives the wire.</summary>
public sealed class ConfigTransactionTests
{
    [Test]
    public void ConfigUpdateEnvelope_round_trips_full_replacement_config()
    {
        var config = new ChannelConfig
        {
            ChannelId = "mychannel",
            Sequence = 4,
            Organizations =
            {
                new Organization
                {
                    Name = "Org1",
                    Roles = { OrganizationRole.Application, OrganizationRole.Orderer },
                    Msp = new MspDefinition
                    {
                        MspId = "Org1MSP",
                        RootCerts = { ByteString.CopyFromUtf8("root-pem") },
                        NodeOus = new NodeOus { Enable = true, Peer = new OuIdentifier { OrganizationalUnitIdentifier = "peer" } },
                    },
                    AnchorPeers = { new Endpoint { Host = "peer0.org1", Port = 7051 } },
                },
            },
            Policies =
            {
                ["Admins"] = new PolicyDefinition
                {
                    ImplicitMeta = new ImplicitMetaPolicy { SubPolicy = "Admins", Rule = ImplicitMetaPolicy.Types.Rule.Majority },
                    Source = "MAJORITY Admins",
                },
            },
            Orderer = new OrdererConfig
            {
                ConsenterType = ConsenterType.Kafka,
                BatchSize = new BatchSize { MaxMessageCount = 500, AbsoluteMaxBytes = 10 << 20, PreferredMaxBytes = 2 << 20 },
                BatchTimeout = Duration.FromTimeSpan(TimeSpan.FromSeconds(2)),
                Kafka = new KafkaConfig { Brokers = { "kafka0:9092" }, TopicPrefix = "fnz-" },
            },
            Capabilities = { "V2_5" },
        };
        var update = new ConfigUpdate { ChannelId = "mychannel", BaseSequence = 3, Config = config };
        var envelope = new ConfigUpdateEnvelope
        {
            ConfigUpdate = update.ToByteString(),
            Signatures = { new ConfigSignature { SignatureHeader = ByteString.CopyFromUtf8("hdr"), Signature = ByteString.CopyFromUtf8("sig") } },
        };

        var decoded = ConfigUpdate.Parser.ParseFrom(ConfigUpdateEnvelope.Parser.ParseFrom(envelope.ToByteArray()).ConfigUpdate);

        Assert.That(decoded, Is.EqualTo(update));
        Assert.That(decoded.Config.Sequence, Is.EqualTo(decoded.BaseSequence + 1));
        Assert.That(decoded.Config.Policies["Admins"].RuleCase, Is.EqualTo(PolicyDefinition.RuleOneofCase.ImplicitMeta));
        Assert.That(decoded.Config.Orderer.BatchTimeout.ToTimeSpan(), Is.EqualTo(TimeSpan.FromSeconds(2)));
    }
}
