namespace FnzChain.Cli.Tests.Commands;

/// <summary><c>fnzchain crypto revoke</c> writes a CRL that openssl honours.</summary>
public sealed class CryptoRevokeTests : CryptoFixture
{
    private const string CaCert = Org1 + "/ca/ca.org1.example.com-cert.pem";
    private const string Crl = Org1 + "/msp/crls/crl.pem";
    private const string User1 = Org1 + "/users/User1@org1.example.com/msp/signcerts/User1@org1.example.com-cert.pem";
    private const string Peer0 = Org1 + "/peers/peer0.org1.example.com/msp/signcerts/peer0.org1.example.com-cert.pem";

    [Test]
    public async Task Revoked_certificate_fails_openssl_crl_check_and_others_still_pass()
    {
        await GenerateAsync();

        var revoke = await ProcessRunner.FnzchainAsync(WorkDir, "crypto", "revoke", "--org", Org1, "--cert", User1);
        var revoked = await OpensslAsync(WorkDir, "verify", "-crl_check", "-CRLfile", Crl, "-CAfile", CaCert, User1);
        var unrevoked = await OpensslAsync(WorkDir, "verify", "-crl_check", "-CRLfile", Crl, "-CAfile", CaCert, Peer0);

        Assert.That(revoke.ExitCode, Is.Zero, revoke.ToString());
        Assert.That(revoked.ExitCode, Is.Not.Zero, revoked.ToString());
        Assert.That(revoked.StandardOutput + revoked.StandardError, Does.Contain("certificate revoked"));
        Assert.That(unrevoked.ExitCode, Is.Zero, unrevoked.ToString());
    }

    [Test]
    public async Task Revoke_prints_the_serial_that_openssl_finds_in_the_CRL()
    {
        await GenerateAsync();
        var serial = (await OpensslAsync(WorkDir, "x509", "-noout", "-serial", "-in", User1)).StandardOutput.Trim()["serial=".Length..];

        var revoke = await ProcessRunner.FnzchainAsync(WorkDir, "crypto", "revoke", "--org", Org1, "--cert", User1);
        var text = await OpensslAsync(WorkDir, "crl", "-in", Crl, "-noout", "-text");

        Assert.That(revoke.StandardOutput, Does.Contain($"revoked serial {serial};"));
        Assert.That(text.ExitCode, Is.Zero, text.ToString());
        Assert.That(text.StandardOutput, Does.Contain($"Serial Number: {serial}"));
        Assert.That(text.StandardOutput, Does.Contain("CRL Number"));
        Assert.That(text.StandardOutput, Does.Contain("Authority Key Identifier"));
    }

    [Test]
    public async Task A_second_revocation_keeps_the_first_entry_and_bumps_the_CRL_number()
    {
        await GenerateAsync();

        await ProcessRunner.FnzchainAsync(WorkDir, "crypto", "revoke", "--org", Org1, "--cert", User1);
        var second = await ProcessRunner.FnzchainAsync(WorkDir, "crypto", "revoke", "--org", Org1, "--cert", Peer0);
        var text = await OpensslAsync(WorkDir, "crl", "-in", Crl, "-noout", "-text");
        var user = await OpensslAsync(WorkDir, "verify", "-crl_check", "-CRLfile", Crl, "-CAfile", CaCert, User1);

        Assert.That(second.ExitCode, Is.Zero, second.ToString());
        Assert.That(second.StandardOutput, Does.Contain("lists 2 revoked certificate(s)"));
        Assert.That(text.StandardOutput, Does.Match(@"CRL Number:\s*\n\s*2"));
        Assert.That(user.StandardOutput + user.StandardError, Does.Contain("certificate revoked"));
    }
}
