using System.Text;
using System.Text.Json;
using FnzChain.Client;
using GatewayClient = FnzChain.Protos.Gateway.Gateway.GatewayClient;
using FnzChain.Protos.Gateway;
using FnzChain.Protos.Peer;
using Google.Protobuf;
using Grpc.Core;

namespace FnzChain.IntegrationTests.Peer;

/// <summary>
/// The audit trail of real nodes: one record per request on every node it reached, with origin, creator, transaction
/// and outcome; refused requests too; no argument, transient or chaincode-error text in the files; and
/// <c>fnzchain audit verify</c> on the files the nodes wrote, intact and tampered with.
/// </summary>
[Category("Integration")]
public sealed class AuditTrailTests : FundsNetworkFixture
{
    private static readonly TimeSpan RecordWait = TimeSpan.FromSeconds(20);

    private string Peer1Data => Network.PeerDataPath("org1.example.com");

    private string Peer2Data => Network.PeerDataPath("org2.example.com");

    private string OrdererData => Path.Combine(Network.Folder, "orderer-data");

    private static List<JsonElement> Records(string dataPath) => AuditFiles.Records(dataPath);

    /// <summary>Waits (the writer is in the background) for a record of <paramref name="dataPath"/> matching <paramref name="match"/>.</summary>
    private static async Task<JsonElement> RecordAsync(string dataPath, Func<JsonElement, bool> match, string what)
    {
        var until = DateTime.UtcNow + RecordWait;
        while (true)
        {
            if (Records(dataPath).FirstOrDefault(match) is { ValueKind: JsonValueKind.Object } found)
            {
                return found;
            }

            if (DateTime.UtcNow > until)
            {
                Assert.Fail($"no audit record {what} in {dataPath}/audit within {RecordWait.TotalSeconds} s");
            }

            await Task.Delay(100);
        }
    }

    private static string? S(JsonElement record, string name) => record.GetProperty(name).ValueKind == JsonValueKind.String ? record.GetProperty(name).GetString() : null;

    private static int? N(JsonElement record, string name) => record.GetProperty(name).ValueKind == JsonValueKind.Number ? record.GetProperty(name).GetInt32() : null;

    [Test]
    public async Task A_submitted_transaction_is_recorded_on_every_node_it_reached_with_origin_creator_and_outcome()
    {
        using var user = ClientIdentity.FromMspFolder(Network.IdentityMsp("org1.example.com", "users/User1@org1.example.com"), "Org1MSP");
        using var gateway = FnzChain.Client.Gateway.Connect(Peer1.Address, user);
        var funds = gateway.GetNetwork(TestNetwork.Channel).GetContract("funds");

        await funds.SubmitAsync("CreateFund", "F-audit", "Audited Fund", "10", "EUR");

        var endorse = await RecordAsync(Peer1Data, r => S(r, "method") == "/gateway.Gateway/Endorse" && S(r, "function") == "CreateFund", "of the gateway's Endorse");
        var txId = S(endorse, "txId")!;
        var submit = await RecordAsync(Peer1Data, r => S(r, "method") == "/gateway.Gateway/Submit" && S(r, "txId") == txId, "of the gateway's Submit");
        var endorser2 = await RecordAsync(Peer2Data, r => S(r, "method") == "/protos.Endorser/ProcessProposal" && S(r, "txId") == txId, "of Org2's endorsement");
        var broadcast = await RecordAsync(OrdererData, r => S(r, "method") == "/orderer.AtomicBroadcast/Broadcast" && S(r, "txId") == txId, "of the orderer's Broadcast");
        Assert.Multiple(() =>
        {
            Assert.That(txId, Does.Match("^[0-9a-f]{64}$"));
            Assert.That(S(endorse, "origin"), Is.EqualTo("127.0.0.1"));
            Assert.That(N(endorse, "port"), Is.GreaterThan(0));
            Assert.That(S(endorse, "tlsClient"), Is.Null, "plaintext connection: no client certificate");
            Assert.That(S(endorse, "mspId"), Is.EqualTo("Org1MSP"));
            Assert.That(S(endorse, "subject"), Does.Contain("CN=User1@org1.example.com"));
            Assert.That(S(endorse, "channel"), Is.EqualTo(TestNetwork.Channel));
            Assert.That(S(endorse, "chaincode"), Is.EqualTo("funds"));
            Assert.That(S(endorse, "grpcStatus"), Is.EqualTo("OK"));
            Assert.That(endorse.GetProperty("durationMs").GetDouble(), Is.GreaterThan(0));
            Assert.That(S(submit, "grpcStatus"), Is.EqualTo("OK"));
            Assert.That(S(endorser2, "mspId"), Is.EqualTo("Org1MSP"), "the client's proposal, forwarded by the gateway");
            Assert.That(N(endorser2, "status"), Is.EqualTo(200));
            Assert.That(S(endorser2, "function"), Is.EqualTo("CreateFund"));
            Assert.That(N(broadcast, "status"), Is.EqualTo(200));
            Assert.That(S(broadcast, "subject"), Does.Contain("CN=User1@org1.example.com"));
        });
    }

