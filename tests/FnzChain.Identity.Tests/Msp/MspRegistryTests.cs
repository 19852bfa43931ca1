using FnzChain.Crypto.Cryptogen;
using FnzChain.Identity.Msp;
using FnzChain.Protos.Msp;
using FnzChain.Tests.Shared;
using Google.Protobuf;

namespace FnzChain.Identity.Tests.Msp;

public sealed class MspRegistryTests
{
    private static readonly TestPki Pki = new("Org1MSP", "Org2MSP");

    [TestCase("peer", MspRoles.Member | MspRoles.Peer)]
    [TestCase("client", MspRoles.Member | MspRoles.Client)]
    [TestCase("admin", MspRoles.Member | MspRoles.Admin)]
    [TestCase("orderer", MspRoles.Member | MspRoles.Orderer)]
    public void Deserialize_gives_the_role_of_the_node_ou(string ou, MspRoles expected)
    {
        var registry = Pki.Registry(null, "Org1MSP");
        var result = registry.Deserialize(Pki.Issue("Org1MSP", ou).Serialized);
        Assert.That(result.Error, Is.Empty);
        Assert.That(result.Identity!.Roles, Is.EqualTo(expected));
        Assert.That(result.Identity.MspId, Is.EqualTo("Org1MSP"));
    }

    [Test]
    public void Deserialize_rejects_an_identity_of_an_unknown_msp()
    {
        var result = Pki.Registry(null, "Org1MSP").Deserialize(Pki.Issue("Org2MSP", "peer").Serialized);
        Assert.That(result.Error, Is.EqualTo("identity's MSP 'Org2MSP' is not known on this channel"));
    }

    [Test]
    public void Deserialize_rejects_a_certificate_from_a_ca_the_msp_does_not_trust()
    {
        var result = Pki.Registry(null, "Org1MSP").Deserialize(Pki.Issue("Org1MSP", "peer", issuerMspId: "OutsiderMSP").Serialized);
        Assert.That(result.Error, Does.EndWith("is not issued by any CA of Org1MSP"));
    }

    [Test]
    public void Deserialize_rejects_an_expired_certificate()
    {
        var identity = Pki.Issue("Org1MSP", "client", validity: TimeSpan.FromDays(1));
        var result = Pki.Registry(new ManualTime(TestPki.Epoch.AddDays(3)), "Org1MSP").Deserialize(identity.Serialized);
        Assert.That(result.Error, Does.Match("expired at 2026-01-01T23:55:00Z$"), "a day after the CA's 5-minute backdated start");
    }

    [Test]
    public void Deserialize_refuses_a_certificate_whose_validity_date_cannot_be_read_without_throwing()
    {
        var identity = Pki.Issue("Org1MSP", "peer");
        var corrupt = CorruptCertificates.Serialize("Org1MSP", CorruptCertificates.WithCorruptValidity(identity.Certificate));
        Assert.That(() => _ = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificate(CorruptCertificates.WithCorruptValidity(identity.Certificate)).NotBefore,
            Throws.InstanceOf<System.Security.Cryptography.CryptographicException>(), "the platform throws when the date is read: the hazard this test is about");

        var result = Pki.Registry(null, "Org1MSP").Deserialize(corrupt);

        Assert.That(result.IsValid, Is.False);
        Assert.That(result.Rejection, Is.EqualTo(IdentityRejection.Malformed));
        Assert.That(result.Error, Does.StartWith("certificate '").And.Contain("of Org1MSP cannot be read: CryptographicException"));
    }

    [Test]
    public void Deserialize_gives_each_refusal_its_kind()
    {
        var registry = Pki.Registry(new ManualTime(TestPki.Epoch.AddDays(3)), "Org1MSP");
        Assert.Multiple(() =>
        {
            Assert.That(registry.Deserialize([0x0a, 0xff]).Rejection, Is.EqualTo(IdentityRejection.Malformed));
            Assert.That(registry.Deserialize(Pki.Issue("Org2MSP", "peer").Serialized).Rejection, Is.EqualTo(IdentityRejection.UnknownMsp));
            Assert.That(registry.Deserialize(Pki.Issue("Org1MSP", "peer", issuerMspId: "OutsiderMSP").Serialized).Rejection, Is.EqualTo(IdentityRejection.Untrusted));
            Assert.That(registry.Deserialize(Pki.Issue("Org1MSP", "client", validity: TimeSpan.FromDays(1)).Serialized).Rejection, Is.EqualTo(IdentityRejection.OutsideValidity));
            Assert.That(registry.Deserialize(Pki.Issue("Org1MSP", null).Serialized).Rejection, Is.EqualTo(IdentityRejection.NotAnIdentity));
        });
    }

