using FnzChain.Crypto.Keys;
using FnzChain.Crypto.Pki;
using FnzChain.Identity.Channels;
using FnzChain.Identity.Msp;
using FnzChain.Orderer.Channels;
using FnzChain.Protos.Common;
using FnzChain.Protos.Msp;
using FnzChain.Protos.Orderer;
using FnzChain.Protos.Peer;
using FnzChain.Tests.Shared;
using Google.Protobuf;

namespace FnzChain.Orderer.Tests.Channels;

/// <summary>
/// Fabric's config update rules on real identities: what <see cref="ConfigUpdateRules.Compute"/> writes, and what
/// <see cref="ConfigUpdateRules.Apply"/> accepts and refuses — each refusal one line naming the element, policy or
/// versions.
/// </summary>
public sealed class ConfigUpdateRulesTests
{
    private TwoOrgCrypto _crypto = null!;
    private ChannelBundle _bundle = null!;

    [OneTimeSetUp]
    public void SetUp()
    {
        _crypto = new TwoOrgCrypto("fnzchain-update-rules-");
        var profile = new ChannelProfile
        {
            ChannelId = "funds",
            Organizations = _crypto.Organizations(),
            Orderer = new OrdererProfile { Endpoints = [new OrdererEndpointProfile { Organization = "OrdererOrg", Address = "127.0.0.1:7050" }] },
        };
        _bundle = ChannelBundle.Create("funds", profile.ToConfig());
    }

    [OneTimeTearDown]
    public void TearDown() => _crypto.Dispose();

    private Config Tree => _bundle.Config.Tree;

    private ConfigUpdateEnvelope Signed(ConfigUpdate update, params (string Domain, string Who, string MspId)[] signers)
    {
        var bytes = update.ToByteString();
        var envelope = new ConfigUpdateEnvelope { ConfigUpdate = bytes };
        foreach (var (domain, who, mspId) in signers)
        {
            using var files = SigningIdentityFiles.Load(_crypto.Msp(domain, who));
            envelope.Signatures.Add(ConfigUpdates.Sign(bytes, MspRegistry.Serialize(mspId, files.Certificate), files.Signer));
        }

        return envelope;
    }

    private static readonly (string, string, string) Admin1 = ("org1.example.com", "users/Admin@org1.example.com", "Org1MSP");
    private static readonly (string, string, string) Admin2 = ("org2.example.com", "users/Admin@org2.example.com", "Org2MSP");
    private static readonly (string, string, string) User1 = ("org1.example.com", "users/User1@org1.example.com", "Org1MSP");

    private Config WithAnchor(string org, string host, int port)
    {
        var next = Tree.Clone();
        var anchors = new AnchorPeers();
        anchors.AnchorPeers_.Add(new AnchorPeer { Host = host, Port = port });
        next.ChannelGroup.Groups["Application"].Groups[org].Values["AnchorPeers"] = ConfigTree.Value(anchors);
        return next;
    }

    private Config WithoutOrg(string org)
    {
        var next = Tree.Clone();
        next.ChannelGroup.Groups["Application"].Groups.Remove(org);
        return next;
    }

    private ConfigUpdateRejectedException Refused(ConfigUpdateEnvelope envelope, DateTimeOffset? now = null) =>
        Assert.Throws<ConfigUpdateRejectedException>(() => ConfigUpdateRules.Apply(_bundle, envelope, now ?? DateTimeOffset.UtcNow))!;

    [Test]
    public void Compute_bumps_a_group_whose_members_change_and_lists_every_member()
    {
        var update = ConfigUpdateRules.Compute("funds", Tree, WithAnchor("Org1", "127.0.0.1", 7051));

        var org1Write = update.WriteSet.Groups["Application"].Groups["Org1"];
        Assert.That(org1Write.Version, Is.EqualTo(1UL), "a new value changes Org1's members");
        Assert.That(org1Write.Values["AnchorPeers"].Version, Is.Zero);
        Assert.That(org1Write.Values["MSP"].Version, Is.Zero, "unchanged members are listed at their versions");
        Assert.That(org1Write.Values["MSP"].Value.IsEmpty, Is.True, "and without their contents");
        Assert.That(update.ReadSet.Groups["Application"].Groups["Org1"].Policies.Keys, Is.EquivalentTo(org1Write.Policies.Keys));
        Assert.That(update.WriteSet.Groups["Application"].Version, Is.Zero, "the Application group's members do not change");
        Assert.That(update.WriteSet.Groups.ContainsKey("Orderer"), Is.False, "untouched groups are not in the update");
    }