    [Test]
    public async Task A_wrongly_signed_request_is_recorded_refused_with_its_origin_and_why()
    {
        var proposed = Client.Propose("funds", "ReadFund", "F1");
        using var stranger = Network.As("org2.example.com", "users/User1@org2.example.com", "Org2MSP");
        var forged = new SignedProposal { ProposalBytes = proposed.Signed.ProposalBytes, Signature = ByteString.CopyFrom(stranger.Files.Signer.Sign(proposed.Signed.ProposalBytes.Span)) };
        var gateway = new GatewayClient(TestNetwork.Connect(Peer1));

        var refused = Assert.ThrowsAsync<RpcException>(async () =>
            await gateway.EvaluateAsync(new EvaluateRequest { TransactionId = proposed.TxId, ChannelId = TestNetwork.Channel, ProposedTransaction = forged }));
        var endorser = await TestClient.EndorseAsync(Peer1, new TestClient.Proposed(forged, proposed.Proposal, proposed.TxId));

        var evaluate = await RecordAsync(Peer1Data, r => S(r, "method") == "/gateway.Gateway/Evaluate" && S(r, "txId") == proposed.TxId, "of the refused Evaluate");
        var process = await RecordAsync(Peer1Data, r => S(r, "method") == "/protos.Endorser/ProcessProposal" && S(r, "txId") == proposed.TxId, "of the refused ProcessProposal");
        Assert.Multiple(() =>
        {
            Assert.That(refused!.StatusCode, Is.Not.EqualTo(StatusCode.OK));
            Assert.That(S(evaluate, "grpcStatus"), Is.EqualTo(refused.StatusCode.ToString()));
            Assert.That(S(evaluate, "origin"), Is.EqualTo("127.0.0.1"));
            Assert.That(S(evaluate, "authFailure"), Is.EqualTo("BadSignature"));
            Assert.That(S(evaluate, "mspId"), Is.EqualTo("Org1MSP"), "the MSP the creator claimed");
            Assert.That(S(evaluate, "subject"), Is.Null, "an identity that did not authenticate has no subject on record");
            Assert.That(S(evaluate, "reason"), Does.Contain("signature"));
            Assert.That(endorser.Response.Status, Is.EqualTo(500));
            Assert.That(S(process, "grpcStatus"), Is.EqualTo("OK"), "the endorser answers in the protocol");
            Assert.That(N(process, "status"), Is.EqualTo(500));
            Assert.That(S(process, "authFailure"), Is.EqualTo("BadSignature"));
        });
    }

