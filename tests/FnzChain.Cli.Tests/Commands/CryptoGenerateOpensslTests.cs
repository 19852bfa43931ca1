namespace FnzChain.Cli.Tests.Commands;

/// <summary>openssl accepts what <c>fnzchain crypto generate</c> writes.</summary>
public sealed class CryptoGenerateOpensslTests : CryptoFixture
{
    [TestCase(Org1 + "/ca/ca.org1.example.com-cert.pem", Org1 + "/peers/peer0.org1.example.com/msp/signcerts/peer0.org1.example.com-cert.pem")]
    [TestCase(Org1 + "/ca/ca.org1.example.com-cert.pem", Org1 + "/users/Admin@org1.example.com/msp/signcerts/Admin@org1.example.com-cert.pem")]
    [TestCase(Org1 + "/ca/ca.org1.example.com-cert.pem", Org1 + "/users/User1@org1.example.com/msp/signcerts/User1@org1.example.com-cert.pem")]
    [TestCase(Orderers + "/ca/ca.example.com-cert.pem", Orderers + "/orderers/orderer.example.com/msp/signcerts/orderer.example.com-cert.pem")]
    [TestCase(Orderers + "/ca/ca.example.com-cert.pem", Orderers + "/users/Admin@example.com/msp/signcerts/Admin@example.com-cert.pem")]
    [TestCase(Org1 + "/tlsca/tlsca.org1.example.com-cert.pem", Org1 + "/peers/peer1.org1.example.com/tls/server.crt")]
    [TestCase(Org1 + "/peers/peer1.org1.example.com/tls/ca.crt", Org1 + "/users/Admin@org1.example.com/tls/client.crt")]
    [TestCase(Orderers + "/tlsca/tlsca.example.com-cert.pem", Orderers + "/orderers/orderer.example.com/tls/server.crt")]
    public async Task Openssl_verifies_the_certificate_against_its_CA(string ca, string certificate)
    {
        await GenerateAsync();

        var result = await OpensslAsync(WorkDir, "verify", "-CAfile", ca, certificate);

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(result.StandardOutput, Does.Contain(": OK"));
    }

    [Test]
    public async Task Openssl_rejects_a_certificate_against_another_orgs_CA()
    {
        await GenerateAsync();

        var result = await OpensslAsync(WorkDir, "verify", "-CAfile", Org2 + "/ca/ca.org2.example.com-cert.pem",
            Org1 + "/peers/peer0.org1.example.com/msp/signcerts/peer0.org1.example.com-cert.pem");

        Assert.That(result.ExitCode, Is.Not.Zero, result.ToString());
    }

    [Test]
    public async Task Openssl_reads_the_private_keys_as_P256()
    {
        await GenerateAsync();

        var result = await OpensslAsync(WorkDir, "pkey", "-in", Org1 + "/peers/peer0.org1.example.com/msp/keystore/priv_sk", "-noout", "-text");

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(result.StandardOutput, Does.Contain("P-256"));
    }

    [Test]
    public async Task Peer_signcert_subject_has_the_peer_OU_and_the_org()
    {
        await GenerateAsync();

        var result = await OpensslAsync(WorkDir, "x509", "-noout", "-subject", "-in", Org1 + "/peers/peer0.org1.example.com/msp/signcerts/peer0.org1.example.com-cert.pem");

        Assert.That(result.StandardOutput.Trim(), Is.EqualTo("subject=C = US, ST = California, L = San Francisco, O = org1.example.com, OU = peer, CN = peer0.org1.example.com"));
    }
}
