using FnzChain.Node.Channels;
using FnzChain.Crypto.Keys;
using FnzChain.Identity.Channels;
using FnzChain.Identity.Msp;
using FnzChain.Identity.Policies;
using FnzChain.Orderer.Channels;
using FnzChain.Protos.Common;
using FnzChain.Protos.Msp;
using FnzChain.Protos.Orderer;
using FnzChain.Tests.Shared;

namespace FnzChain.Orderer.Tests.Channels;

/// <summary>Profiles become genesis configuration with Fabric's default policies; the bundle evaluates them with real identities.</summary>
public sealed class ChannelProfileTests
{
    private TwoOrgCrypto _crypto = null!;

    [OneTimeSetUp]
    public void GenerateCrypto() => _crypto = new TwoOrgCrypto("fnzchain-profile-");

    [OneTimeTearDown]
    public void DeleteCrypto() => _crypto.Dispose();

    private ChannelProfile Profile(string channelId = "funds", Dictionary<string, string>? policies = null, string consenter = "solo", string timeout = "2s") => new()
    {
        ChannelId = channelId,
        Organizations = _crypto.Organizations(),
        Orderer = new OrdererProfile { Consenter = consenter, BatchTimeout = timeout, Endpoints = [new OrdererEndpointProfile { Organization = "OrdererOrg", Address = "127.0.0.1:7050" }] },
        Policies = policies ?? [],
    };

    private SignedData Signed(string domain, string who, string mspId, byte[] data)
    {
        using var identity = SigningIdentityFiles.Load(_crypto.Msp(domain, who));
        return new SignedData(MspRegistry.Serialize(mspId, identity.Certificate), data, identity.Signer.Sign(data));
    }

    [Test]
    public void Genesis_block_round_trips_the_configuration()
    {
        var config = Profile().ToConfig();

        var block = ConfigBlock.CreateGenesis("funds", config, DateTimeOffset.UnixEpoch);

        Assert.That(block.Header.Number, Is.Zero);
        var (channelId, envelope) = ConfigBlock.ReadEnvelope(block);
        Assert.That(channelId, Is.EqualTo("funds"));
        Assert.That(envelope.Config, Is.EqualTo(config));
        var read = ConfigBlock.ReadConfig(block);
        Assert.That(read.Organizations.Select(o => o.Name), Is.EqualTo(new[] { "OrdererOrg", "Org1", "Org2" }));
        Assert.That(read.Orderer.ConsensusType, Is.EqualTo("solo"));
        Assert.That(read.Orderer.BatchTimeout, Is.EqualTo(TimeSpan.FromSeconds(2)));
        Assert.That(read.Orderer.Endpoints, Is.EqualTo(new[] { new OrdererEndpoint("OrdererOrg", "127.0.0.1:7050") }));
    }

    [Test]
    public void Orderer_endpoints_and_anchor_peers_may_be_dns_names()
    {
        var organizations = _crypto.Organizations();
        var org1 = organizations[0];
        organizations[0] = new OrganizationProfile { Name = org1.Name, MspId = org1.MspId, MspPath = org1.MspPath, Roles = org1.Roles, AnchorPeers = ["peer0.org1.example.com:7051", "10.0.0.5:7051"] };
        var profile = new ChannelProfile
        {
            ChannelId = "funds",
            Organizations = organizations,
            Orderer = new OrdererProfile { Endpoints = [new OrdererEndpointProfile { Organization = "OrdererOrg", Address = "orderer0.example.com:7050" }] },
        };

        var read = ConfigBlock.ReadConfig(ConfigBlock.CreateGenesis("funds", profile.ToConfig(), DateTimeOffset.UnixEpoch));

        Assert.That(read.Orderer.Endpoints, Is.EqualTo(new[] { new OrdererEndpoint("OrdererOrg", "orderer0.example.com:7050") }));
        Assert.That(read.Organizations.Single(o => o.Name == "Org1").AnchorPeers, Is.EqualTo(new[] { "peer0.org1.example.com:7051", "10.0.0.5:7051" }));
    }

    [Test]
    public void An_orderer_endpoint_that_is_not_host_and_port_is_refused_naming_it()
    {
        var profile = new ChannelProfile
        {
            ChannelId = "funds",
            Organizations = _crypto.Organizations(),
            Orderer = new OrdererProfile { Endpoints = [new OrdererEndpointProfile { Organization = "OrdererOrg", Address = "orderer_0:7050" }] },
        };

        Assert.That(() => profile.ToConfig(), Throws.InstanceOf<Exception>().With.Message.Contains("\"orderer_0\" in \"orderer_0:7050\""));
    }