    [Test]
    public async Task Argument_transient_and_chaincode_error_values_never_reach_the_audit_files()
    {
        var argument = $"ARGMARK-{Guid.NewGuid():N}";
        var secret = $"TRANSIENTMARK-{Guid.NewGuid():N}";
        using var user = ClientIdentity.FromMspFolder(Network.IdentityMsp("org1.example.com", "users/User1@org1.example.com"), "Org1MSP");
        using var gateway = FnzChain.Client.Gateway.Connect(Peer1.Address, user);
        var funds = gateway.GetNetwork(TestNetwork.Channel).GetContract("funds");

        await funds.SubmitAsync("CreateFund", argument, $"Fund {argument}", "10", "EUR");
        await funds.SubmitAsync("RecordTerms", [argument], new Dictionary<string, byte[]> { ["terms"] = Encoding.UTF8.GetBytes(secret) });
        await funds.EvaluateAsync("RecordTerms", [argument], new Dictionary<string, byte[]> { ["terms"] = Encoding.UTF8.GetBytes(secret) });
        // The chaincode's own error quotes the argument ("fund <id> does not exist"): its text must not be recorded either.
        var missing = Assert.ThrowsAsync<GatewayException>(async () => await funds.EvaluateAsync("ReadFund", $"missing-{argument}"));
        Assert.That(missing!.Message + string.Join(" ", missing.Details.Select(d => d.Message)), Does.Contain(argument), "the client does see the chaincode's message");

        var failed = await RecordAsync(Peer1Data, r => S(r, "method") == "/gateway.Gateway/Evaluate" && S(r, "function") == "ReadFund" && S(r, "grpcStatus") != "OK", "of the failed ReadFund");
        await RecordAsync(OrdererData, r => S(r, "method") == "/orderer.AtomicBroadcast/Broadcast" && N(r, "status") == 200 && Records(Peer1Data).Any(p => S(p, "function") == "RecordTerms" && S(p, "txId") == S(r, "txId")), "of RecordTerms' Broadcast");
        await Peer1.StopAsync(); // stopping writes every queued record
        await Peer2.StopAsync();
        await Orderer.StopAsync();

        Assert.That(S(failed, "reason"), Is.EqualTo(FnzChain.Node.Audit.AuditEntry.ChaincodeReason));
        var scanned = 0;
        foreach (var data in new[] { Peer1Data, Peer2Data, OrdererData })
        {
            foreach (var file in Directory.EnumerateFiles(Path.Combine(data, "audit")))
            {
                var bytes = await File.ReadAllBytesAsync(file);
                scanned += bytes.Length;
                foreach (var marker in new[] { argument, secret })
                {
                    Assert.That(bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(marker)), Is.EqualTo(-1), $"{marker} found in {file}");
                }
            }
        }

        Assert.That(scanned, Is.GreaterThan(1000), "the audit files hold the records");
        Assert.That(Records(Peer1Data).Count(r => S(r, "function") == "RecordTerms"), Is.GreaterThanOrEqualTo(2), "the requests carrying the markers were recorded");
    }

    [Test]
    public async Task Audit_verify_passes_on_the_files_a_node_wrote_and_names_a_removed_and_an_edited_line()
    {
        using var user = ClientIdentity.FromMspFolder(Network.IdentityMsp("org1.example.com", "users/User1@org1.example.com"), "Org1MSP");
        using var gateway = FnzChain.Client.Gateway.Connect(Peer1.Address, user);
        var funds = gateway.GetNetwork(TestNetwork.Channel).GetContract("funds");
        await funds.SubmitAsync("CreateFund", "F-verify", "Verified", "10", "EUR");
        await funds.EvaluateAsync("ReadFund", "F-verify");
        await Peer1.StopAsync();
        var file = Directory.EnumerateFiles(Path.Combine(Peer1Data, "audit"), "audit-*.jsonl").Order().Last();
        var original = await File.ReadAllLinesAsync(file);
        Assume.That(original, Has.Length.GreaterThan(4));

        var intact = await Network.RunCliAsync("audit", "verify", "--node", Peer1Data);
        var tail = await Network.RunCliAsync("audit", "tail", "--node", Peer1Data, "-n", "3");
        await File.WriteAllLinesAsync(file, original.Where((_, i) => i != 2));
        var removed = await Network.RunCliAsync("audit", "verify", "--node", Peer1Data);
        await File.WriteAllLinesAsync(file, original.Select((l, i) => i == 3 ? l.Replace("\"origin\":\"127.0.0.1\"", "\"origin\":\"10.6.6.6\"", StringComparison.Ordinal) : l));
        var edited = await Network.RunCliAsync("audit", "verify", "--node", Peer1Data);

        var name = Path.GetFileName(file);
        Assert.Multiple(() =>
        {
            Assert.That(intact.ExitCode, Is.Zero, intact.Error);
            Assert.That(intact.Output, Does.StartWith("audit verify: ok: audit trail intact:"));
            Assert.That(tail.ExitCode, Is.Zero, tail.Error);
            Assert.That(tail.Output.Trim().Split('\n'), Has.Length.EqualTo(3));
            Assert.That(tail.Output, Does.Contain("/gateway.Gateway/Evaluate from 127.0.0.1:"));
            Assert.That(removed.ExitCode, Is.EqualTo(1));
            Assert.That(removed.Error.Trim(), Does.StartWith($"fnzchain: audit verify: {name} line 3: record ").And.Contain("was removed"));
            Assert.That(removed.Error.Trim().Split('\n'), Has.Length.EqualTo(1));
            Assert.That(edited.ExitCode, Is.EqualTo(1));
            Assert.That(edited.Error.Trim(), Is.EqualTo($"fnzchain: audit verify: {name} line 4: its hash does not match its content (the line was edited)"));
        });
    }
}
