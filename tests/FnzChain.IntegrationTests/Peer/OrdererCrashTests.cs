using System.Collections.Concurrent;
using FnzChain.Client;
using FnzChain.Protos.Gateway;
using Gateway = FnzChain.Client.Gateway;
using FnzChain.Protos.Peer;
using Google.Protobuf;
using Grpc.Core;
using GatewayClient = FnzChain.Protos.Gateway.Gateway.GatewayClient;

namespace FnzChain.IntegrationTests.Peer;

/// <summary>
/// The orderer crashes (SIGKILL) and comes back on its port while clients submit through Org1's gateway: every Submit
/// is answered OK or UNAVAILABLE naming the orderer, the peers' block pulls recover from the short delay again, and a
/// signed transaction resubmitted after it committed changes nothing (DUPLICATE_TXID).
/// </summary>
[Category("Integration")]
public sealed class OrdererCrashTests : FundsNetworkFixture
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(60);

    [Test]
    public async Task Submits_during_an_orderer_crash_are_answered_ok_or_unavailable_naming_the_orderer()
    {
        using var signer = Network.Org1Client();
        using var connection = TestNetwork.Connect(Peer1);
        var gateway = new GatewayClient(connection);
        var answers = new ConcurrentQueue<(StatusCode Code, string Message)>();
        using var stop = new CancellationTokenSource();
        var next = 0;

        async Task SubmitUntilStoppedAsync()
        {
            while (!stop.IsCancellationRequested)
            {
                var envelope = await EndorsedAsync(gateway, signer, "CreateFund", $"F{Interlocked.Increment(ref next)}", "Crash Fund", "1", "EUR");
                try
                {
                    await gateway.SubmitAsync(new SubmitRequest { TransactionId = envelope.TxId, ChannelId = TestNetwork.Channel, PreparedTransaction = envelope.Envelope }, deadline: DateTime.UtcNow.AddSeconds(30));
                    answers.Enqueue((StatusCode.OK, string.Empty));
                }
                catch (RpcException e)
                {
                    answers.Enqueue((e.StatusCode, e.Status.Detail));
                }
            }
        }

        var workers = Enumerable.Range(0, 4).Select(_ => Task.Run(SubmitUntilStoppedAsync)).ToArray();
        try
        {
            await WaitUntilAsync(() => answers.Count(a => a.Code == StatusCode.OK) >= 4, "submits before the crash");
            await Orderer.KillAsync();
            await WaitUntilAsync(() => answers.Count(a => a.Code == StatusCode.Unavailable) >= 4, "UNAVAILABLE answers while the orderer is down");
            var before = answers.Count(a => a.Code == StatusCode.OK);
            await RestartOrdererAsync();
            await WaitUntilAsync(() => answers.Count(a => a.Code == StatusCode.OK) >= before + 4, "submits after the restart");
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(workers);
        }

        var unexpected = answers.Where(a => a.Code is not (StatusCode.OK or StatusCode.Unavailable)).ToList();
        Assert.That(unexpected, Is.Empty, string.Join("\n", unexpected.Select(a => $"{a.Code}: {a.Message}")));
        Assert.That(answers.Where(a => a.Code == StatusCode.Unavailable).Select(a => a.Message), Has.All.Contain($"orderer {Orderer.Address}"));
    }

    [Test]
    public async Task Block_pulling_after_a_second_orderer_crash_starts_again_from_the_short_delay()
    {
        using var user = ClientIdentity.FromMspFolder(Network.IdentityMsp("org1.example.com", "users/User1@org1.example.com"), "Org1MSP");
        using var gateway = Gateway.Connect(Peer1.Address, user);
        var funds = gateway.GetNetwork(TestNetwork.Channel).GetContract("funds");

        await Orderer.KillAsync();
        await WaitUntilAsync(() => PullFailures(Peer1.Output).Count() >= 3, "three failed block pulls while the orderer is down");
        await RestartOrdererAsync();
        await funds.SubmitAsync("CreateFund", "F1", "After First Crash", "1", "EUR"); // delivered to the peer over a new stream
        var seen = Peer1.Output.Length;
        await Orderer.KillAsync();
        await WaitUntilAsync(() => PullFailures(Peer1.Output[seen..]).Any(), "a failed block pull after the second crash");
        await RestartOrdererAsync();
        var status = await (await funds.SubmitAsyncReturningCommit("CreateFund", ["F2", "After Second Crash", "2", "EUR"], transient: null)).Commit;

        Assert.That(PullFailures(Peer1.Output[seen..]).First(), Does.Contain("(1 in a row)"));
        Assert.That(status.Result, Is.EqualTo(TxValidationCode.Valid));
    }

    [Test]
    public async Task A_signed_transaction_resubmitted_after_it_committed_commits_as_duplicate_txid()
    {
        using var signer = Network.Org1Client();
        using var connection = TestNetwork.Connect(Peer1);
        using var user = ClientIdentity.FromMspFolder(Network.IdentityMsp("org1.example.com", "users/User1@org1.example.com"), "Org1MSP");
        using var gateway = Gateway.Connect(Peer1.Address, user);
        var network = gateway.GetNetwork(TestNetwork.Channel);
        var endorsed = await EndorsedAsync(new GatewayClient(connection), signer, "CreateFund", "F1", "Once Only", "10", "EUR");
        var transaction = SignedTransaction.FromBytes(endorsed.Envelope.ToByteArray());

        var first = await network.ResubmitAsync(transaction);
        var second = await network.ResubmitAsync(SignedTransaction.FromBytes(transaction.ToBytes()));
        var recorded = await network.GetCommitStatusAsync(transaction.TransactionId);

        Assert.That(first.Result, Is.EqualTo(TxValidationCode.Valid));
        Assert.That(second.Result, Is.EqualTo(TxValidationCode.DuplicateTxid));
        Assert.That(second.BlockNumber, Is.GreaterThan(first.BlockNumber));
        Assert.That(recorded, Is.EqualTo(first), "the ledger keeps the first copy's outcome");
    }

    /// <summary>The peer's log lines about failed block pulls, in order.</summary>
    private static IEnumerable<string> PullFailures(string output) =>
        output.Split('\n').Where(l => l.Contains("pulling blocks failed (", StringComparison.Ordinal));

    /// <summary>A transaction endorsed through the gateway and signed by <paramref name="signer"/>, ready to submit.</summary>
    private async Task<(string TxId, Protos.Common.Envelope Envelope)> EndorsedAsync(GatewayClient gateway, Signer signer, params string[] args)
    {
        var proposed = Client.Propose("funds", args);
        var endorsed = await gateway.EndorseAsync(new EndorseRequest { TransactionId = proposed.TxId, ChannelId = TestNetwork.Channel, ProposedTransaction = proposed.Signed }, deadline: DateTime.UtcNow.AddSeconds(30));
        var envelope = endorsed.PreparedTransaction;
        envelope.Signature = ByteString.CopyFrom(signer.Files.Signer.Sign(envelope.Payload.Span));
        return (proposed.TxId, envelope);
    }

    /// <summary>Waits for <paramref name="condition"/>, checking as answers arrive, up to a minute.</summary>
    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        using var timeout = new CancellationTokenSource(s_wait);
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
        while (!condition())
        {
            try
            {
                await timer.WaitForNextTickAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                throw new AssertionException($"timed out after {s_wait.TotalSeconds:0} s waiting for {what}");
            }
        }
    }
}