    [Test]
    public void The_tree_is_fabrics_with_a_mod_policy_on_every_element()
    {
        var channel = Profile().ToConfig().ChannelGroup;

        Assert.That(channel.Groups.Keys, Is.EquivalentTo(new[] { "Application", "Orderer" }));
        Assert.That(channel.Values.Keys, Is.EquivalentTo(new[] { "HashingAlgorithm", "BlockDataHashingStructure", "OrdererAddresses", "Capabilities" }));
        Assert.That(channel.Policies.Keys, Is.EquivalentTo(new[] { "Readers", "Writers", "Admins" }));
        Assert.That(HashingAlgorithm.Parser.ParseFrom(channel.Values["HashingAlgorithm"].Value).Name, Is.EqualTo("SHA256"));
        Assert.That(channel.Values["OrdererAddresses"].ModPolicy, Is.EqualTo("/Channel/Orderer/Admins"));
        var application = channel.Groups["Application"];
        Assert.That(application.Policies.Keys, Is.EquivalentTo(new[] { "Readers", "Writers", "Admins", "Endorsement", "LifecycleEndorsement" }));
        Assert.That(application.Values.Keys, Is.EquivalentTo(new[] { "Capabilities", "ACLs" }));
        Assert.That(ImplicitMetaPolicy.Parser.ParseFrom(application.Policies["Endorsement"].Policy.Value).Rule, Is.EqualTo(ImplicitMetaPolicy.Types.Rule.Majority));
        Assert.That(application.Groups.Keys, Is.EquivalentTo(new[] { "Org1", "Org2" }));
        var org1 = application.Groups["Org1"];
        Assert.That(org1.Policies.Keys, Is.EquivalentTo(new[] { "Readers", "Writers", "Admins", "Endorsement" }));
        var msp = FabricMSPConfig.Parser.ParseFrom(MSPConfig.Parser.ParseFrom(org1.Values["MSP"].Value).Config);
        Assert.That(msp.Name, Is.EqualTo("Org1MSP"));
        Assert.That(msp.FabricNodeOus.Enable, Is.True);
        Assert.That(msp.RootCerts.Single().ToStringUtf8(), Does.StartWith("-----BEGIN CERTIFICATE-----"));
        var orderer = channel.Groups["Orderer"];
        Assert.That(orderer.Values.Keys, Is.EquivalentTo(new[] { "ConsensusType", "BatchSize", "BatchTimeout", "ChannelRestrictions", "Capabilities" }));
        Assert.That(orderer.Policies.Keys, Does.Contain("BlockValidation"));
        Assert.That(OrdererAddresses.Parser.ParseFrom(orderer.Groups["OrdererOrg"].Values["Endpoints"].Value).Addresses, Is.EqualTo(new[] { "127.0.0.1:7050" }));
        Assert.That(BatchTimeout.Parser.ParseFrom(orderer.Values["BatchTimeout"].Value).Timeout, Is.EqualTo("2s"));

        var missing = new List<string>();
        Walk("/Channel", channel);
        Assert.That(missing, Is.Empty, "elements without a mod_policy");

        void Walk(string path, ConfigGroup group)
        {
            if (string.IsNullOrEmpty(group.ModPolicy))
            {
                missing.Add(path);
            }

            missing.AddRange(group.Values.Where(v => string.IsNullOrEmpty(v.Value.ModPolicy)).Select(v => $"{path}/{v.Key}"));
            missing.AddRange(group.Policies.Where(v => string.IsNullOrEmpty(v.Value.ModPolicy)).Select(v => $"{path}/{v.Key}"));
            foreach (var (name, child) in group.Groups)
            {
                Walk($"{path}/{name}", child);
            }
        }
    }

    [Test]
    public void A_kafka_channel_carries_its_brokers()
    {
        var profile = new ChannelProfile
        {
            ChannelId = "funds",
            Organizations = _crypto.Organizations(),
            Orderer = new OrdererProfile { Consenter = "kafka", KafkaBrokers = ["127.0.0.1:9092"], Endpoints = [new OrdererEndpointProfile { Organization = "OrdererOrg", Address = "127.0.0.1:7050" }] },
        };

        var read = ChannelBundle.Create("funds", profile.ToConfig()).Config;

        Assert.That(read.Orderer.ConsensusType, Is.EqualTo("kafka"));
        Assert.That(read.Orderer.KafkaBrokers, Is.EqualTo(new[] { "127.0.0.1:9092" }));
    }

