using System.Security.Cryptography.X509Certificates;
using FnzChain.Crypto.Cryptogen;
using FnzChain.Crypto.Keys;

namespace FnzChain.Crypto.Tests.Cryptogen;

public sealed class CryptoMaterialGeneratorTests
{
    private static readonly CryptoConfig s_config = CryptoConfigReader.Parse("""
        {
          "ordererOrgs": [{ "name": "Orderer", "domain": "example.com", "mspId": "OrdererMSP", "hosts": ["orderer"] }],
          "peerOrgs": [{ "name": "Org1", "domain": "org1.example.com", "mspId": "Org1MSP", "peers": 2, "users": 1 }]
        }
        """);

    private TempFolder _folder = null!;

    [SetUp]
    public void SetUp() => _folder = new TempFolder();

    [TearDown]
    public void TearDown() => _folder.Dispose();

    [Test]
    public void Generate_writes_cryptogens_layout()
    {
        new CryptoMaterialGenerator().Generate(s_config, _folder.Path, force: false);

        string[] expected =
        [
            "peerOrganizations/org1.example.com/ca/ca.org1.example.com-cert.pem",
            "peerOrganizations/org1.example.com/ca/priv_sk",
            "peerOrganizations/org1.example.com/tlsca/tlsca.org1.example.com-cert.pem",
            "peerOrganizations/org1.example.com/tlsca/priv_sk",
            "peerOrganizations/org1.example.com/msp/cacerts/ca.org1.example.com-cert.pem",
            "peerOrganizations/org1.example.com/msp/tlscacerts/tlsca.org1.example.com-cert.pem",
            "peerOrganizations/org1.example.com/msp/config.yaml",
            "peerOrganizations/org1.example.com/peers/peer1.org1.example.com/msp/signcerts/peer1.org1.example.com-cert.pem",
            "peerOrganizations/org1.example.com/peers/peer1.org1.example.com/msp/keystore/priv_sk",
            "peerOrganizations/org1.example.com/peers/peer1.org1.example.com/msp/cacerts/ca.org1.example.com-cert.pem",
            "peerOrganizations/org1.example.com/peers/peer1.org1.example.com/msp/tlscacerts/tlsca.org1.example.com-cert.pem",
            "peerOrganizations/org1.example.com/peers/peer1.org1.example.com/msp/config.yaml",
            "peerOrganizations/org1.example.com/peers/peer1.org1.example.com/tls/ca.crt",
            "peerOrganizations/org1.example.com/peers/peer1.org1.example.com/tls/server.crt",
            "peerOrganizations/org1.example.com/peers/peer1.org1.example.com/tls/server.key",
            "peerOrganizations/org1.example.com/users/Admin@org1.example.com/msp/signcerts/Admin@org1.example.com-cert.pem",
            "peerOrganizations/org1.example.com/users/Admin@org1.example.com/tls/client.crt",
            "peerOrganizations/org1.example.com/users/Admin@org1.example.com/tls/client.key",
            "peerOrganizations/org1.example.com/users/User1@org1.example.com/msp/keystore/priv_sk",
            "peerOrganizations/org1.example.com/users/User1@org1.example.com/tls/client.crt",
            "ordererOrganizations/example.com/ca/ca.example.com-cert.pem",
            "ordererOrganizations/example.com/orderers/orderer.example.com/msp/signcerts/orderer.example.com-cert.pem",
            "ordererOrganizations/example.com/orderers/orderer.example.com/tls/server.crt",
            "ordererOrganizations/example.com/users/Admin@example.com/msp/signcerts/Admin@example.com-cert.pem",
        ];
        Assert.That(expected.Where(f => !File.Exists(Path.Combine(_folder.Path, f))), Is.Empty);
        Assert.That(Directory.Exists(Path.Combine(_folder.Path, "peerOrganizations/org1.example.com/peers/peer2.org1.example.com")), Is.False);
        Assert.That(Directory.Exists(Path.Combine(_folder.Path, "peerOrganizations/org1.example.com/users/User2@org1.example.com")), Is.False);
    }

