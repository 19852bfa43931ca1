using System.Text.Json;

namespace FnzChain.InteropTests;

/// <summary>
/// Hyperledger Fabric's legacy Node SDK (<c>fabric-network</c> 2.2 over <c>fabric-common</c>), unmodified, against a
/// FnzChain network from <c>fnzchain network up</c>: it calls the peers' Endorser and Deliver services and the
/// orderer's Broadcast directly, without service discovery. One run of <c>tests/interop-legacy/interop-legacy.js</c>,
/// one test per check it reports; the listener checks run across two chaincode redefinitions (config blocks).
/// </summary>
[Category("Interop")]
[NonParallelizable]
public sealed class LegacyFabricSdkTests : NodeClientFixture
{
    private static readonly string[] s_checks =
    [
        "submitTransaction", "evaluateTransaction", "evaluateError", "commitWaiting", "transient", "configUpdates", "blockListener", "contractListener",
        "configBlocksBlockDecoder", "configBlocksConfigEnvelope", "deliverReconnects",
    ];

    private protected override NodeClientProject Project => NodeClientProject.LegacySdk;

    private protected override string[] ScriptArguments(LocalFabricNetwork network) => [network.ConnectionFile, .. LocalFabricNetwork.FnzchainCommand];

    [Test]
    public void Every_check_ran_and_passed_on_the_client()
    {
        Assert.That(Client.Checks.Keys, Is.EquivalentTo(s_checks), Client.Run.Output + Client.Run.Error);
        Assert.That(Client.Run.ExitCode, Is.Zero, Client.Run.Output + Client.Run.Error);
    }

    [Test]
    public void SubmitTransaction_returns_the_chaincode_result()
    {
        var check = Client.Passed("submitTransaction");

        Assert.That(check.GetProperty("fundId").GetString(), Is.EqualTo(check.GetProperty("expectedFundId").GetString()));
        Assert.That(check.GetProperty("nav").GetDecimal(), Is.EqualTo(100.5m));
    }

    [Test]
    public void EvaluateTransaction_reads_the_committed_state()
    {
        var check = Client.Passed("evaluateTransaction");

        Assert.That(check.GetProperty("name").GetString(), Is.EqualTo("Legacy Equity"));
        Assert.That(check.GetProperty("nav").GetDecimal(), Is.EqualTo(100.5m));
        Assert.That(check.GetProperty("currency").GetString(), Is.EqualTo("EUR"));
    }

    [Test]
    public void Evaluate_chaincode_error_reaches_the_caller_with_the_peers_message()
    {
        var check = Client.Passed("evaluateError");

        Assert.That(check.GetProperty("message").GetString(), Does.EndWith("-missing does not exist"));
    }

    [Test]
    public void Submit_returns_once_every_peer_committed_the_transaction_as_valid()
    {
        var check = Client.Passed("commitWaiting");

        Assert.That(check.GetProperty("resultNav").GetDecimal(), Is.EqualTo(101.75m));
        Assert.That(check.GetProperty("readNav").GetDecimal(), Is.EqualTo(101.75m), "evaluated right after submit returned");
        Assert.That(check.GetProperty("txIdLength").GetInt32(), Is.EqualTo(64));
        var commits = check.GetProperty("commits").EnumerateArray().ToList();
        Assert.That(commits.Select(c => c.GetProperty("mspId").GetString()), Is.EquivalentTo(new[] { "TransferAgentMSP", "DistributorMSP" }));
        Assert.That(commits.Select(c => c.GetProperty("status").GetString()), Has.All.EqualTo("VALID"));
        Assert.That(commits.Select(c => c.GetProperty("beforeReturn").GetBoolean()), Has.All.True, "NETWORK_SCOPE_ALLFORTX waits for the commit event of every peer");
    }

    [Test]
    public void Transient_data_reaches_the_chaincode_and_stays_out_of_the_block()
    {
        var check = Client.Passed("transient");

        Assert.That(check.GetProperty("hashMatches").GetBoolean(), Is.True, "the chaincode hashed the transient terms");
        Assert.That(Strings(check, "statuses"), Has.All.EqualTo("VALID"));
        Assert.That(check.GetProperty("txInBlock").GetBoolean(), Is.True);
        Assert.That(check.GetProperty("termsInBlock").GetBoolean(), Is.False);
    }

    [Test]
    public void Chaincode_redefinitions_commit_config_blocks_while_transactions_go_on()
    {
        var check = Client.Passed("configUpdates");

        Assert.That(Strings(check, "configBlocks").Distinct().Count(), Is.EqualTo(2));
        Assert.That(check.GetProperty("navAfter").GetDecimal(), Is.EqualTo(12m), "the transaction after the second redefinition committed");
    }

