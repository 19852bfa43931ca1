using System.Text.Json;
using FnzChain.Peer.Chaincode;
using FnzChain.Protos.Peer;
using Google.Protobuf;

namespace FnzChain.IntegrationTests.Peer;

/// <summary>
/// Execute-order-validate across processes: two organisations' peers with the sample fund contract installed,
/// an AND(Org1, Org2) definition, proposals endorsed by both, ordered, and committed by both peers.
/// </summary>
[Category("Integration")]
public sealed class EndorseOrderCommitTests : FundsNetworkFixture
{
    private async Task<(TestClient.Proposed Proposed, ProposalResponse[] Responses)> EndorseAsync(params string[] args)
    {
        var proposed = Client.Propose("funds", args);
        var responses = await Task.WhenAll(TestClient.EndorseAsync(Peer1, proposed), TestClient.EndorseAsync(Peer2, proposed));
        return (proposed, responses);
    }

    [Test]
    public async Task A_transaction_endorsed_by_both_orgs_commits_on_both_peers_and_reads_back()
    {
        var (proposed, responses) = await EndorseAsync("CreateFund", "F1", "Global Equity", "101.25", "EUR");

        Assert.That(responses.Select(r => r.Response.Status), Is.All.EqualTo(200), string.Join("; ", responses.Select(r => r.Response.Message)));
        Assert.That(responses[0].Payload, Is.EqualTo(responses[1].Payload), "both endorsers simulated the same read/write set");
        await TestClient.SubmitAsync(Orderer, Client.Assemble(proposed, responses));

        Assert.That((await Client.WaitForCommitAsync(Peer1, proposed.TxId))[proposed.TxId], Is.EqualTo(TxValidationCode.Valid));
        Assert.That((await Client.WaitForCommitAsync(Peer2, proposed.TxId))[proposed.TxId], Is.EqualTo(TxValidationCode.Valid));
        var (_, read) = await EndorseAsync("ReadFund", "F1");
        using var fund = JsonDocument.Parse(read[1].Response.Payload.ToByteArray());
        Assert.That(fund.RootElement.GetProperty("nav").GetDecimal(), Is.EqualTo(101.25m));
    }

    [Test]
    public async Task Two_concurrent_updates_of_one_fund_leave_exactly_one_valid()
    {
        var (created, createdResponses) = await EndorseAsync("CreateFund", "F1", "Bonds", "10", "EUR");
        Assert.That(createdResponses.Select(r => r.Response.Status), Is.All.EqualTo(200), string.Join("; ", createdResponses.Select(r => r.Response.Message)));
        await TestClient.SubmitAsync(Orderer, Client.Assemble(created, createdResponses));
        await Client.WaitForCommitAsync(Peer1, created.TxId);
        await Client.WaitForCommitAsync(Peer2, created.TxId);

        var (first, firstResponses) = await EndorseAsync("PublishNav", "F1", "11");
        var (second, secondResponses) = await EndorseAsync("PublishNav", "F1", "12");
        Assert.That(firstResponses.Concat(secondResponses).Select(r => r.Response.Status), Is.All.EqualTo(200), string.Join("; ", firstResponses.Concat(secondResponses).Select(r => r.Response.Message)));
        await TestClient.SubmitAsync(Orderer, Client.Assemble(first, firstResponses), Client.Assemble(second, secondResponses));
        var codes = await Client.WaitForCommitAsync(Peer2, first.TxId, second.TxId);

        Assert.That(codes[first.TxId], Is.EqualTo(TxValidationCode.Valid));
        Assert.That(codes[second.TxId], Is.EqualTo(TxValidationCode.MvccReadConflict));
    }

    [Test]
    public async Task A_chaincode_error_is_returned_without_an_endorsement()
    {
        var (_, responses) = await EndorseAsync("ReadFund", "F404");

        Assert.That(responses.Select(r => (r.Response.Status, r.Response.Message)), Is.All.EqualTo((404, "fund F404 does not exist")));
        Assert.That(responses.Select(r => r.Endorsement), Is.All.Null);
    }

