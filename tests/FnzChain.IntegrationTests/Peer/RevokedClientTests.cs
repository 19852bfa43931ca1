using FnzChain.Protos.Common;
using FnzChain.Protos.Gateway;
using FnzChain.Protos.Orderer;
using Google.Protobuf;
using Grpc.Core;
using Status = FnzChain.Protos.Common.Status;

namespace FnzChain.IntegrationTests.Peer;

/// <summary>A client whose certificate its organisation revoked (CRL in the channel configuration) is refused by the gateway and the orderer.</summary>
[Category("Integration")]
public sealed class RevokedClientTests
{
    [Test]
    public async Task A_revoked_client_is_refused_by_the_gateway_and_the_orderer()
    {
        await using var network = await TestNetwork.CreateAsync(revokeOrg1User: true);
        var orderer = await network.StartOrdererAsync();
        await network.JoinOrdererAsync(orderer);
        var peer = await network.StartPeerAsync("org1.example.com", "Org1MSP", orderer);
        await network.JoinPeerAsync(peer, "org1.example.com", "Org1MSP");
        using var revoked = network.Org1Client();
        var proposed = new TestClient(revoked).Propose("funds", "ReadFund", "F1");

        var error = Assert.ThrowsAsync<RpcException>(async () =>
            await new Gateway.GatewayClient(TestNetwork.Connect(peer)).EvaluateAsync(new EvaluateRequest { TransactionId = proposed.TxId, ChannelId = TestNetwork.Channel, ProposedTransaction = proposed.Signed }));
        using var channel = TestNetwork.Connect(orderer);
        using var call = new AtomicBroadcast.AtomicBroadcastClient(channel).Broadcast();
        await call.RequestStream.WriteAsync(revoked.Envelope(TestNetwork.Channel, HeaderType.EndorserTransaction, ByteString.CopyFromUtf8("x")));
        await call.ResponseStream.MoveNext(CancellationToken.None);

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Aborted));
        Assert.That(error.Status.Detail, Does.Contain("User1@org1.example.com").And.Contain("revoked"));
        Assert.That(call.ResponseStream.Current.Status, Is.EqualTo(Status.Forbidden));
        Assert.That(call.ResponseStream.Current.Info, Does.Contain("revoked"));
    }
}
