namespace FnzChain.Cli.Tests.Commands;

/// <summary>A node whose configuration file is wrong says which field and why, in one line, and exits 1.</summary>
public sealed class NodeConfigErrorTests
{
    [TestCase("orderer", """{ "listenAddress": "nohost", "mspId": "X", "mspPath": ".", "dataPath": "d" }""", "listenAddress: \"nohost\" is not host:port")]
    [TestCase("orderer", """{ "listenAddress": "127.0.0.1:0", "mspId": "X", "mspPath": ".", "dataPath": "d", "extra": 1 }""", "'extra' could not be mapped")]
    [TestCase("orderer", """{ "listenAddress": "127.0.0.1:0", "mspPath": ".", "dataPath": "d" }""", "mspId")]
    [TestCase("peer", """{ "listenAddress": "127.0.0.1:0", "mspId": "X", "mspPath": "missing", "dataPath": "d" }""", "mspPath")]
    [TestCase("peer", """{ "listenAddress": "127.0.0.1:0", "mspId": "X", "mspPath": ".", "dataPath": "d", "ordererAddresses": ["orderer_1:7050"] }""", "ordererAddresses: \"orderer_1\" in \"orderer_1:7050\" is neither an IP address (IPv6 in brackets) nor a DNS host name")]
    [TestCase("peer", """{ "listenAddress": "127.0.0.1:0", "mspId": "X", "mspPath": ".", "dataPath": "d", "durability": "sometimes" }""", "durability")]
    [TestCase("orderer", """{ "listenAddress": "127.0.0.1:0", "mspId": "X", "mspPath": ".", "dataPath": "d", "authenticationThrottle": { "lockoutSeconds": 100, "maxLockoutSeconds": 50 } }""", "authenticationThrottle.lockoutSeconds 100 must be at least 1 and at most maxLockoutSeconds 50")]
    [TestCase("peer", """{ "listenAddress": "127.0.0.1:0", "mspId": "X", "mspPath": ".", "dataPath": "d", "audit": { "maxFileBytes": 100 } }""", "audit.maxFileBytes 100 is less than 4096")]
    [TestCase("peer", """{ "listenAddress": "127.0.0.1:0", "mspId": "X", "mspPath": ".", "dataPath": "d", "audit": { "enabled": false } }""", "'enabled' could not be mapped")]
    public async Task Node_with_a_wrong_config_names_the_field_and_exits_1(string kind, string json, string expected)
    {
        using var folder = new TempFolder();
        await File.WriteAllTextAsync(folder.File("node.json"), json);

        var result = await ProcessRunner.FnzchainAsync(folder.Path, kind, "start", "--config", "node.json");

        Assert.That(result.ExitCode, Is.EqualTo(1), result.ToString());
        Assert.That(result.ErrorLines, Has.Length.EqualTo(1));
        Assert.That(result.ErrorLines[0], Does.StartWith($"fnzchain: {kind} config node.json").And.Contain(expected));
    }

    [Test]
    public async Task An_environment_override_that_is_wrong_is_named_like_a_field_of_the_file()
    {
        using var folder = new TempFolder();
        await File.WriteAllTextAsync(folder.File("node.json"), """{ "listenAddress": "127.0.0.1:0", "mspId": "X", "mspPath": ".", "dataPath": "d" }""");

        var result = await ProcessRunner.FnzchainAsync(folder.Path, new Dictionary<string, string> { ["FNZCHAIN__LISTENADDRESS"] = "nohost" }, "orderer", "start", "--config", "node.json");

        Assert.That(result.ExitCode, Is.EqualTo(1), result.ToString());
        Assert.That(result.ErrorLines.Single(), Does.StartWith("fnzchain: orderer config node.json").And.Contain("listenAddress: \"nohost\" is not host:port"));
    }

    [Test]
    public async Task An_upper_case_override_of_a_field_the_file_leaves_out_reaches_that_field()
    {
        // The file has no operationsAddress: the variable's name must be matched against the options, in any case.
        using var folder = new TempFolder();
        await File.WriteAllTextAsync(folder.File("node.json"), """{ "listenAddress": "127.0.0.1:0", "mspId": "X", "mspPath": ".", "dataPath": "d" }""");

        var result = await ProcessRunner.FnzchainAsync(folder.Path, new Dictionary<string, string> { ["FNZCHAIN__OPERATIONSADDRESS"] = "nohost" }, "orderer", "start", "--config", "node.json");

        Assert.That(result.ExitCode, Is.EqualTo(1), result.ToString());
        Assert.That(result.ErrorLines.Single(), Does.StartWith("fnzchain: orderer config node.json").And.Contain("operationsAddress: "));
        Assert.That(result.StandardError, Does.Not.Contain("could not be mapped"));
    }
}
