using System.Text.Json;
using FnzChain.Protos.Gateway;
using FnzChain.Protos.Orderer;
using FnzChain.Protos.Peer;
using Google.Protobuf;
using Grpc.Core;

namespace FnzChain.IntegrationTests.Peer;

/// <summary>The Fabric Gateway protocol on Org1's peer: Endorse (with Org2 through its anchor peer), Submit, CommitStatus, Evaluate, chaincode events.</summary>
[Category("Integration")]
public sealed class GatewayTests : FundsNetworkFixture
{
    private Gateway.GatewayClient GatewayOf(NodeProcess peer) => new(TestNetwork.Connect(peer));

    private async Task<(string TxId, CommitStatusResponse Status)> SubmitAsync(Gateway.GatewayClient gateway, Signer signer, params string[] args)
    {
        var proposed = Client.Propose("funds", args);
        var endorsed = await gateway.EndorseAsync(new EndorseRequest { TransactionId = proposed.TxId, ChannelId = TestNetwork.Channel, ProposedTransaction = proposed.Signed });
        var envelope = endorsed.PreparedTransaction;
        envelope.Signature = ByteString.CopyFrom(signer.Files.Signer.Sign(envelope.Payload.Span));
        await gateway.SubmitAsync(new SubmitRequest { TransactionId = proposed.TxId, ChannelId = TestNetwork.Channel, PreparedTransaction = envelope });
        var request = new CommitStatusRequest { TransactionId = proposed.TxId, ChannelId = TestNetwork.Channel, Identity = ByteString.CopyFrom(signer.Serialized) }.ToByteString();
        var status = await gateway.CommitStatusAsync(
            new SignedCommitStatusRequest { Request = request, Signature = ByteString.CopyFrom(signer.Files.Signer.Sign(request.Span)) },
            deadline: DateTime.UtcNow.AddSeconds(30));
        return (proposed.TxId, status);
    }

    [Test]
    public async Task Submit_through_the_gateway_commits_with_both_orgs_endorsements_and_evaluate_reads_it()
    {
        using var client = Network.Org1Client();
        var gateway = GatewayOf(Peer1);

        var (txId, status) = await SubmitAsync(gateway, client, "CreateFund", "F1", "Global Equity", "99.5", "EUR");
        await Client.WaitForCommitAsync(Peer2, txId); // Org2's peer commits on its own clock
        var proposed = Client.Propose("funds", "ReadFund", "F1");
        var evaluated = await GatewayOf(Peer2).EvaluateAsync(new EvaluateRequest { TransactionId = proposed.TxId, ChannelId = TestNetwork.Channel, ProposedTransaction = proposed.Signed });

        Assert.That(status.Result, Is.EqualTo(TxValidationCode.Valid));
        using var fund = JsonDocument.Parse(evaluated.Result.Payload.ToByteArray());
        Assert.That(fund.RootElement.GetProperty("nav").GetDecimal(), Is.EqualTo(99.5m));
    }

    [Test]
    public async Task Chaincode_events_stream_from_committed_blocks()
    {
        using var client = Network.Org1Client();
        var gateway = GatewayOf(Peer1);
        var request = new ChaincodeEventsRequest
        {
            ChannelId = TestNetwork.Channel,
            ChaincodeId = "funds",
            Identity = ByteString.CopyFrom(client.Serialized),
            StartPosition = new SeekPosition { Specified = new SeekSpecified { Number = 0 } }, // Fabric's gateway takes a block number or next commit only
        }.ToByteString();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var events = gateway.ChaincodeEvents(new SignedChaincodeEventsRequest { Request = request, Signature = ByteString.CopyFrom(client.Files.Signer.Sign(request.Span)) }, cancellationToken: timeout.Token);

        var (created, _) = await SubmitAsync(gateway, client, "CreateFund", "F1", "Bonds", "10", "EUR");
        var (published, _) = await SubmitAsync(gateway, client, "PublishNav", "F1", "10.5");
        var seen = new List<(string Name, string TxId)>();
        while (seen.Count < 2 && await events.ResponseStream.MoveNext(timeout.Token))
        {
            seen.AddRange(events.ResponseStream.Current.Events.Select(e => (e.EventName, e.TxId)));
        }

        Assert.That(seen, Is.EqualTo(new[] { ("FundCreated", created), ("NavPublished", published) }));
    }