    [Test]
    public async Task A_proposal_for_an_undefined_chaincode_is_refused_with_the_reason()
    {
        var proposed = Client.Propose("nope", "Anything");

        var response = await TestClient.EndorseAsync(Peer1, proposed);

        Assert.That(response.Response.Status, Is.EqualTo(500));
        Assert.That(response.Response.Message, Is.EqualTo("chaincode \"nope\" is not defined on channel funds"));
    }

    [Test]
    public async Task A_peer_restarted_while_a_transaction_commits_catches_up_and_serves_the_same_state()
    {
        var (created, createdResponses) = await EndorseAsync("CreateFund", "F1", "Money Market", "1.00", "EUR");
        await TestClient.SubmitAsync(Orderer, Client.Assemble(created, createdResponses));
        await Client.WaitForCommitAsync(Peer1, created.TxId); // both endorsers must have the fund: peers commit on their own clocks
        await Client.WaitForCommitAsync(Peer2, created.TxId);

        var (updated, updatedResponses) = await EndorseAsync("PublishNav", "F1", "1.07");
        Assert.That(updatedResponses.Select(r => r.Response.Status), Is.All.EqualTo(200), string.Join("; ", updatedResponses.Select(r => r.Response.Message)));
        await Peer2.StopAsync();
        await TestClient.SubmitAsync(Orderer, Client.Assemble(updated, updatedResponses));
        Assert.That((await Client.WaitForCommitAsync(Peer1, updated.TxId))[updated.TxId], Is.EqualTo(TxValidationCode.Valid));
        Peer2 = await Network.StartPeerAsync("org2.example.com", "Org2MSP", Orderer, port: Peer2Port);

        Assert.That((await Client.WaitForCommitAsync(Peer2, updated.TxId))[updated.TxId], Is.EqualTo(TxValidationCode.Valid));
        var (_, read) = await EndorseAsync("ReadFund", "F1");
        Assert.That(read.Select(r => r.Response.Status), Is.All.EqualTo(200), string.Join("; ", read.Select(r => r.Response.Message)));
        Assert.That(read[1].Response.Payload, Is.EqualTo(read[0].Response.Payload), "the restarted peer reads what the other peer reads");
        Assert.That(read[1].Payload, Is.EqualTo(read[0].Payload), "and simulates the same read set (same key versions)");
        using var fund = JsonDocument.Parse(read[1].Response.Payload.ToByteArray());
        Assert.That(fund.RootElement.GetProperty("nav").GetDecimal(), Is.EqualTo(1.07m));
    }

    [Test]
    public async Task Malformed_and_wrongly_signed_proposals_are_refused_with_the_cause()
    {
        var proposed = Client.Propose("funds", "ReadFund", "F1");
        var garbage = new SignedProposal { ProposalBytes = ByteString.CopyFrom(0xff, 0xff, 0xff), Signature = proposed.Signed.Signature };
        var wrongSignature = new SignedProposal { ProposalBytes = proposed.Signed.ProposalBytes, Signature = Client.Propose("funds", "ReadFund", "F2").Signed.Signature };
        var unsigned = new SignedProposal { ProposalBytes = proposed.Signed.ProposalBytes };

        var responses = new[]
        {
            await TestClient.EndorseAsync(Peer1, new TestClient.Proposed(garbage, proposed.Proposal, proposed.TxId)),
            await TestClient.EndorseAsync(Peer1, new TestClient.Proposed(wrongSignature, proposed.Proposal, proposed.TxId)),
            await TestClient.EndorseAsync(Peer1, new TestClient.Proposed(unsigned, proposed.Proposal, proposed.TxId)),
        };

        Assert.That(responses.Select(r => r.Response.Status), Is.All.EqualTo(500));
        Assert.That(responses.Select(r => r.Endorsement), Is.All.Null);
        Assert.That(responses[0].Response.Message, Does.StartWith("malformed proposal"));
        Assert.That(responses[1].Response.Message, Does.StartWith("proposal signature of Org1MSP").And.Contain("signature does not match"));
        Assert.That(responses[2].Response.Message, Does.StartWith("proposal signature of Org1MSP"));
        Assert.That(Peer1.Output, Does.Contain("/protos.Endorser/ProcessProposal from ").And.Contain(" refused: status 500 malformed proposal"), "logged once by the peer");
        Assert.That(Peer1.Output, Does.Not.Contain("   at "), "without a stack trace");
    }
}