    [TestCase("peerOrganizations/org1.example.com/peers/peer0.org1.example.com", "peer")]
    [TestCase("peerOrganizations/org1.example.com/users/Admin@org1.example.com", "admin")]
    [TestCase("peerOrganizations/org1.example.com/users/User1@org1.example.com", "client")]
    [TestCase("ordererOrganizations/example.com/orderers/orderer.example.com", "orderer")]
    [TestCase("ordererOrganizations/example.com/users/Admin@example.com", "admin")]
    public void Identities_carry_their_node_OU(string identityFolder, string ou)
    {
        new CryptoMaterialGenerator().Generate(s_config, _folder.Path, force: false);

        using var identity = SigningIdentityFiles.Load(Path.Combine(_folder.Path, identityFolder));

        Assert.That(identity.Certificate.SubjectName.EnumerateRelativeDistinguishedNames()
            .Where(n => n.GetSingleElementType().Value == "2.5.4.11").Select(n => n.GetSingleElementValue()), Is.EqualTo(new[] { ou }));
    }

    [Test]
    public void Msp_config_enables_node_OUs_against_the_org_CA()
    {
        new CryptoMaterialGenerator().Generate(s_config, _folder.Path, force: false);

        var yaml = File.ReadAllText(Path.Combine(_folder.Path, "peerOrganizations/org1.example.com/msp/config.yaml"));

        Assert.That(yaml, Does.StartWith("NodeOUs:\n  Enable: true\n"));
        Assert.That(yaml, Does.Contain("    Certificate: cacerts/ca.org1.example.com-cert.pem\n    OrganizationalUnitIdentifier: orderer\n"));
    }

    [Test]
    public void Peer_TLS_certificate_names_the_host_and_loopback()
    {
        new CryptoMaterialGenerator().Generate(s_config, _folder.Path, force: false);

        using var tls = PemFiles.ReadCertificate(Path.Combine(_folder.Path, "peerOrganizations/org1.example.com/peers/peer0.org1.example.com/tls/server.crt"));

        var san = tls.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        Assert.That(san.EnumerateDnsNames(), Is.EqualTo(new[] { "peer0.org1.example.com", "peer0", "localhost" }));
        Assert.That(san.EnumerateIPAddresses().Select(a => a.ToString()), Is.EqualTo(new[] { "127.0.0.1" }));
    }

    [Test]
    public void Generate_refuses_to_overwrite_an_existing_org_folder_and_writes_nothing()
    {
        var existing = Path.Combine(_folder.Path, "peerOrganizations/org1.example.com");
        Directory.CreateDirectory(existing);
        File.WriteAllText(Path.Combine(existing, "keep.txt"), "x");

        var ex = Assert.Throws<IOException>(() => new CryptoMaterialGenerator().Generate(s_config, _folder.Path, force: false));

        Assert.That(ex!.Message, Does.Contain("--force"));
        Assert.That(File.Exists(Path.Combine(existing, "keep.txt")), Is.True);
        Assert.That(Directory.Exists(Path.Combine(_folder.Path, "ordererOrganizations")), Is.False);
    }

    [Test]
    public void Generate_with_force_replaces_the_org_folder()
    {
        var existing = Path.Combine(_folder.Path, "peerOrganizations/org1.example.com");
        Directory.CreateDirectory(existing);
        File.WriteAllText(Path.Combine(existing, "stale.txt"), "x");

        new CryptoMaterialGenerator().Generate(s_config, _folder.Path, force: true);

        Assert.That(File.Exists(Path.Combine(existing, "stale.txt")), Is.False);
        Assert.That(File.Exists(Path.Combine(existing, "ca/priv_sk")), Is.True);
    }

