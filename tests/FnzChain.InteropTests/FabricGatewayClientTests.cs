namespace FnzChain.InteropTests;

/// <summary>
/// Hyperledger Fabric's Gateway client for Node (<c>@hyperledger/fabric-gateway</c> 1.x over <c>@grpc/grpc-js</c>),
/// unmodified, against a FnzChain network from <c>fnzchain network up</c>: one run of <c>tests/interop/interop.js</c>,
/// one test per check it reports. Twice: over TLS (the client's <c>grpc.credentials.createSsl(peer's TLS CA)</c>), and
/// against a network started with <c>--mutual-tls</c> (<c>createSsl(CA, client key, client certificate)</c> and the
/// certificate's hash as <c>tlsClientCertificateHash</c>, which its block event requests carry): the fixtures
/// <see cref="FabricGatewayClientOverTlsTests"/> and <see cref="FabricGatewayClientOverMutualTlsTests"/>.
/// </summary>
public abstract class FabricGatewayClientTests(string security) : NodeClientFixture
{
    private static readonly string[] s_checks =
    [
        "connection", "submitTransaction", "evaluateTransaction", "evaluateError", "submitAsync", "transient", "blockAndPrivateData", "chaincodeEvents",
        "chaincodeEventsFromNextCommit", "blockEvents", "filteredBlockEvents", "endorseError", "mvccConflict", "plaintextRefused",
    ];

    private protected override NodeClientProject Project => NodeClientProject.Gateway;

    private protected override string[] NetworkOptions => security == "mutual-tls" ? ["--mutual-tls"] : [];

    [Test]
    public void Every_check_ran_and_passed_on_the_client()
    {
        string[] expected = security == "mutual-tls" ? [.. s_checks, "noClientCertificateRefused"] : s_checks;
        Assert.That(Client.Checks.Keys, Is.EquivalentTo(expected), Client.Run.Output + Client.Run.Error);
        Assert.That(Client.Run.ExitCode, Is.Zero, Client.Run.Output + Client.Run.Error);
    }

    [Test]
    public void The_client_connected_with_TLS_credentials_as_the_network_requires()
    {
        var check = Client.Passed("connection");

        Assert.That(check.GetProperty("security").GetString(), Is.EqualTo(security));
        Assert.That(check.GetProperty("credentials").GetString(), Is.EqualTo(security == "mutual-tls" ? "ssl+client-certificate" : "ssl"));
    }

    [Test]
    public void A_plaintext_client_is_refused_by_the_TLS_peer()
    {
        var check = Client.Passed("plaintextRefused");

        Assert.That(check.GetProperty("grpcCode").GetInt32(), Is.EqualTo((int)Grpc.Core.StatusCode.Unavailable), check.ToString());
    }

    [Test]
    public void SubmitTransaction_returns_the_chaincode_result()
    {
        var check = Client.Passed("submitTransaction");

        Assert.That(check.GetProperty("fundId").GetString(), Is.EqualTo(check.GetProperty("expectedFundId").GetString()));
        Assert.That(check.GetProperty("nav").GetDecimal(), Is.EqualTo(100.5m));
        Assert.That(check.GetProperty("otherFundId").GetString(), Is.EqualTo(check.GetProperty("expectedFundId").GetString() + "-B"));
    }

    [Test]
    public void EvaluateTransaction_reads_the_committed_state()
    {
        var check = Client.Passed("evaluateTransaction");

        Assert.That(check.GetProperty("name").GetString(), Is.EqualTo("Interop Equity"));
        Assert.That(check.GetProperty("nav").GetDecimal(), Is.EqualTo(100.5m));
        Assert.That(check.GetProperty("currency").GetString(), Is.EqualTo("EUR"));
    }

