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

        AssertOneLineFailure(result, "--config: file absent.json does not exist");
        Assert.That(result.ExitCode, Is.EqualTo(2));
    }

    // Every option that reads a file names itself and the path, before the command does any work (no raw .NET
    // "Could not find file"). The other required options are given so the missing file is the only error.
    [TestCase("--block", "channel", "join", "--node", "127.0.0.1:1", "--identity", "msp", "--msp-id", "Org1MSP", "--block", "absent.block")]
    [TestCase("--profile", "channel", "create", "--profile", "absent.json", "--out", "genesis.block")]
    [TestCase("--package", "chaincode", "install", "--node", "127.0.0.1:1", "--identity", "msp", "--msp-id", "Org1MSP", "--package", "absent.tar.gz")]
    [TestCase("--collections-config", "chaincode", "define", "--peer", "127.0.0.1:1", "--channel", "funds", "--name", "funds", "--signer", "Org1MSP=msp", "--collections-config", "absent.json")]
    [TestCase("--cert", "crypto", "revoke", "--org", "msp", "--cert", "absent.pem")]
    [TestCase("--config", "orderer", "start", "--config", "absent.json")]
    [TestCase("--config", "peer", "start", "--config", "absent.json")]
    public async Task A_missing_input_file_is_named_with_its_option(string option, params string[] args)
    {
        Directory.CreateDirectory(Folder.File("msp"));
        var missing = args[Array.IndexOf(args, option) + 1];

        var result = await ProcessRunner.FnzchainAsync(WorkDir, args);

        AssertOneLineFailure(result, $"fnzchain: {option}: file {missing} does not exist");
        Assert.That(result.ExitCode, Is.EqualTo(2));
    }

    [TestCase("--identity", "channel", "list", "--node", "127.0.0.1:1", "--identity", "absent-msp", "--msp-id", "Org1MSP")]
    [TestCase("--org", "crypto", "revoke", "--org", "absent-org", "--cert", "cert.pem")]
    public async Task A_missing_input_folder_is_named_with_its_option(string option, params string[] args)
    {
        await File.WriteAllTextAsync(Folder.File("cert.pem"), "x");
        var missing = args[Array.IndexOf(args, option) + 1];

        var result = await ProcessRunner.FnzchainAsync(WorkDir, args);

        AssertOneLineFailure(result, $"fnzchain: {option}: folder {missing} does not exist");
        Assert.That(result.ExitCode, Is.EqualTo(2));
    }

    [TestCase(new[] { "crypt", "generate" }, "unknown command 'crypt' for 'fnzchain' (did you mean 'crypto'?)")]
    [TestCase(new[] { "crypto", "generat", "--config", "c.json" }, "unknown command 'generat' for 'fnzchain crypto' (did you mean 'generate'?)")]
    [TestCase(new[] { "nosuchthing" }, "unknown command 'nosuchthing' for 'fnzchain'; its commands: version, crypto")]
    public async Task A_mistyped_command_is_named_with_the_closest_one(string[] args, string expected)
    {
        var result = await ProcessRunner.FnzchainAsync(WorkDir, args);

        AssertOneLineFailure(result, expected);
        Assert.That(result.StandardError, Does.Not.Contain("Required command was not provided"));
        Assert.That(result.ExitCode, Is.EqualTo(2));
    }

    [TestCase("crypt", "--help")]
    [TestCase("crypto", "generat", "--help")]
    public async Task An_unknown_command_with_help_is_an_error_not_the_parents_help(params string[] args)
    {
        var result = await ProcessRunner.FnzchainAsync(WorkDir, args);

        AssertOneLineFailure(result, $"unknown command '{args[^2]}'");
        Assert.That(result.ExitCode, Is.EqualTo(2));
        Assert.That(result.StandardOutput, Is.Empty, "no help is printed for a command that does not exist");
    }

    [Test]
    public async Task Help_of_a_known_command_still_prints_and_exits_zero()
    {
        var result = await ProcessRunner.FnzchainAsync(WorkDir, "crypto", "--help");

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(result.StandardOutput, Does.Contain("generate").And.Contain("revoke"));
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
        Directory.CreateDirectory(Folder.File("nowhere"));

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
        Directory.CreateDirectory(Folder.File("msp"));
        var result = await ProcessRunner.FnzchainAsync(WorkDir,
        [
            "private", "purge", "--gateway", "127.0.0.1:1", "--identity", "msp", "--msp-id", "Org1MSP", "--channel", "funds",
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
