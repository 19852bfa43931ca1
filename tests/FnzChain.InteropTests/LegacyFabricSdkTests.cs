using System.Text.Json;

namespace FnzChain.InteropTests;

/// <summary>
/// Hyperledger Fabric's legacy Node SDK (<c>fabric-network</c> 2.2 over <c>fabric-common</c>), unmodified, against a
/// FnzChain network from <c>fnzchain network up</c>: it calls the peers' Endorser and Deliver services and the
/// orderer's Broadcast directly, without service discovery. One run of <c>tests/interop-legacy/interop-legacy.js</c>,
/// one test per check it reports; the listener checks run across two channel config updates (config blocks, made with `fnzchain channel update`). Last, a
/// channel config update built and signed with Fabric's JS code alone (<c>tests/interop-legacy/config-update.js</c>:
/// fabric-protos messages, fabric-common's signer and Broadcast client) is ordered, and wrong ones are refused.
/// </summary>
[Category("Interop")]
[NonParallelizable]
public sealed class LegacyFabricSdkTests : NodeClientFixture
{
    private static readonly string[] s_checks =
    [
        "submitTransaction", "evaluateTransaction", "evaluateError", "commitWaiting", "transient", "configUpdates", "blockListener", "contractListener",
        "configBlocksBlockDecoder", "configBlocksConfigEnvelope", "deliverReconnects",
        "jsConfigUpdate", "jsConfigUpdateBlock", "jsConfigUpdateOtherOrgAdmin", "jsConfigUpdateFromOldConfig", "jsConfigUpdateStaleReadSet",
    ];

    /// <summary>The anchor peer the accepted update adds to the Distributor's <c>AnchorPeers</c>.</summary>
    private const string NewAnchor = "127.0.0.1:1";

    private const string DistributorAnchorPeers = "/Channel/Application/Distributor/AnchorPeers";

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
    public void Channel_config_updates_commit_config_blocks_while_transactions_go_on()
    {
        var check = Client.Passed("configUpdates");

        Assert.That(Strings(check, "configBlocks").Distinct().Count(), Is.EqualTo(2));
        Assert.That(check.GetProperty("navAfter").GetDecimal(), Is.EqualTo(12m), "the transaction after the second config update committed");
    }

