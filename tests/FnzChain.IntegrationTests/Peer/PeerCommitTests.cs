using FnzChain.Protos.Common;
using FnzChain.Protos.Orderer;
using FnzChain.Protos.Peer;
using Google.Protobuf;
using Grpc.Net.Client;
using PeerDeliver = FnzChain.Protos.Peer.Deliver;
using Status = FnzChain.Protos.Common.Status;

namespace FnzChain.IntegrationTests.Peer;

/// <summary>
/// A real orderer and a real peer of Org1: the peer joins, pulls blocks, checks creator signatures, tx ids and the
/// chaincode's AND(Org1, Org2) endorsement policy, commits with MVCC, and serves filtered blocks with its codes.
/// </summary>
[Category("Integration")]
public sealed class PeerCommitTests
{
    private TestNetwork _network = null!;
    private NodeProcess _orderer = null!;
    private NodeProcess _peer = null!;

    [SetUp]
    public async Task SetUp()
    {
        _network = await TestNetwork.CreateAsync(maxMessageCount: 10, batchTimeout: "200ms");
        _orderer = await _network.StartOrdererAsync();
        await _network.JoinOrdererAsync(_orderer);
        // The definition is block 1, cut before the peer joins: the peer validates it (approvals by both admins,
        // endorsements under LifecycleEndorsement) as it catches up, like any transaction.
        await BroadcastAsync(Definition("AND('Org1MSP.peer','Org2MSP.peer')", sequence: 1));
        _peer = await _network.StartPeerAsync("org1.example.com", "Org1MSP", _orderer);
        await _network.JoinPeerAsync(_peer, "org1.example.com", "Org1MSP");
    }

    [TearDown]
    public async Task TearDown()
    {
        if (TestContext.CurrentContext.Result.Outcome.Status == NUnit.Framework.Interfaces.TestStatus.Failed)
        {
            TestContext.Out.WriteLine("--- orderer\n" + _orderer.Output + "\n--- peer\n" + _peer?.Output);
        }

        await _network.DisposeAsync();
    }

    private async Task BroadcastAsync(params Envelope[] envelopes)
    {
        using var channel = TestNetwork.Connect(_orderer);
        using var call = new AtomicBroadcast.AtomicBroadcastClient(channel).Broadcast();
        foreach (var envelope in envelopes)
        {
            await call.RequestStream.WriteAsync(envelope);
            Assert.That(await call.ResponseStream.MoveNext(CancellationToken.None), Is.True);
            Assert.That(call.ResponseStream.Current.Status, Is.EqualTo(Status.Success), call.ResponseStream.Current.Info);
        }

        await call.RequestStream.CompleteAsync();
    }

    /// <summary>A definition of funds, approved by both organisations' admins and endorsed by both peers (signed with their keys, as they would).</summary>
    private Envelope Definition(string policy, long sequence)
    {
        using var client = _network.Org1Client();
        using var admin1 = _network.As("org1.example.com", "users/Admin@org1.example.com", "Org1MSP");
        using var admin2 = _network.As("org2.example.com", "users/Admin@org2.example.com", "Org2MSP");
        using var peer1 = _network.Org1Peer();
        using var peer2 = _network.As("org2.example.com", "peers/peer0.org2.example.com", "Org2MSP");
        var definition = new FnzChain.Protos.Lifecycle.ChaincodeDefinition
        {
            Name = "funds",
            Version = "1.0",
            Sequence = sequence,
            EndorsementPolicy = new FnzChain.Protos.Peer.ApplicationPolicy { SignaturePolicy = FnzChain.Identity.Policies.PolicyDsl.Parse(policy) },
            EndorsementPolicySource = policy,
        };
        return EndorsedTransactions.Define(client, definition, [admin1, admin2], [peer1, peer2]);
    }

    /// <summary>Waits until the orderer has cut block <paramref name="number"/>.</summary>
    private async Task OrdererBlockAsync(ulong number)
    {
        using var reader = _network.Org1Client();
        using var channel = TestNetwork.Connect(_orderer);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var call = new AtomicBroadcast.AtomicBroadcastClient(channel).Deliver(cancellationToken: timeout.Token);
        var at = new SeekPosition { Specified = new SeekSpecified { Number = number } };
        await call.RequestStream.WriteAsync(reader.Envelope(TestNetwork.Channel, HeaderType.DeliverSeekInfo, new SeekInfo { Start = at, Stop = at }.ToByteString()));
        Assert.That(await call.ResponseStream.MoveNext(timeout.Token), Is.True);
        Assert.That(call.ResponseStream.Current.Block?.Header.Number, Is.EqualTo(number));
    }

    /// <summary>Filtered blocks from the peer, from <paramref name="from"/> through <paramref name="to"/> (waiting for them).</summary>
    private async Task<List<FilteredBlock>> FilteredBlocksAsync(ulong from, ulong to)
    {
        using var reader = _network.Org1Client();
        using var channel = TestNetwork.Connect(_peer);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var call = new PeerDeliver.DeliverClient(channel).DeliverFiltered(cancellationToken: timeout.Token);
        var seek = new SeekInfo
        {
            Start = new SeekPosition { Specified = new SeekSpecified { Number = from } },
            Stop = new SeekPosition { Specified = new SeekSpecified { Number = to } },
        };
        await call.RequestStream.WriteAsync(reader.Envelope(TestNetwork.Channel, HeaderType.DeliverSeekInfo, seek.ToByteString()));
        var blocks = new List<FilteredBlock>();
        while (await call.ResponseStream.MoveNext(timeout.Token))
        {
            var response = call.ResponseStream.Current;
            if (response.TypeCase == FnzChain.Protos.Peer.DeliverResponse.TypeOneofCase.Status)
            {
                Assert.That(response.Status, Is.EqualTo(Status.Success));
                break;
            }

            blocks.Add(response.FilteredBlock);
        }

        return blocks;
    }