    [Test]
    public void Compute_refuses_an_update_that_changes_nothing()
    {
        Assert.That(() => ConfigUpdateRules.Compute("funds", Tree, Tree.Clone()), Throws.InstanceOf<ConfigUpdateRejectedException>().With.Message.Contain("does not differ"));
    }

    [Test]
    public void An_organisation_changes_its_own_anchor_peers_with_its_own_admin_and_the_result_is_the_wanted_tree()
    {
        var wanted = WithAnchor("Org1", "127.0.0.1", 7051);

        var next = ConfigUpdateRules.Apply(_bundle, Signed(ConfigUpdateRules.Compute("funds", Tree, wanted), Admin1), DateTimeOffset.UtcNow);

        Assert.That(next.Sequence, Is.EqualTo(1UL));
        var org1 = next.ChannelGroup.Groups["Application"].Groups["Org1"];
        Assert.That(org1.Version, Is.EqualTo(1UL));
        Assert.That(AnchorPeers.Parser.ParseFrom(org1.Values["AnchorPeers"].Value).AnchorPeers_.Single().Port, Is.EqualTo(7051));
        Assert.That(org1.Values["MSP"], Is.EqualTo(Tree.ChannelGroup.Groups["Application"].Groups["Org1"].Values["MSP"]), "unchanged members come from the config in force");
        Assert.That(next.ChannelGroup.Groups["Orderer"], Is.EqualTo(Tree.ChannelGroup.Groups["Orderer"]));
    }

    [Test]
    public void Another_organisations_admin_cannot_change_them_and_the_refusal_names_element_policy_and_signer()
    {
        var error = Refused(Signed(ConfigUpdateRules.Compute("funds", Tree, WithAnchor("Org1", "127.0.0.1", 7051)), Admin2));

        Assert.That(error.IsAuthorization, Is.True);
        Assert.That(error.Message, Is.EqualTo(
            "config update not authorized: modifying group /Channel/Application/Org1 needs /Channel/Application/Org1/Admins (OR('Org1MSP.admin')): no valid signature from Org1MSP.admin; " +
            $"valid signatures from Org2MSP '{Subject(Admin2)}'"));
    }

    [Test]
    public void Removing_an_organisation_needs_a_majority_of_the_application_admins()
    {
        var update = ConfigUpdateRules.Compute("funds", Tree, WithoutOrg("Org2"));

        var one = Refused(Signed(update, Admin1));
        var next = ConfigUpdateRules.Apply(_bundle, Signed(update, Admin1, Admin2), DateTimeOffset.UtcNow);

        Assert.That(one.Message, Does.Contain("modifying group /Channel/Application needs /Channel/Application/Admins (MAJORITY Admins): 1 of 2 organisations' Admins policies satisfied, 2 required; Org2: "));
        Assert.That(next.ChannelGroup.Groups["Application"].Groups.Keys, Is.EqualTo(new[] { "Org1" }));
        Assert.That(ChannelBundle.Create("funds", next).OrganizationOf("Org2MSP"), Is.Null, "a removed organisation's MSP is gone from the channel");
    }

    [Test]
    public void A_non_admin_signature_and_a_tampered_one_are_not_counted_and_the_refusal_says_why()
    {
        var update = ConfigUpdateRules.Compute("funds", Tree, WithAnchor("Org1", "127.0.0.1", 7051));
        var byUser = Signed(update, User1);
        var tampered = Signed(update, Admin1);
        tampered.ConfigUpdate = ConfigUpdateRules.Compute("funds", Tree, WithAnchor("Org1", "127.0.0.1", 9999)).ToByteString();

        Assert.That(Refused(byUser).Message, Does.Contain("no valid signature from Org1MSP.admin").And.Contain("valid signatures from Org1MSP 'CN=User1@org1.example.com"));
        Assert.That(Refused(tampered).Message, Does.Contain("valid signatures from nobody; not counted: signature of Org1MSP 'CN=Admin@org1.example.com"));
    }

    [Test]
    public void Signing_twice_counts_once()
    {
        var update = ConfigUpdateRules.Compute("funds", Tree, WithoutOrg("Org2"));

        var error = Refused(Signed(update, Admin1, Admin1));

        Assert.That(error.Message, Does.Contain("1 of 2 organisations' Admins policies satisfied").And.Contain("signed more than once; counted once"));
    }

    [Test]
    public void A_stale_read_set_names_both_versions()
    {
        var update = ConfigUpdateRules.Compute("funds", Tree, WithAnchor("Org1", "127.0.0.1", 7051));
        update.ReadSet.Groups["Application"].Groups["Org1"].Version = 7;

        Assert.That(Refused(Signed(update, Admin1)).Message, Does.StartWith(
            "config update is stale: it read group /Channel/Application/Org1 at version 7 but channel funds has it at version 0 (config sequence 0)"));
    }