    [Test]
    public void Deserialize_rejects_a_certificate_not_yet_valid()
    {
        var identity = Pki.Issue("Org1MSP", "client");
        var result = Pki.Registry(new ManualTime(TestPki.Epoch.AddDays(-1)), "Org1MSP").Deserialize(identity.Serialized);
        Assert.That(result.Error, Does.Match("is not valid before 2025-12-31T23:55:00Z$"));
    }

    [Test]
    public void Deserialize_rejects_a_revoked_certificate_saying_it_is_revoked()
    {
        var identity = Pki.Issue("Org1MSP", "client");
        var crl = Pki.Ca("Org1MSP").Revoke(identity.Certificate);
        var registry = new MspRegistry([Pki.Definition("Org1MSP", crl)], new ManualTime(TestPki.Epoch.AddDays(1)));
        var result = registry.Deserialize(identity.Serialized);
        Assert.That(result.Error, Does.Match(@"\(serial 0x[0-9a-f]+\) is revoked by Org1MSP's CRL$"));
        Assert.That(registry.Deserialize(Pki.Issue("Org1MSP", "client").Serialized).IsValid, Is.True, "other identities stay valid");
    }

    [Test]
    public void Deserialize_rejects_a_key_on_another_curve()
    {
        var certificate = Pki.IssueP384("Org1MSP");
        var result = Pki.Registry(null, "Org1MSP").Deserialize(MspRegistry.Serialize("Org1MSP", certificate));
        Assert.That(result.Error, Does.Contain("P384"));
        Assert.That(result.Error, Does.Contain("P-256"));
    }

    [Test]
    public void Deserialize_rejects_a_certificate_without_a_node_ou()
    {
        var result = Pki.Registry(null, "Org1MSP").Deserialize(Pki.Issue("Org1MSP", ou: null).Serialized);
        Assert.That(result.Error, Does.Contain("must carry exactly one node OU"));
    }

    [TestCase(new byte[] { 0xFF, 0x01, 0x02 }, "is not a valid msp.SerializedIdentity")]
    [TestCase(new byte[0], "identity is empty")]
    public void Deserialize_rejects_bytes_that_are_not_an_identity(byte[] bytes, string expected)
    {
        Assert.That(Pki.Registry(null, "Org1MSP").Deserialize(bytes).Error, Does.Contain(expected));
    }

    [Test]
    public void Deserialize_rejects_id_bytes_that_are_not_a_pem_certificate()
    {
        var bytes = new SerializedIdentity { Mspid = "Org1MSP", IdBytes = ByteString.CopyFromUtf8("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n") }.ToByteArray();
        Assert.That(Pki.Registry(null, "Org1MSP").Deserialize(bytes).Error, Is.EqualTo("identity of Org1MSP: id_bytes is not a PEM certificate"));
    }

    [Test]
    public void Deserialize_returns_the_cached_identity_the_second_time()
    {
        var registry = Pki.Registry(null, "Org1MSP");
        var identity = Pki.Issue("Org1MSP", "peer");
        var first = registry.Deserialize(identity.Serialized).Identity;
        var second = registry.Deserialize(identity.Serialized).Identity;
        Assert.That(second, Is.SameAs(first));
        Assert.That(registry.CachedIdentities, Is.EqualTo(1));
    }

    [Test]
    public void Cached_identity_is_rejected_once_it_expires()
    {
        var time = new ManualTime(TestPki.Epoch.AddHours(1));
        var registry = Pki.Registry(time, "Org1MSP");
        var identity = Pki.Issue("Org1MSP", "peer", validity: TimeSpan.FromDays(1));
        Assert.That(registry.Deserialize(identity.Serialized).IsValid, Is.True);
        time.Now = TestPki.Epoch.AddDays(2);
        Assert.That(registry.Deserialize(identity.Serialized).Error, Does.Contain("expired at"));
    }

