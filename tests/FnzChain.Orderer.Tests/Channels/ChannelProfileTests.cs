using FnzChain.Node.Channels;
using FnzChain.Crypto.Keys;
using FnzChain.Identity.Channels;
using FnzChain.Identity.Msp;
using FnzChain.Identity.Policies;
using FnzChain.Orderer.Channels;
using FnzChain.Protos.Config;
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

        var block = ConfigBlock.CreateGenesis(config, DateTimeOffset.UnixEpoch);

        Assert.That(block.Header.Number, Is.Zero);
        Assert.That(ConfigBlock.ReadConfig(block), Is.EqualTo(config));
        Assert.That(config.Policies["Admins"].Source, Is.EqualTo("MAJORITY Admins"));
        Assert.That(config.Organizations[0].Policies["Writers"].Source, Is.EqualTo("OR('Org1MSP.admin', 'Org1MSP.client')"));
    }

    [Test]
    public void Writers_accept_a_client_and_refuse_a_peer()
    {
        var bundle = ChannelBundle.Create(Profile().ToConfig());
        var data = "payload"u8.ToArray();

        Assert.That(bundle.Evaluate("Writers", [Signed("org1.example.com", "users/User1@org1.example.com", "Org1MSP", data)]).IsSatisfied, Is.True);
        var peer = bundle.Evaluate("Writers", [Signed("org1.example.com", "peers/peer0.org1.example.com", "Org1MSP", data)]);
        Assert.That(peer.IsSatisfied, Is.False);
        Assert.That(peer.Reason, Does.StartWith("channel funds policy Writers:"));
    }

    [Test]
    public void Endorsement_majority_needs_the_peers_of_both_application_orgs()
    {
        var bundle = ChannelBundle.Create(Profile().ToConfig());
        var data = "response"u8.ToArray();
        var org1 = Signed("org1.example.com", "peers/peer0.org1.example.com", "Org1MSP", data);
        var org2 = Signed("org2.example.com", "peers/peer0.org2.example.com", "Org2MSP", data);

        Assert.That(bundle.Evaluate("Endorsement", [org1]).IsSatisfied, Is.False, "1 of 2 application orgs is not a majority");
        Assert.That(bundle.Evaluate("Endorsement", [org1, org2]).IsSatisfied, Is.True);
    }

    [Test]
    public void Unknown_policy_is_not_satisfied_and_says_so()
    {
        var bundle = ChannelBundle.Create(Profile().ToConfig());

        Assert.That(bundle.Evaluate("Auditors", []).Reason, Is.EqualTo("channel funds has no policy Auditors"));
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
        var config = Profile().ToConfig();

        Assert.That(config.Organizations.Single(o => o.Name == "OrdererOrg").Policies.ContainsKey("Endorsement"), Is.False);
        Assert.That(config.Organizations.Single(o => o.Name == "OrdererOrg").Roles, Is.EqualTo(new[] { OrganizationRole.Orderer }));
    }
}
