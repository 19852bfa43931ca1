namespace FnzChain.Cli.Tests.Commands;

/// <summary>Bad input ends with one line on stderr, a non-zero exit code and no stack trace.</summary>
public sealed class CliErrorTests : CryptoFixture
{
    [Test]
    public async Task Malformed_config_JSON()
    {
        await File.WriteAllTextAsync(Folder.File("bad.json"), """{ "peerOrgs": [ { "name": """);

        var result = await ProcessRunner.FnzchainAsync(WorkDir, "crypto", "generate", "--config", "bad.json", "--out", "out");

        AssertOneLineFailure(result, "crypto config: bad.json is not valid: malformed JSON");
    }

    [Test]
    public async Task Unknown_config_field()
    {
        await File.WriteAllTextAsync(Folder.File("bad.json"), """{ "peerOrgs": [{ "name": "A", "domain": "a.com", "mspId": "A", "peers": 1, "Peers": 2 }] }""");

        var result = await ProcessRunner.FnzchainAsync(WorkDir, "crypto", "generate", "--config", "bad.json", "--out", "out");

        AssertOneLineFailure(result, "unknown property peerOrgs[0].Peers");
    }

    [Test]
    public async Task Missing_config_field()
    {
        await File.WriteAllTextAsync(Folder.File("bad.json"), """{ "peerOrgs": [{ "name": "A", "mspId": "A", "peers": 1 }] }""");

        var result = await ProcessRunner.FnzchainAsync(WorkDir, "crypto", "generate", "--config", "bad.json", "--out", "out");

        AssertOneLineFailure(result, "crypto config: peerOrgs[0].domain is required");
    }

    [Test]
    public async Task Missing_config_file()
    {
        var result = await ProcessRunner.FnzchainAsync(WorkDir, "crypto", "generate", "--config", "absent.json", "--out", "out");

        AssertOneLineFailure(result, "crypto config: file absent.json not found");
    }

    [Test]
    public async Task Existing_output_without_force_is_refused_and_force_regenerates()
    {
        await GenerateAsync();

        var again = await ProcessRunner.FnzchainAsync(WorkDir, "crypto", "generate", "--config", "crypto-config.json", "--out", "out");
        var forced = await ProcessRunner.FnzchainAsync(WorkDir, "crypto", "generate", "--config", "crypto-config.json", "--out", "out", "--force");

        AssertOneLineFailure(again, "already exists and is not empty");
        Assert.That(forced.ExitCode, Is.Zero, forced.ToString());
    }

    [Test]
    public async Task Revoking_a_certificate_of_another_CA()
    {
        await GenerateAsync();

        var result = await ProcessRunner.FnzchainAsync(WorkDir, "crypto", "revoke", "--org", Org1,
            "--cert", Org2 + "/peers/peer0.org2.example.com/msp/signcerts/peer0.org2.example.com-cert.pem");

        AssertOneLineFailure(result, "was not issued by the CA of " + Org1);
        Assert.That(File.Exists(Folder.File(Org1 + "/msp/crls/crl.pem")), Is.False);
    }

    [Test]
    public async Task Revoking_a_malformed_PEM()
    {
        await GenerateAsync();
        await File.WriteAllTextAsync(Folder.File("bad.pem"), "-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n");

        var result = await ProcessRunner.FnzchainAsync(WorkDir, "crypto", "revoke", "--org", Org1, "--cert", "bad.pem");

        AssertOneLineFailure(result, "bad.pem: malformed PEM");
    }

    [Test]
    public async Task Revoking_in_a_folder_that_is_not_an_org()
    {
        await File.WriteAllTextAsync(Folder.File("cert.pem"), "x");

        var result = await ProcessRunner.FnzchainAsync(WorkDir, "crypto", "revoke", "--org", "nowhere", "--cert", "cert.pem");

        AssertOneLineFailure(result, "nowhere: is not an org folder");
    }

    [Test]
    public async Task Missing_required_option_is_a_usage_error()
    {
        var result = await ProcessRunner.FnzchainAsync(WorkDir, "crypto", "generate", "--out", "out");

        AssertOneLineFailure(result, "--config");
        Assert.That(result.ExitCode, Is.EqualTo(2));
    }

    [TestCase("--key", "investor:1", "--composite-key", "investor,1")]
    [TestCase("--composite-key", ",1")]
    public async Task A_purge_needs_exactly_one_well_formed_key(params string[] keyOptions)
    {
        var result = await ProcessRunner.FnzchainAsync(WorkDir,
        [
            "private", "purge", "--gateway", "127.0.0.1:1", "--identity", "absent", "--msp-id", "Org1MSP", "--channel", "funds",
            "--chaincode", "funds", "--collection", "investorPII", "--reason", "test", .. keyOptions,
        ]);

        AssertOneLineFailure(result, "give exactly one of --key and --composite-key");
    }

    private static void AssertOneLineFailure(ProcessResult result, string expected)
    {
        Assert.That(result.ExitCode, Is.Not.Zero, result.ToString());
        Assert.That(result.ErrorLines, Has.Length.EqualTo(1), result.ToString());
        Assert.That(result.StandardError, Does.StartWith("fnzchain: "));
        Assert.That(result.StandardError, Does.Contain(expected));
        Assert.That(result.StandardError, Does.Not.Contain("   at "));
    }
}
