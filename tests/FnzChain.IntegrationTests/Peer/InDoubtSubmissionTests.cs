using FnzChain.Client;
using FnzChain.Protos.Peer;

namespace FnzChain.IntegrationTests.Peer;

/// <summary>
/// What SUCCESS from a solo orderer promises: the envelope is queued, not yet in a block. Blocks here are cut only
/// when two envelopes wait (the batch timeout is ten minutes), so a single submission stays queued until the test
/// crashes the orderer: the envelope is lost, the SDK's commit wait says so after its block limit, and resubmitting
/// the same signed transaction commits it.
/// </summary>
[Category("Integration")]
public sealed class InDoubtSubmissionTests : FundsNetworkFixture
{
    protected override (uint MaxMessageCount, string BatchTimeout) Batch => (2, "600s");

    [Test]
    public async Task A_transaction_lost_by_a_crashed_orderer_is_reported_not_committed_and_commits_when_resubmitted()
    {
        using var user = ClientIdentity.FromMspFolder(Network.IdentityMsp("org1.example.com", "users/User1@org1.example.com"), "Org1MSP");
        using var gateway = Gateway.Connect(Peer1.Address, user, new GatewayOptions { MaxCommitWaitBlocks = 1 });
        var funds = gateway.GetNetwork(TestNetwork.Channel).GetContract("funds");

        var (_, lostCommit) = await funds.SubmitAsyncReturningCommit("CreateFund", ["LOST", "Queued Then Lost", "1", "EUR"], transient: null); // SUCCESS: queued, alone in its batch
        await CrashAndRestartOrdererAsync();
        await Task.WhenAll(
            funds.SubmitAsync("CreateFund", "B1", "Next Batch", "2", "EUR"),
            funds.SubmitAsync("CreateFund", "B2", "Next Batch", "3", "EUR")); // one block of two, without LOST
        var notCommitted = Assert.ThrowsAsync<TransactionNotCommittedException>(async () => await lostCommit)!;
        var resubmitted = funds.Network.ResubmitAsync(notCommitted.Transaction!);
        await funds.SubmitAsync("CreateFund", "B3", "Pairs The Resubmission", "4", "EUR");
        var status = await resubmitted;
        var fund = System.Text.Encoding.UTF8.GetString(await funds.EvaluateAsync("ReadFund", "LOST"));

        Assert.That(notCommitted.Reached, Is.EqualTo(TransactionNotCommittedException.Limit.Blocks));
        Assert.That(notCommitted.BlocksWaited, Is.EqualTo(1));
        Assert.That(notCommitted.ToHeight, Is.EqualTo(notCommitted.FromHeight + 1));
        Assert.That(notCommitted.Message, Does.Contain($"transaction {notCommitted.TransactionId} was not committed within 1 block (").And.Contain("safe to resubmit"));
        Assert.That(notCommitted.Transaction!.TransactionId, Is.EqualTo(notCommitted.TransactionId));
        Assert.That(status.Result, Is.EqualTo(TxValidationCode.Valid));
        Assert.That(fund, Does.Contain("Queued Then Lost"));
    }
}