    [Test]
    public void Full_block_listener_from_block_0_receives_every_block_in_order_including_config_blocks()
    {
        var check = Client.Reported("blockListener");
        var height = Fact(check, "height").GetInt32();
        var received = Strings(check, "received");
        var definedWhileListening = Strings(Client.Reported("configUpdates"), "configBlocks", required: false);

        Assert.That(Strings(check, "configBlocks"), Is.SupersetOf(definedWhileListening), "the redefinitions' config blocks are in the ledger the listener should follow");
        Assert.That(
            received,
            Is.EqualTo(Enumerable.Range(0, height).Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture))),
            $"block {Text(check, "firstMissingBlock")} (config block: {Text(check, "firstMissingIsConfig")}) never reached the full-block listener; "
            + $"fabric-common BlockDecoder on it: {Text(check, "firstMissingDecoderError")}. {Text(check, "error")}");
        Assert.That(check.GetProperty("ok").GetBoolean(), Is.True, check.ToString());
    }

    [Test]
    public void Contract_listener_from_block_0_receives_every_event_across_config_blocks()
    {
        var check = Client.Reported("contractListener");
        var missing = Fact(check, "missing").EnumerateArray().Select(e => $"{e.GetProperty("eventName").GetString()} in block {e.GetProperty("blockNumber").GetString()}").ToList();

        Assert.That(
            missing,
            Is.Empty,
            $"the contract listener stalled at block {Text(check, "stalledAtBlock")}, which fabric-common BlockDecoder rejects: {Text(check, "stalledAtDecoderError")}. {Text(check, "error")}");
        Assert.That(Fact(check, "repeated").GetInt32(), Is.Zero, "no event delivered twice");
        Assert.That(Fact(check, "inBlockOrder").GetBoolean(), Is.True);
        Assert.That(check.GetProperty("ok").GetBoolean(), Is.True, check.ToString());
    }

    [Test]
    public void Config_blocks_decode_with_fabric_commons_BlockDecoder_as_a_Fabric_channel_config() =>
        AssertFabricConfigBlocks("configBlocksBlockDecoder", "fabric-common BlockDecoder");

    [Test]
    public void Config_blocks_decode_as_fabric_protos_common_ConfigEnvelope() =>
        AssertFabricConfigBlocks("configBlocksConfigEnvelope", "fabric-protos common.ConfigEnvelope");

    [Test]
    public void Listeners_Deliver_streams_are_opened_once_and_never_reconnect()
    {
        var check = Client.Passed("deliverReconnects");
        var listeners = Fact(check, "listeners").EnumerateArray().Select(l => $"{l.GetProperty("listener").GetString()}: {l.GetProperty("connections").GetInt32()} connections").ToList();
        var streamErrors = Fact(check, "streamErrors").EnumerateArray().Select(e => $"{e.GetProperty("count").GetInt32()} x {e.GetProperty("reason").GetString()}").ToList();
        TestContext.Out.WriteLine($"Deliver streams opened: {Fact(check, "streamsOpened")}; {string.Join("; ", listeners)}; stream errors: {string.Join("; ", streamErrors)}");

        Assert.That(listeners, Has.Count.EqualTo(2), "the block listener's and the contract listener's event sources");
        Assert.That(
            Fact(check, "reconnects").GetInt32(),
            Is.Zero,
            $"the legacy SDK reopened its Deliver streams ({string.Join("; ", listeners)}) after stream errors: {string.Join("; ", streamErrors)}");
        Assert.That(streamErrors, Is.Empty);
    }

    /// <summary>Every config block decodes, and as Fabric's channel config: groups Application and Orderer.</summary>
    private void AssertFabricConfigBlocks(string checkName, string decoder)
    {
        var check = Client.Reported(checkName);
        var blocks = Fact(check, "blocks").EnumerateArray().ToList();
        var numbers = blocks.Select(b => b.GetProperty("block").GetString()!).ToList();

        Assert.That(numbers, Is.SupersetOf(new[] { "0", "1" }), "genesis and network up's chaincode definition are config blocks");
        Assert.That(numbers, Is.SupersetOf(Strings(check, "definedInThisRun")), "the redefinitions' config blocks");
        Assert.Multiple(() =>
        {
            foreach (var block in blocks)
            {
                var number = block.GetProperty("block").GetString();
                Assert.That(block.GetProperty("decoded").GetBoolean(), Is.True, $"config block {number}: {decoder} failed: {Text(block, "error")}");
                if (block.GetProperty("decoded").GetBoolean())
                {
                    Assert.That(Strings(block, "groups"), Is.SupersetOf(new[] { "Application", "Orderer" }), $"config block {number}: {decoder}: config.channel_group.groups");
                }
            }
        });
    }

    /// <summary>A fact of a check's line (fails the test with the whole line when the script did not report it).</summary>
    private static JsonElement Fact(JsonElement check, string name)
    {
        Assert.That(check.TryGetProperty(name, out var fact), Is.True, $"no \"{name}\" in {check}");
        return fact;
    }

    private static string[] Strings(JsonElement check, string name, bool required = true) =>
        !required && !check.TryGetProperty(name, out _) ? [] : [.. Fact(check, name).EnumerateArray().Select(e => e.GetString()!)];

    private static string Text(JsonElement check, string name) => check.TryGetProperty(name, out var value) ? value.ToString() : "(not reported)";
}