    [Test]
    public void Versions_must_be_next_or_zero_for_new_elements()
    {
        var skipping = ConfigUpdateRules.Compute("funds", Tree, WithAnchor("Org1", "127.0.0.1", 7051));
        skipping.WriteSet.Groups["Application"].Groups["Org1"].Version = 3;
        var newAtOne = ConfigUpdateRules.Compute("funds", Tree, WithAnchor("Org1", "127.0.0.1", 7051));
        newAtOne.WriteSet.Groups["Application"].Groups["Org1"].Values["AnchorPeers"].Version = 1;

        Assert.That(Refused(Signed(skipping, Admin1)).Message, Is.EqualTo("config update sets group /Channel/Application/Org1 to version 3 but channel funds has it at version 0; the next version is 1"));
        Assert.That(Refused(Signed(newAtOne, Admin1)).Message, Does.StartWith("config update adds value /Channel/Application/Org1/AnchorPeers at version 1; an element that does not exist yet is added at version 0"));
    }

    [Test]
    public void Adding_a_member_without_bumping_its_group_is_refused()
    {
        var update = ConfigUpdateRules.Compute("funds", Tree, WithAnchor("Org1", "127.0.0.1", 7051));
        update.WriteSet.Groups["Application"].Groups["Org1"].Version = 0; // pretend Org1's members did not change

        Assert.That(Refused(Signed(update, Admin1)).Message, Does.Contain("adds value /Channel/Application/Org1/AnchorPeers but does not modify group /Channel/Application/Org1"));
    }

    [Test]
    public void An_update_for_another_channel_truncated_bytes_and_an_empty_write_set_are_refused()
    {
        var update = ConfigUpdateRules.Compute("funds", Tree, WithAnchor("Org1", "127.0.0.1", 7051));
        var other = update.Clone();
        other.ChannelId = "other";
        var envelope = Signed(update, Admin1);
        var truncated = new ConfigUpdateEnvelope { ConfigUpdate = ByteString.CopyFrom(envelope.ConfigUpdate.Span[..(envelope.ConfigUpdate.Length / 2)]) };

        Assert.That(Refused(Signed(other, Admin1)).Message, Is.EqualTo("config update is for channel \"other\", not funds"));
        Assert.That(Refused(truncated).Message, Does.StartWith("config update does not parse as common.ConfigUpdate"));
        Assert.That(Refused(Signed(new ConfigUpdate { ChannelId = "funds" }, Admin1)).Message, Is.EqualTo("config update has no write_set"));
    }

    [Test]
    public void Changing_the_consensus_type_is_refused()
    {
        var next = Tree.Clone();
        var orderer = next.ChannelGroup.Groups["Orderer"];
        orderer.Values["ConsensusType"] = ConfigTree.Value(new ConsensusType { Type = "kafka" });
        orderer.Values["KafkaBrokers"] = ConfigTree.Value(new KafkaBrokers { Brokers = { "127.0.0.1:9092" } });
        var update = ConfigUpdateRules.Compute("funds", Tree, next);
        var signers = new[] { ("example.com", "users/Admin@example.com", "OrdererMSP") };

        Assert.That(Refused(Signed(update, signers)).Message, Does.Contain("changes the consensus type of channel funds from solo to kafka"));
    }

    [Test]
    public void An_msp_with_an_expired_ca_is_refused_naming_the_certificate()
    {
        var past = new ManualTime(DateTimeOffset.UtcNow.AddYears(-3));
        var expired = CertificateAuthority.CreateRoot(new CertificateSubject("ca.expired.example.com") { Organization = "expired.example.com" }, TimeSpan.FromDays(30), past);
        var msp = new FabricMSPConfig { Name = "ExpiredMSP", RootCerts = { ByteString.CopyFromUtf8(expired.Certificate.ExportCertificatePem()) } };
        var next = Tree.Clone();
        next.ChannelGroup.Groups["Application"].Groups["Expired"] = ConfigTree.OrganizationGroup(msp, new Dictionary<string, ConfigPolicy>
        {
            ["Admins"] = ChannelProfile.Policy("OR('ExpiredMSP.admin')", "test"),
        });

        var error = Refused(Signed(ConfigUpdateRules.Compute("funds", Tree, next), Admin1, Admin2));

        Assert.That(error.Message, Does.StartWith("config update sets value /Channel/Application/Expired/MSP: root_certs[0] 'CN=ca.expired.example.com").And.Contain("expired at"));
    }

    private string Subject((string Domain, string Who, string MspId) who)
    {
        using var files = SigningIdentityFiles.Load(_crypto.Msp(who.Domain, who.Who));
        return files.Certificate.Subject;
    }

    private sealed class ManualTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
