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

    [Test]
    public async Task Revoke_with_update_writes_the_channel_update_that_publishes_the_crl_for_the_orgs_admin_to_sign()
    {
        await GenerateAsync();
        await File.WriteAllTextAsync(Folder.File("profile.json"), """
            {
              "channelId": "funds",
              "organizations": [
                { "name": "Org1", "mspId": "Org1MSP", "mspPath": "out/peerOrganizations/org1.example.com/msp", "roles": ["application"] },
                { "name": "Org2", "mspId": "Org2MSP", "mspPath": "out/peerOrganizations/org2.example.com/msp", "roles": ["application"] },
                { "name": "OrdererOrg", "mspId": "OrdererMSP", "mspPath": "out/ordererOrganizations/example.com/msp", "roles": ["orderer"] }
              ],
              "orderer": { "endpoints": [ { "organization": "OrdererOrg", "address": "127.0.0.1:7050" } ] }
            }
            """);
        Assert.That((await ProcessRunner.FnzchainAsync(WorkDir, "channel", "create", "--profile", "profile.json", "--out", "funds.block")).ExitCode, Is.Zero);

        var revoke = await ProcessRunner.FnzchainAsync(WorkDir, "crypto", "revoke", "--org", Org1, "--cert", User1, "--update", "org1-crl.update", "--channel", "funds", "--block", "funds.block");
        var sign = await ProcessRunner.FnzchainAsync(WorkDir, "channel", "update", "sign", "org1-crl.update", "--identity", Org1 + "/users/Admin@org1.example.com/msp", "--msp-id", "Org1MSP");
        var show = await ProcessRunner.FnzchainAsync(WorkDir, "channel", "update", "show", "org1-crl.update");

        Assert.That(revoke.ExitCode, Is.Zero, revoke.ToString());
        Assert.That(revoke.StandardOutput, Does.Contain("sets value /Channel/Application/Org1/MSP: Org1MSP").And.Contain("no CRL, node OUs → Org1MSP")
            .And.Contain("1 CRL(s) revoking 1 certificate(s)").And.Contain("needs /Channel/Application/Org1/Admins (OR('Org1MSP.admin'))"));
        Assert.That(sign.ExitCode, Is.Zero, sign.ToString());
        Assert.That(show.StandardOutput, Does.Contain("sets value /Channel/Application/Org1/MSP: Org1MSP"), "offline, a changed value is still told from a new one (by its version)");
        Assert.That(show.StandardOutput, Does.Contain("signatures (1):").And.Contain("Org1MSP 'CN=Admin@org1.example.com").And.Contain("signature valid over this update"));
    }

    [Test]
    public async Task A_tampered_or_truncated_update_file_is_shown_as_such()
    {
        await Revoke_with_update_writes_the_channel_update_that_publishes_the_crl_for_the_orgs_admin_to_sign();
        var bytes = await File.ReadAllBytesAsync(Folder.File("org1-crl.update"));
        await File.WriteAllBytesAsync(Folder.File("truncated.update"), bytes[..(bytes.Length / 3)]);
        var envelope = Protos.Common.Envelope.Parser.ParseFrom(bytes);
        var payload = Protos.Common.Payload.Parser.ParseFrom(envelope.Payload);
        var update = Protos.Common.ConfigUpdateEnvelope.Parser.ParseFrom(payload.Data);
        var changed = Protos.Common.ConfigUpdate.Parser.ParseFrom(update.ConfigUpdate);
        changed.WriteSet.Groups["Application"].Groups["Org1"].Values["MSP"].ModPolicy = "/Channel/Application/Readers";
        update.ConfigUpdate = Google.Protobuf.MessageExtensions.ToByteString(changed);
        payload.Data = Google.Protobuf.MessageExtensions.ToByteString(update);
        envelope.Payload = Google.Protobuf.MessageExtensions.ToByteString(payload);
        await File.WriteAllBytesAsync(Folder.File("tampered.update"), Google.Protobuf.MessageExtensions.ToByteArray(envelope));

        var truncated = await ProcessRunner.FnzchainAsync(WorkDir, "channel", "update", "show", "truncated.update");
        var tampered = await ProcessRunner.FnzchainAsync(WorkDir, "channel", "update", "show", "tampered.update");

        Assert.That(truncated.ExitCode, Is.EqualTo(1));
        Assert.That(truncated.ErrorLines, Has.Length.EqualTo(1));
        Assert.That(truncated.ErrorLines[0], Does.StartWith("fnzchain: update file truncated.update is not a config update (truncated or corrupt)"));
        Assert.That(tampered.StandardOutput, Does.Contain("signature does NOT match this update"));
    }
}