    [Test]
    public void Updating_an_msp_with_a_new_crl_revokes_a_cached_identity()
    {
        var registry = Pki.Registry(null, "Org1MSP");
        var identity = Pki.Issue("Org1MSP", "client");
        Assert.That(registry.Deserialize(identity.Serialized).IsValid, Is.True);
        registry.Update(Pki.Definition("Org1MSP", Pki.Ca("Org1MSP").Revoke(identity.Certificate)));
        Assert.That(registry.Deserialize(identity.Serialized).Error, Does.Contain("is revoked by Org1MSP's CRL"));
    }

    [Test]
    public void Cache_stays_within_its_capacity()
    {
        var registry = new MspRegistry([Pki.Definition("Org1MSP")], new ManualTime(TestPki.Epoch.AddDays(1)), cacheCapacity: 4);
        for (var i = 0; i < 10; i++)
        {
            Assert.That(registry.Deserialize(Pki.Issue("Org1MSP", "client").Serialized).IsValid, Is.True);
        }

        Assert.That(registry.CachedIdentities, Is.LessThanOrEqualTo(4));
    }

    [Test]
    public void Msp_rejects_a_crl_signed_by_another_ca()
    {
        var crl = Pki.Ca("Org2MSP").Revoke(Pki.Issue("Org2MSP", "client").Certificate);
        var ex = Assert.Throws<MspException>(() => _ = new MspRegistry([Pki.Definition("Org1MSP", crl)]));
        Assert.That(ex!.Message, Does.Contain("is not signed by any CA of Org1MSP"));
    }

    [Test]
    public void Msp_loaded_from_a_cryptogen_folder_rejects_a_user_after_crypto_revoke()
    {
        var folder = Directory.CreateTempSubdirectory("fnz-msp-");
        try
        {
            var config = CryptoConfigReader.Parse("""{"peerOrgs":[{"name":"Org1","domain":"org1.example.com","mspId":"Org1MSP","peers":1,"users":1}]}""");
            new CryptoMaterialGenerator().Generate(config, folder.FullName, force: false);
            var org = Path.Combine(folder.FullName, "peerOrganizations", "org1.example.com");
            var userCert = Path.Combine(org, "users", "User1@org1.example.com", "msp", "signcerts", "User1@org1.example.com-cert.pem");
            var user = MspRegistry.Serialize("Org1MSP", Crypto.Keys.PemFiles.ReadCertificate(userCert));
            var peer = MspRegistry.Serialize("Org1MSP", Crypto.Keys.PemFiles.ReadCertificate(
                Path.Combine(org, "peers", "peer0.org1.example.com", "msp", "signcerts", "peer0.org1.example.com-cert.pem")));

            var before = new MspRegistry([MspDefinition.LoadFolder(Path.Combine(org, "msp"), "Org1MSP")]);
            Assert.That(before.Deserialize(user).Identity?.Roles, Is.EqualTo(MspRoles.Member | MspRoles.Client));
            Assert.That(before.Deserialize(peer).Identity?.Roles, Is.EqualTo(MspRoles.Member | MspRoles.Peer));

            OrganizationRevocation.Revoke(org, userCert);
            var after = new MspRegistry([MspDefinition.LoadFolder(Path.Combine(org, "msp"), "Org1MSP")]);
            Assert.That(after.Deserialize(user).Error, Does.Contain("is revoked by Org1MSP's CRL"));
            Assert.That(after.Deserialize(peer).IsValid, Is.True);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Test]
    public void LoadFolder_names_the_folder_when_it_has_no_ca()
    {
        var folder = Directory.CreateTempSubdirectory("fnz-msp-");
        try
        {
            var ex = Assert.Throws<MspException>(() => MspDefinition.LoadFolder(folder.FullName, "Org1MSP"));
            Assert.That(ex!.Message, Does.Contain(folder.FullName).And.Contain("no CA certificate in cacerts/"));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