    [Test]
    public void Evaluate_chaincode_error_is_a_GatewayError_UNKNOWN_with_the_peers_detail()
    {
        var check = Client.Passed("evaluateError");

        Assert.That(check.GetProperty("errorType").GetString(), Is.EqualTo("GatewayError"));
        Assert.That(check.GetProperty("grpcCode").GetInt32(), Is.EqualTo((int)Grpc.Core.StatusCode.Unknown), "Fabric: a chaincode error response is UNKNOWN");
        var detail = check.GetProperty("details").EnumerateArray().Single();
        Assert.That(detail.GetProperty("mspId").GetString(), Is.EqualTo("TransferAgentMSP"));
        Assert.That(detail.GetProperty("address").GetString(), Is.EqualTo(PeerOf("TransferAgent")));
        Assert.That(detail.GetProperty("message").GetString(), Does.StartWith("chaincode response 404, ").And.EndWith("-missing does not exist"));
    }

    [Test]
    public void SubmitAsync_gives_the_result_then_the_commit_status_with_block_and_validation_code()
    {
        var check = Client.Passed("submitAsync");

        Assert.That(check.GetProperty("resultNav").GetDecimal(), Is.EqualTo(101.75m));
        Assert.That(check.GetProperty("readNav").GetDecimal(), Is.EqualTo(101.75m));
        Assert.That(check.GetProperty("codeName").GetString(), Is.EqualTo("VALID"));
        Assert.That(check.GetProperty("successful").GetBoolean(), Is.True);
        Assert.That(check.GetProperty("statusTxIdMatches").GetBoolean(), Is.True);
        Assert.That(ulong.Parse(check.GetProperty("blockNumber").GetString()!, System.Globalization.CultureInfo.InvariantCulture), Is.GreaterThan(1UL), "block 0 is genesis, block 1 the chaincode definition");
    }

    [Test]
    public void Transient_data_reaches_the_chaincode_and_stays_out_of_the_block()
    {
        var check = Client.Passed("transient");

        Assert.That(check.GetProperty("hashMatches").GetBoolean(), Is.True, "the chaincode hashed the transient terms");
        Assert.That(check.GetProperty("codeName").GetString(), Is.EqualTo("VALID"));
        Assert.That(check.GetProperty("termsInBlock").GetBoolean(), Is.False);
    }

    [Test]
    public void Blocks_come_with_the_private_data_of_the_callers_collections()
    {
        var check = Client.Passed("blockAndPrivateData");

        Assert.That(check.GetProperty("codeName").GetString(), Is.EqualTo("VALID"));
        Assert.That(check.GetProperty("blockNumber").GetString(), Is.EqualTo(check.GetProperty("expectedBlockNumber").GetString()));
        Assert.That(check.GetProperty("collections").EnumerateArray().Select(c => c.GetString()), Is.EqualTo(new[] { "funds/investorPII" }));
        Assert.That(check.GetProperty("personalDataDelivered").GetBoolean(), Is.True, "the library decoded our BlockAndPrivateData and found the value");
        Assert.That(check.GetProperty("personalDataInBlock").GetBoolean(), Is.False, "the block itself holds only hashes");
    }

    [Test]
    public void Chaincode_events_from_a_block_resume_after_the_checkpointed_transaction()
    {
        var check = Client.Passed("chaincodeEvents");

        Assert.That(check.GetProperty("firstEvent").GetString(), Is.EqualTo("FundCreated"));
        Assert.That(check.GetProperty("checkpointBlock").GetString(), Is.EqualTo(check.GetProperty("firstBlock").GetString()));
        Assert.That(check.GetProperty("checkpointTxId").GetBoolean(), Is.True);
        Assert.That(check.GetProperty("resumedEvent").GetString(), Is.EqualTo("NavPublished"), "the checkpointed event is not delivered again");
        Assert.That(check.GetProperty("resumedTxIdMatches").GetBoolean(), Is.True);
        Assert.That(check.GetProperty("resumedBlock").GetString(), Is.EqualTo(check.GetProperty("expectedResumedBlock").GetString()));
    }

    [Test]
    public void Chaincode_events_without_a_start_block_begin_at_the_next_commit()
    {
        var check = Client.Passed("chaincodeEventsFromNextCommit");

        Assert.That(check.GetProperty("eventName").GetString(), Is.EqualTo("FundCreated"));
        Assert.That(check.GetProperty("txIdMatches").GetBoolean(), Is.True);
        Assert.That(check.GetProperty("blockNumber").GetString(), Is.EqualTo(check.GetProperty("expectedBlockNumber").GetString()));
    }