    [Test]
    public async Task Peer_commits_each_transaction_with_the_code_its_checks_give()
    {
        using var client = _network.Org1Client();
        using var org1Peer = _network.Org1Peer();
        using var org2Peer = _network.As("org2.example.com", "peers/peer0.org2.example.com", "Org2MSP");
        var valid = EndorsedTransactions.Create(client, "funds", [("F1", "nav 100")], [org1Peer, org2Peer], eventName: "FundCreated");
        var oneOrg = EndorsedTransactions.Create(client, "funds", [("F2", "x")], [org1Peer]);
        var undefined = EndorsedTransactions.Create(client, "other", [("F3", "x")], [org1Peer, org2Peer]);
        var wrongTxId = WithTxId(EndorsedTransactions.Create(client, "funds", [("F4", "x")], [org1Peer, org2Peer]), "not-sha256-of-nonce-and-creator", client);

        await BroadcastAsync(valid, oneOrg, undefined, wrongTxId, valid);
        // Usually one block; a loaded machine may cut them into several (200 ms batch timeout): the codes are the same.
        var transactions = await FilteredTransactionsAsync(2, 5);

        Assert.That(transactions.Select(t => t.TxValidationCode), Is.EqualTo(new[]
        {
            TxValidationCode.Valid, TxValidationCode.EndorsementPolicyFailure, TxValidationCode.InvalidChaincode,
            TxValidationCode.BadProposalTxid, TxValidationCode.DuplicateTxid,
        }));
        Assert.That(transactions[0].TransactionActions.ChaincodeActions.Single().ChaincodeEvent.EventName, Is.EqualTo("FundCreated"));
    }

    /// <summary>The first <paramref name="count"/> transactions the peer committed from block <paramref name="from"/> on, in order (waiting for them).</summary>
    private async Task<List<FilteredTransaction>> FilteredTransactionsAsync(ulong from, int count)
    {
        using var reader = _network.Org1Client();
        using var channel = TestNetwork.Connect(_peer);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var call = new PeerDeliver.DeliverClient(channel).DeliverFiltered(cancellationToken: timeout.Token);
        var seek = new SeekInfo
        {
            Start = new SeekPosition { Specified = new SeekSpecified { Number = from } },
            Stop = new SeekPosition { Specified = new SeekSpecified { Number = ulong.MaxValue } },
        };
        await call.RequestStream.WriteAsync(reader.Envelope(TestNetwork.Channel, HeaderType.DeliverSeekInfo, seek.ToByteString()));
        var transactions = new List<FilteredTransaction>();
        while (transactions.Count < count && await call.ResponseStream.MoveNext(timeout.Token))
        {
            Assert.That(call.ResponseStream.Current.FilteredBlock?.ChannelId, Is.EqualTo(TestNetwork.Channel), $"{call.ResponseStream.Current}");
            transactions.AddRange(call.ResponseStream.Current.FilteredBlock!.FilteredTransactions);
        }

        return transactions;
    }

    /// <summary>The same transaction with another tx id, re-signed by its creator (the orderer does not check tx ids; peers do).</summary>
    private static Envelope WithTxId(Envelope envelope, string txId, Signer creator)
    {
        var payload = Payload.Parser.ParseFrom(envelope.Payload);
        var header = ChannelHeader.Parser.ParseFrom(payload.Header.ChannelHeader);
        header.TxId = txId;
        payload.Header.ChannelHeader = header.ToByteString();
        var bytes = payload.ToByteString();
        return new Envelope { Payload = bytes, Signature = ByteString.CopyFrom(creator.Files.Signer.Sign(bytes.Span)) };
    }

    [Test]
    public async Task Peer_applies_a_redefinition_it_catches_up_on_before_judging_later_blocks()
    {
        using var client = _network.Org1Client();
        using var org1Peer = _network.Org1Peer();
        using var org2Peer = _network.As("org2.example.com", "peers/peer0.org2.example.com", "Org2MSP");
        await BroadcastAsync(EndorsedTransactions.Create(client, "funds", [("F1", "1")], [org1Peer, org2Peer]));
        Assert.That((await FilteredBlocksAsync(2, 2)).Single().FilteredTransactions.Single().TxValidationCode, Is.EqualTo(TxValidationCode.Valid));

        await _peer.StopAsync();
        // Relax the policy to Org1 alone while the peer is down: it must apply the definition before judging later blocks.
        await BroadcastAsync(Definition("OR('Org1MSP.peer')", sequence: 2));
        await OrdererBlockAsync(3); // a definition is in force from the block after its own
        await BroadcastAsync(EndorsedTransactions.Create(client, "funds", [("F2", "2")], [org1Peer]));
        _peer = await _network.StartPeerAsync("org1.example.com", "Org1MSP", _orderer);

        var blocks = await FilteredBlocksAsync(3, 4);

        Assert.That(blocks.Select(b => b.Number), Is.EqualTo(new ulong[] { 3, 4 }));
        Assert.That(blocks[0].FilteredTransactions.Single().TxValidationCode, Is.EqualTo(TxValidationCode.Valid), "the redefinition");
        Assert.That(blocks[1].FilteredTransactions.Single().TxValidationCode, Is.EqualTo(TxValidationCode.Valid));
    }
}