    [Test]
    public void Writers_accept_a_client_and_refuse_a_peer()
    {
        var bundle = ChannelBundle.Create("funds", Profile().ToConfig());
        var data = "payload"u8.ToArray();

        Assert.That(bundle.Evaluate("Writers", [Signed("org1.example.com", "users/User1@org1.example.com", "Org1MSP", data)]).IsSatisfied, Is.True);
        var peer = bundle.Evaluate("Writers", [Signed("org1.example.com", "peers/peer0.org1.example.com", "Org1MSP", data)]);
        Assert.That(peer.IsSatisfied, Is.False);
        Assert.That(peer.Reason, Does.StartWith("channel funds policy /Channel/Writers:"));
    }

    [Test]
    public void Endorsement_majority_needs_the_peers_of_both_application_orgs()
    {
        var bundle = ChannelBundle.Create("funds", Profile().ToConfig());
        var data = "response"u8.ToArray();
        var org1 = Signed("org1.example.com", "peers/peer0.org1.example.com", "Org1MSP", data);
        var org2 = Signed("org2.example.com", "peers/peer0.org2.example.com", "Org2MSP", data);

        Assert.That(bundle.Evaluate(ChannelBundle.Endorsement, [org1]).IsSatisfied, Is.False, "1 of 2 application orgs is not a majority");
        Assert.That(bundle.Evaluate(ChannelBundle.Endorsement, [org1, org2]).IsSatisfied, Is.True);
    }

    [Test]
    public void An_implicit_meta_refusal_names_a_signature_that_did_not_count_once()
    {
        var bundle = ChannelBundle.Create("funds", Profile().ToConfig());
        var data = "response"u8.ToArray();
        var forged = Signed("org2.example.com", "peers/peer0.org2.example.com", "Org2MSP", "other bytes"u8.ToArray()) with { Data = data };

        var result = bundle.Evaluate(ChannelBundle.Endorsement, [forged]);

        Assert.That(result.IsSatisfied, Is.False);
        Assert.That(result.Reason, Does.Contain("0 of 2 organisations' Endorsement policies satisfied, 2 required"));
        Assert.That(result.Reason.Split("signature of Org2MSP").Length - 1, Is.EqualTo(1), result.Reason);
    }

    [Test]
    public void Unknown_policy_is_not_satisfied_and_says_so()
    {
        var bundle = ChannelBundle.Create("funds", Profile().ToConfig());

        Assert.That(bundle.Evaluate("Auditors", []).Reason, Is.EqualTo("channel funds has no policy /Channel/Auditors"));
    }

    [TestCase("Funds", "must start with a lower-case letter")]
    [TestCase("", "channel id is empty")]
    public void Bad_channel_ids_are_refused(string channelId, string expected)
    {
        Assert.That(() => Profile(channelId).ToConfig(), Throws.InstanceOf<ChannelConfigException>().With.Message.Contain(expected));
    }

    [Test]
    public void A_bad_policy_names_the_policy()
    {
        Assert.That(
            () => Profile(policies: new() { ["Writers"] = "SOME Writers" }).ToConfig(),
            Throws.InstanceOf<ChannelConfigException>().With.Message.StartsWith("channel policy Writers \"SOME Writers\""));
    }

    [Test]
    public void A_bad_batch_timeout_names_the_field()
    {
        Assert.That(() => Profile(timeout: "soon").ToConfig(), Throws.InstanceOf<ChannelConfigException>().With.Message.Contain("orderer.batchTimeout \"soon\""));
    }

    [Test]
    public void A_config_block_is_told_apart_from_a_transaction_block()
    {
        var block = FnzChain.Ledger.Blocks.BlockFactory.Create(1, new byte[32], [Google.Protobuf.ByteString.CopyFromUtf8("not an envelope")]);

        Assert.That(ConfigBlock.IsConfigBlock(block), Is.False);
        Assert.That(() => ConfigBlock.ReadConfig(block), Throws.InstanceOf<FormatException>().With.Message.StartsWith("block 1 is not a config block"));
    }

    [Test]
    public void Orderer_orgs_are_not_counted_for_endorsement()
    {
        var bundle = ChannelBundle.Create("funds", Profile().ToConfig());

        Assert.That(bundle.Policies.ContainsKey("/Channel/Orderer/OrdererOrg/Endorsement"), Is.False);
        Assert.That(bundle.Config.Organizations.Single(o => o.Name == "OrdererOrg"), Has.Property("IsOrderer").True.And.Property("IsApplication").False);
    }
}