    [Test]
    public void Block_events_start_at_the_requested_block_and_follow_in_order()
    {
        var check = Client.Passed("blockEvents");

        Assert.That(check.GetProperty("blockNumber").GetString(), Is.EqualTo(check.GetProperty("expectedBlockNumber").GetString()));
        Assert.That(check.GetProperty("containsTx").GetBoolean(), Is.True);
        Assert.That(
            ulong.Parse(check.GetProperty("nextBlockNumber").GetString()!, System.Globalization.CultureInfo.InvariantCulture),
            Is.EqualTo(ulong.Parse(check.GetProperty("blockNumber").GetString()!, System.Globalization.CultureInfo.InvariantCulture) + 1));
    }

    [Test]
    public void Filtered_block_events_carry_tx_id_validation_code_and_event_name_without_payload()
    {
        var check = Client.Passed("filteredBlockEvents");

        Assert.That(check.GetProperty("channel").GetString(), Is.EqualTo("funds"));
        Assert.That(check.GetProperty("blockNumber").GetString(), Is.EqualTo(check.GetProperty("expectedBlockNumber").GetString()));
        Assert.That(check.GetProperty("txFound").GetBoolean(), Is.True);
        Assert.That(check.GetProperty("codeName").GetString(), Is.EqualTo("VALID"));
        Assert.That(check.GetProperty("eventName").GetString(), Is.EqualTo("NavPublished"));
        Assert.That(check.GetProperty("eventPayloadEmpty").GetBoolean(), Is.True);
    }

    [Test]
    public void Endorsement_failure_is_an_EndorseError_with_each_endorsers_details()
    {
        var check = Client.Passed("endorseError");

        Assert.That(check.GetProperty("errorType").GetString(), Is.EqualTo("EndorseError"));
        Assert.That(check.GetProperty("grpcCode").GetInt32(), Is.EqualTo((int)Grpc.Core.StatusCode.Aborted));
        Assert.That(check.GetProperty("transactionIdSet").GetBoolean(), Is.True);
        var details = check.GetProperty("details").EnumerateArray()
            .Select(d => (MspId: d.GetProperty("mspId").GetString(), Address: d.GetProperty("address").GetString(), Message: d.GetProperty("message").GetString()))
            .OrderBy(d => d.MspId, StringComparer.Ordinal)
            .ToList();
        Assert.That(details.Select(d => (d.MspId, d.Address)), Is.EqualTo(new[] { ("DistributorMSP", PeerOf("Distributor")), ("TransferAgentMSP", PeerOf("TransferAgent")) }));
        Assert.That(details.Select(d => d.Message), Has.All.StartWith("chaincode response 404, ").And.All.EndWith("-missing does not exist"));
    }

    [Test]
    public void Mvcc_conflict_is_a_CommitError_with_MVCC_READ_CONFLICT()
    {
        var check = Client.Passed("mvccConflict");

        Assert.That(check.GetProperty("errorType").GetString(), Is.EqualTo("CommitError"));
        Assert.That(check.GetProperty("otherCodeName").GetString(), Is.EqualTo("VALID"));
        Assert.That(check.GetProperty("codeName").GetString(), Is.EqualTo("MVCC_READ_CONFLICT"));
        Assert.That(check.GetProperty("code").GetInt32(), Is.EqualTo(11));
        Assert.That(check.GetProperty("transactionIdSet").GetBoolean(), Is.True);
    }
}

/// <summary>The Fabric Gateway client over TLS (server authentication only).</summary>
[Category("Interop")]
[NonParallelizable]
public sealed class FabricGatewayClientOverTlsTests() : FabricGatewayClientTests("tls");

/// <summary>The Fabric Gateway client against a network that requires client certificates.</summary>
[Category("Interop")]
[NonParallelizable]
public sealed class FabricGatewayClientOverMutualTlsTests() : FabricGatewayClientTests("mutual-tls")
{
    [Test]
    public void A_client_without_a_certificate_is_refused_in_the_handshake()
    {
        var check = Client.Passed("noClientCertificateRefused");

        Assert.That(check.GetProperty("grpcCode").GetInt32(), Is.EqualTo((int)Grpc.Core.StatusCode.Unavailable), check.ToString());
    }
}