    [Test]
    public void Revoke_writes_the_CRL_into_the_org_msp_and_rejects_foreign_certificates()
    {
        var config = CryptoConfigReader.Parse("""{ "peerOrgs": [{ "name": "A", "domain": "a.com", "mspId": "A", "peers": 1 }, { "name": "B", "domain": "b.com", "mspId": "B", "peers": 1 }] }""");
        new CryptoMaterialGenerator().Generate(config, _folder.Path, force: false);
        var orgA = Path.Combine(_folder.Path, "peerOrganizations/a.com");
        var peerA = Path.Combine(orgA, "peers/peer0.a.com/msp/signcerts/peer0.a.com-cert.pem");
        var peerB = Path.Combine(_folder.Path, "peerOrganizations/b.com/peers/peer0.b.com/msp/signcerts/peer0.b.com-cert.pem");

        var result = OrganizationRevocation.Revoke(orgA, peerA);
        var ex = Assert.Throws<KeyFileException>(() => OrganizationRevocation.Revoke(orgA, peerB));

        using var revoked = PemFiles.ReadCertificate(peerA);
        Assert.That(result.CrlPath, Is.EqualTo(Path.Combine(orgA, "msp", "crls", "crl.pem")));
        Assert.That(PemFiles.ReadCrl(result.CrlPath), Is.Not.Empty);
        Assert.That(result.SerialNumber, Is.EqualTo(OrganizationRevocation.OpensslSerial(revoked.SerialNumber)));
        Assert.That(result.RevokedCount, Is.EqualTo(1));
        Assert.That(ex!.Message, Does.Contain("was not issued by the CA of"));
    }

    [Test]
    public void Named_users_carry_their_enrollment_attributes_in_fabric_cas_extension()
    {
        var config = CryptoConfigReader.Parse("""
            { "peerOrgs": [{ "name": "TA", "domain": "ta.example.com", "mspId": "TaMSP", "peers": 1,
                "namedUsers": [ { "name": "accountant", "attributes": { "fnz.role": "fund-accountant" } }, { "name": "ops", "admin": true } ] }] }
            """);
        new CryptoMaterialGenerator().Generate(config, _folder.Path, force: false);
        var users = Path.Combine(_folder.Path, "peerOrganizations/ta.example.com/users");

        using var accountant = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(users, "accountant@ta.example.com/msp/signcerts/accountant@ta.example.com-cert.pem"));
        using var ops = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(users, "ops@ta.example.com/msp/signcerts/ops@ta.example.com-cert.pem"));

        var extension = accountant.Extensions.Cast<X509Extension>().Single(e => e.Oid!.Value == "1.2.3.4.5.6.7.8.1");
        Assert.That(System.Text.Encoding.UTF8.GetString(extension.RawData), Is.EqualTo("""{"attrs":{"fnz.role":"fund-accountant"}}"""));
        Assert.That(extension.Critical, Is.False);
        Assert.That(accountant.Subject, Does.Contain("OU=client"));
        Assert.That(ops.Subject, Does.Contain("OU=admin"));
        Assert.That(ops.Extensions.Cast<X509Extension>().Any(e => e.Oid!.Value == "1.2.3.4.5.6.7.8.1"), Is.False);
    }

    [TestCase("""[{ "name": "Admin" }]""", "not Admin")]
    [TestCase("""[{ "name": "a b" }]""", "must be letters")]
    [TestCase("""[{ "name": "x" }, { "name": "x" }]""", "unique")]
    [TestCase("""[{ "name": "x", "attributes": { "": "v" } }]""", "empty name")]
    public void Bad_named_users_are_refused_with_their_path(string namedUsers, string expected)
    {
        var ex = Assert.Throws<CryptoConfigException>(() => CryptoConfigReader.Parse($$"""
            { "peerOrgs": [{ "name": "TA", "domain": "ta.example.com", "mspId": "TaMSP", "peers": 1, "namedUsers": {{namedUsers}} }] }
            """));
        Assert.That(ex!.Message, Does.Contain("peerOrgs[0].namedUsers[").And.Contain(expected));
    }
}