    [Test]
    public async Task Endorse_failures_name_the_cause_with_details_per_endorser()
    {
        var proposed = Client.Propose("funds", "PublishNav", "F404", "1");

        var error = Assert.ThrowsAsync<RpcException>(async () =>
            await GatewayOf(Peer1).EndorseAsync(new EndorseRequest { TransactionId = proposed.TxId, ChannelId = TestNetwork.Channel, ProposedTransaction = proposed.Signed }));

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Aborted));
        Assert.That(error.Status.Detail, Does.Contain("Org1MSP: chaincode response 404, fund F404 does not exist").And.Contain("Org2MSP: chaincode response 404, fund F404 does not exist"));
        var details = FnzChain.Protos.Rpc.Status.Parser.ParseFrom(error.Trailers.GetValueBytes("grpc-status-details-bin")).Details.Select(d => d.Unpack<ErrorDetail>()).ToList();
        Assert.That(details.Select(d => d.MspId), Is.EquivalentTo(new[] { "Org1MSP", "Org2MSP" }));
    }

    [Test]
    public async Task Commit_status_of_a_conflicting_transaction_is_its_mvcc_code()
    {
        using var client = Network.Org1Client();
        var gateway = GatewayOf(Peer1);
        await SubmitAsync(gateway, client, "CreateFund", "F1", "Bonds", "10", "EUR");
        var first = Client.Propose("funds", "PublishNav", "F1", "11");
        var second = Client.Propose("funds", "PublishNav", "F1", "12");
        var prepared = new List<(string TxId, FnzChain.Protos.Common.Envelope Envelope)>();
        foreach (var proposed in new[] { first, second })
        {
            var endorsed = await gateway.EndorseAsync(new EndorseRequest { TransactionId = proposed.TxId, ChannelId = TestNetwork.Channel, ProposedTransaction = proposed.Signed });
            endorsed.PreparedTransaction.Signature = ByteString.CopyFrom(client.Files.Signer.Sign(endorsed.PreparedTransaction.Payload.Span));
            prepared.Add((proposed.TxId, endorsed.PreparedTransaction));
        }

        foreach (var (txId, envelope) in prepared)
        {
            await gateway.SubmitAsync(new SubmitRequest { TransactionId = txId, ChannelId = TestNetwork.Channel, PreparedTransaction = envelope });
        }

        var codes = await Client.WaitForCommitAsync(Peer1, first.TxId, second.TxId);
        Assert.That(codes.Values, Is.EquivalentTo(new[] { TxValidationCode.Valid, TxValidationCode.MvccReadConflict }));
    }

    [Test]
    public async Task Endorsers_are_planned_from_the_policy_so_an_or_policy_needs_only_one_organisation()
    {
        var redefine = await Network.RunCliAsync(
            "chaincode", "define", "--peer", Peer1.Address, "--channel", TestNetwork.Channel, "--name", "funds", "--policy", "OR('Org1MSP.peer','Org2MSP.peer')",
            "--signer", Network.AdminSigner("Org1MSP", "org1.example.com"), "--signer", Network.AdminSigner("Org2MSP", "org2.example.com"));
        Assert.That(redefine.ExitCode, Is.Zero, redefine.Error);
        await Client.WaitForBlockAsync(Peer1, 2);
        await Client.WaitForBlockAsync(Peer2, 2);
        await Peer1.StopAsync(); // Org2's gateway can only reach itself now

        using var client = Network.As("org2.example.com", "users/User1@org2.example.com", "Org2MSP");
        var gateway = GatewayOf(Peer2);
        var proposed = new TestClient(client).Propose("funds", "CreateFund", "F1", "Solo Fund", "1", "EUR");
        var endorsed = await gateway.EndorseAsync(new EndorseRequest { TransactionId = proposed.TxId, ChannelId = TestNetwork.Channel, ProposedTransaction = proposed.Signed });
        var payload = FnzChain.Protos.Common.Payload.Parser.ParseFrom(endorsed.PreparedTransaction.Payload);
        var action = ChaincodeActionPayload.Parser.ParseFrom(Transaction.Parser.ParseFrom(payload.Data).Actions[0].Payload).Action;

        Assert.That(action.Endorsements, Has.Count.EqualTo(1));
        Assert.That(FnzChain.Protos.Msp.SerializedIdentity.Parser.ParseFrom(action.Endorsements[0].Endorser).Mspid, Is.EqualTo("Org2MSP"));
    }
}