    [Test]
    public void Full_block_listener_from_block_0_receives_every_block_in_order_including_config_blocks()
    {
        var check = Client.Reported("blockListener");
        var height = Fact(check, "height").GetInt32();
        var received = Strings(check, "received");
        var definedWhileListening = Strings(Client.Reported("configUpdates"), "configBlocks", required: false);

        Assert.That(Strings(check, "configBlocks"), Is.SupersetOf(definedWhileListening), "the config updates' blocks are in the ledger the listener should follow");
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

    [Test]
    public void Config_update_built_with_fabric_protos_and_signed_by_the_orgs_admin_is_accepted()
    {
        var check = Client.Reported("jsConfigUpdate");

        Assert.That(Text(check, "status"), Is.EqualTo("SUCCESS"), $"the orderer refused the update of {DistributorAnchorPeers} that fabric-protos built: {Text(check, "info")}. {Text(check, "error")}");
        Assert.That(Strings(check, "readSet"), Is.EqualTo(new[] { "/Channel@0", "/Channel/Application@0", "/Channel/Application/Distributor@0" }), "read set as configtxlator's compute_update writes it (groups only)");
        Assert.That(Strings(check, "writeSet"), Does.Contain(DistributorAnchorPeers + "@1"), "AnchorPeers written at version + 1");
        Assert.That(Text(check, "signer"), Is.EqualTo("DistributorMSP"), "signed by the Distributor's admin alone");
        Assert.That(Fact(check, "creatorIsCertificatePem").GetBoolean(), Is.True, "SerializedIdentity.id_bytes is the admin certificate's PEM");
        Assert.That(Fact(check, "signatureLowS").GetBoolean(), Is.True, "fabric-common signs with low S");
        Assert.That(Fact(check, "signatureVerifies").GetBoolean(), Is.True, "the ConfigSignature verifies with Node's crypto over signature_header || config_update");
        Assert.That(check.GetProperty("ok").GetBoolean(), Is.True, check.ToString());
    }

    [Test]
    public void Accepted_config_update_commits_a_config_block_with_the_new_anchor_peer_on_every_peer()
    {
        var update = Client.Passed("jsConfigUpdate");
        var check = Client.Reported("jsConfigUpdateBlock");
        var peers = Fact(check, "peers").EnumerateArray().ToList();

        Assert.That(peers.Select(p => p.GetProperty("peer").GetString()), Is.EquivalentTo(new[] { "peer0.ta.example.com", "peer0.distributor.example.com" }), check.ToString());
        Assert.Multiple(() =>
        {
            foreach (var peer in peers)
            {
                var name = peer.GetProperty("peer").GetString();
                Assert.That(peer.GetProperty("isConfig").GetBoolean(), Is.True, $"block {Text(check, "block")} on {name} is a config block");
                if (!peer.GetProperty("isConfig").GetBoolean())
                {
                    continue;
                }

                var anchorPeers = peer.GetProperty("anchorPeers");
                Assert.That(Strings(anchorPeers, "anchors"), Does.Contain(NewAnchor), $"{DistributorAnchorPeers} decoded with fabric-protos on {name}");
                Assert.That(Strings(anchorPeers, "anchors"), Is.SupersetOf(Strings(update.GetProperty("anchorPeersBefore"), "anchors")), $"{name}: the existing anchor stays");
                Assert.That(anchorPeers.GetProperty("version").GetInt32(), Is.EqualTo(1), $"{DistributorAnchorPeers} version on {name}");
                Assert.That(Text(peer, "sequence"), Is.EqualTo((long.Parse(Text(update, "sequenceBefore"), System.Globalization.CultureInfo.InvariantCulture) + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)), $"config sequence on {name}");
                Assert.That(Text(peer, "lastUpdateTxId"), Is.EqualTo(Text(update, "txId")), $"ConfigEnvelope.last_update on {name} is the client's CONFIG_UPDATE");
            }
        });
        Assert.That(check.GetProperty("ok").GetBoolean(), Is.True, check.ToString());
    }

    [Test]
    public void Config_update_of_an_orgs_anchor_peers_signed_only_by_another_orgs_admin_is_forbidden()
    {
        var check = Client.Reported("jsConfigUpdateOtherOrgAdmin");

        Assert.That(Text(check, "signer"), Is.EqualTo("TransferAgentMSP"), check.ToString());
        Assert.That(Text(check, "status"), Is.EqualTo("FORBIDDEN"), $"the orderer answered: {Text(check, "info")}");
        Assert.That(Text(check, "info"), Does.Contain("/Channel/Application/Distributor/Admins"), "the refusal names the policy that was not satisfied");
        Assert.That(Text(check, "info"), Does.Contain(DistributorAnchorPeers), "the refusal names the element");
        Assert.That(Text(check, "newestBlockAfter"), Is.EqualTo(Text(check, "acceptedBlock")), "no block after the accepted update's");
        Assert.That(check.GetProperty("ok").GetBoolean(), Is.True, check.ToString());
    }

    [Test]
    public void Config_update_computed_from_the_replaced_config_is_refused_with_the_version_it_should_write()
    {
        // configtxlator's read set holds only groups, whose versions an AnchorPeers change leaves alone: the write
        // version (1, again) is what gives the stale update away, as in Fabric ("attempt to set key ... to version 1,
        // but key is at version 1").
        var check = Client.Reported("jsConfigUpdateFromOldConfig");

        Assert.That(Text(check, "status"), Is.EqualTo("BAD_REQUEST"), $"the orderer answered: {Text(check, "info")}");
        Assert.That(Text(check, "info"), Does.Contain($"config update is stale: it sets value {DistributorAnchorPeers} to version 1 but channel funds has it at version 1 already"));
        Assert.That(Text(check, "newestBlockAfter"), Is.EqualTo(Text(check, "acceptedBlock")), "no block after the accepted update's");
        Assert.That(check.GetProperty("ok").GetBoolean(), Is.True, check.ToString());
    }

    [Test]
    public void Config_update_whose_read_set_pins_a_version_that_moved_is_refused_as_stale()
    {
        var check = Client.Reported("jsConfigUpdateStaleReadSet");

        Assert.That(Strings(check, "readSet"), Does.Contain(DistributorAnchorPeers + "@0"), check.ToString());
        Assert.That(Text(check, "status"), Is.EqualTo("BAD_REQUEST"), $"the orderer answered: {Text(check, "info")}");
        Assert.That(Text(check, "info"), Does.Contain($"config update is stale: it read value {DistributorAnchorPeers} at version 0 but channel funds has it at version 1"));
        Assert.That(Text(check, "newestBlockAfter"), Is.EqualTo(Text(check, "acceptedBlock")), "no block after the accepted update's");
        Assert.That(check.GetProperty("ok").GetBoolean(), Is.True, check.ToString());
    }

    /// <summary>Every config block decodes, and as Fabric's channel config: groups Application and Orderer.</summary>
    private void AssertFabricConfigBlocks(string checkName, string decoder)
    {
        var check = Client.Reported(checkName);
        var blocks = Fact(check, "blocks").EnumerateArray().ToList();
        var numbers = blocks.Select(b => b.GetProperty("block").GetString()!).ToList();

        Assert.That(numbers, Does.Contain("0"), "the genesis block (a chaincode definition is a _lifecycle transaction, not a config block)");
        Assert.That(numbers, Is.SupersetOf(Strings(check, "definedInThisRun")), "the config updates' blocks");
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
