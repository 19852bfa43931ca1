using FnzChain.Identity.Channels;
using FnzChain.Orderer.Channels;
using FnzChain.Protos.Common;
using FnzChain.Tests.Shared;

namespace FnzChain.Orderer.Tests.Channels;

/// <summary>
/// configtxlator (fabric-config's protolator) renders a config tree by the keys of its groups and values and refuses
/// keys it does not know. configtxlator cannot run here (a Go binary), so its rules — which group may hold which
/// keys, which policy types decode — are restated below and every tree FnzChain writes is walked with them: none
/// has a key configtxlator refuses (chaincode definitions are <c>_lifecycle</c> state, decision 0013), and the
/// channel reader refuses such keys too, so nothing configtxlator would refuse creeps in.
/// </summary>
public sealed class ConfigtxlatorRulesTests
{
    // Fabric's protolator: value keys per kind of group; sub-groups per kind of group.
    private static readonly Dictionary<string, string[]> ValueKeys = new()
    {
        ["channel"] = ["HashingAlgorithm", "BlockDataHashingStructure", "OrdererAddresses", "Consortium", "Capabilities"],
        ["orderer"] = ["ConsensusType", "BatchSize", "BatchTimeout", "KafkaBrokers", "ChannelRestrictions", "Capabilities", "Orderers"],
        ["orderer-org"] = ["MSP", "Endpoints"],
        ["application"] = ["Capabilities", "ACLs"],
        ["application-org"] = ["MSP", "AnchorPeers"],
    };

    private TwoOrgCrypto _crypto = null!;

    [OneTimeSetUp]
    public void SetUp() => _crypto = new TwoOrgCrypto("fnzchain-configtxlator-");

    [OneTimeTearDown]
    public void TearDown() => _crypto.Dispose();

    private Config Genesis(string consenter = "solo") => new ChannelProfile
    {
        ChannelId = "funds",
        Organizations = [.. _crypto.Organizations().Select(o => o.Name == "Org1" ? new OrganizationProfile { Name = o.Name, MspId = o.MspId, MspPath = o.MspPath, Roles = o.Roles, AnchorPeers = ["127.0.0.1:7051"] } : o)],
        Orderer = new OrdererProfile
        {
            Consenter = consenter,
            KafkaBrokers = consenter == "kafka" ? ["127.0.0.1:9092"] : [],
            Endpoints = [new OrdererEndpointProfile { Organization = "OrdererOrg", Address = "127.0.0.1:7050" }],
        },
    }.ToConfig();

    private static List<string> Refused(Config config)
    {
        var refused = new List<string>();
        Walk(config.ChannelGroup, "/Channel", "channel", refused);
        return refused;
    }

    private static void Walk(ConfigGroup group, string path, string kind, List<string> refused)
    {
        refused.AddRange(group.Values.Keys.Where(k => !ValueKeys[kind].Contains(k)).Select(k => $"{path}/{k}"));
        refused.AddRange(group.Policies
            .Where(p => p.Value.Policy?.Type is not ((int)Policy.Types.PolicyType.Signature or (int)Policy.Types.PolicyType.ImplicitMeta))
            .Select(p => $"{path}/{p.Key} (policy type {p.Value.Policy?.Type})"));
        foreach (var (name, child) in group.Groups)
        {
            var childKind = (kind, name) switch
            {
                ("channel", "Orderer") => "orderer",
                ("channel", "Application") => "application",
                ("orderer", _) => "orderer-org",
                ("application", _) => "application-org",
                _ => null,
            };
            if (childKind is null)
            {
                refused.Add($"{path}/{name} (group)");
                continue;
            }

            Walk(child, $"{path}/{name}", childKind, refused);
        }
    }

    [TestCase("solo")]
    [TestCase("kafka")]
    public void A_new_channels_configuration_is_all_keys_configtxlator_decodes(string consenter)
    {
        Assert.That(Refused(Genesis(consenter)), Is.Empty);
    }

    [Test]
    public void A_value_configtxlator_would_refuse_is_refused_by_the_channel_reader_too()
    {
        // FnzChain kept chaincode definitions in such a value once (decision 0011); they are _lifecycle state now (0013).
        var tree = Genesis();
        tree.ChannelGroup.Groups["Application"].Values["FnzChainChaincodes"] = new ConfigValue { ModPolicy = "Admins" };

        Assert.That(Refused(tree), Is.EqualTo(new[] { "/Channel/Application/FnzChainChaincodes" }));
        Assert.That(() => ChannelConfig.Read("funds", tree), Throws.TypeOf<ChannelConfigException>().With.Message.Contains("/Channel/Application/FnzChainChaincodes"));
    }
}
