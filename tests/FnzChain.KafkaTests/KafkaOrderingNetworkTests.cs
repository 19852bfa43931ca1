using FnzChain.IntegrationTests;
using FnzChain.Identity.Channels;
using FnzChain.Node.Channels;
using FnzChain.Protos.Common;
using FnzChain.Protos.Orderer;
using FnzChain.Protos.Peer;
using Google.Protobuf;
using Status = FnzChain.Protos.Common.Status;

namespace FnzChain.KafkaTests;

/// <summary>
/// Two orderer processes on one Kafka-ordered channel (the mock cluster, or FNZCHAIN_TEST_KAFKA): transactions
/// broadcast to either orderer land in blocks with the same data on both, chained the same way, and a peer pulling
/// from the second orderer validates and commits them.
/// </summary>
[Category("Kafka")]
public sealed class KafkaOrderingNetworkTests
{
    [Test]
    public async Task Transactions_broadcast_to_two_orderers_land_in_the_same_blocks_on_both_and_a_peer_commits_them()
    {
        await using var kafka = await TestKafka.StartAsync(brokers: 3);
        if (TestKafka.External is not null)
        {
            Assert.Ignore("the channel topic is named after the channel (funds); a shared real cluster may hold one already");
        }

        await kafka.CreateTopicAsync(TestNetwork.Channel, partitions: 1, replication: 3);
        await using var network = await TestNetwork.CreateAsync(maxMessageCount: 5, batchTimeout: "200ms", kafkaBrokers: kafka.Bootstrap);
        var orderers = new[] { await network.StartOrdererAsync("orderer1"), await network.StartOrdererAsync("orderer2") };
        foreach (var orderer in orderers)
        {
            await network.JoinOrdererAsync(orderer);
        }

        using var client = network.Org1Client();
        using var admin1 = network.As("org1.example.com", "users/Admin@org1.example.com", "Org1MSP");
        using var admin2 = network.As("org2.example.com", "users/Admin@org2.example.com", "Org2MSP");
        using var peer1 = network.Org1Peer();
        using var peer2 = network.As("org2.example.com", "peers/peer0.org2.example.com", "Org2MSP");
        var definition = new FnzChain.Protos.Lifecycle.ChaincodeDefinition
        {
            Name = "funds",
            Version = "1.0",
            Sequence = 1,
            EndorsementPolicy = new FnzChain.Protos.Peer.ApplicationPolicy { SignaturePolicy = FnzChain.Identity.Policies.PolicyDsl.Parse("AND('Org1MSP.peer','Org2MSP.peer')") },
        };
        var define = EndorsedTransactions.Define(client, definition, [admin1, admin2], [peer1, peer2]);
        await BroadcastAsync(orderers[0], define);
        await ChainAsync(orderers[1], client, [TxId(define)]); // a definition is in force from the block after its own
        var transactions = Enumerable.Range(0, 24).Select(i => EndorsedTransactions.Create(client, "funds", [($"F{i}", $"nav {i}")], [peer1, peer2])).ToList();
        await Task.WhenAll(
            BroadcastAsync(orderers[0], [.. transactions.Where((_, i) => i % 2 == 0)]),
            BroadcastAsync(orderers[1], [.. transactions.Where((_, i) => i % 2 == 1)]));

        var peer = await network.StartPeerAsync("org1.example.com", "Org1MSP", orderers[1]);
        await network.JoinPeerAsync(peer, "org1.example.com", "Org1MSP");
        var txIds = transactions.Select(TxId).ToArray();
        var codes = await new TestClient(client).WaitForCommitAsync(peer, txIds);

        var chains = await Task.WhenAll(orderers.Select(o => ChainAsync(o, client, txIds)));
        Assert.Multiple(() =>
        {
            Assert.That(codes.Values, Has.All.EqualTo(TxValidationCode.Valid), "the peer (pulling from orderer2) committed every transaction");
            Assert.That(chains[1].Select(b => b.Header.DataHash), Is.EqualTo(chains[0].Select(b => b.Header.DataHash)), "the same block data on both orderers");
            Assert.That(chains[1].Select(b => b.Header.PreviousHash), Is.EqualTo(chains[0].Select(b => b.Header.PreviousHash)), "the same chain");
            var included = chains[0].Skip(1).SelectMany(b => b.Data.Data).Select(d => TxId(Envelope.Parser.ParseFrom(d))).ToList();
            Assert.That(included.Count(txIds.Contains), Is.EqualTo(txIds.Length), "every acknowledged transaction once");
            Assert.That(included.Distinct().Count(), Is.EqualTo(included.Count), "no duplicate");
        });

        // Each orderer's /metrics: the records it posted (orderer1 took the definition and 12 transactions, orderer2 12),
        // and both consumers at the same offset with no lag once the topic is quiet.
        var metrics = await Task.WhenAll(orderers.Select(ScrapeAsync));
        Assert.That(metrics[0], Does.Contain("fnzchain_orderer_kafka_records_posted_total{channel=\"funds\",kind=\"regular\"} 13\n"), metrics[0]);
        Assert.That(metrics[1], Does.Contain("fnzchain_orderer_kafka_records_posted_total{channel=\"funds\",kind=\"regular\"} 12\n"), metrics[1]);
        Assert.That(metrics, Has.All.Contain("fnzchain_orderer_kafka_produce_duration_count{channel=\"funds\"} "));
        string? offsets = null;
        for (var deadline = DateTime.UtcNow.AddSeconds(30); DateTime.UtcNow < deadline; await Task.Delay(100))
        {
            var lines = (await Task.WhenAll(orderers.Select(ScrapeAsync))).Select(m => m.Split('\n')).ToList();
            var offset = lines.Select(l => l.SingleOrDefault(x => x.StartsWith("fnzchain_orderer_kafka_consumer_offset{channel=\"funds\"} ", StringComparison.Ordinal))).ToList();
            var lag = lines.Select(l => l.SingleOrDefault(x => x.StartsWith("fnzchain_orderer_kafka_consumer_lag{channel=\"funds\"} ", StringComparison.Ordinal))).ToList();
            offsets = string.Join(" / ", offset.Concat(lag));
            if (offset[0] is not null && offset[0] == offset[1] && lag.All(l => l?.EndsWith(" 0", StringComparison.Ordinal) == true))
            {
                offsets = null;
                break;
            }
        }

        Assert.That(offsets, Is.Null, $"both orderers at the same offset with no lag; last seen: {offsets}");
    }

    /// <summary>The orderer's <c>/metrics</c> page (its operations address is on its output).</summary>
    private static async Task<string> ScrapeAsync(NodeProcess orderer)
    {
        var match = System.Text.RegularExpressions.Regex.Match(orderer.Output, @"orderer operations on (\S+)");
        Assert.That(match.Success, Is.True, "the orderer prints its operations address");
        using var http = new HttpClient();
        return await http.GetStringAsync(new Uri($"http://{match.Groups[1].Value}/metrics"));
    }

    private static string TxId(Envelope envelope) =>
        ChannelHeader.Parser.ParseFrom(Payload.Parser.ParseFrom(envelope.Payload).Header.ChannelHeader).TxId;

    private static async Task BroadcastAsync(NodeProcess orderer, params Envelope[] envelopes)
    {
        using var channel = TestNetwork.Connect(orderer);
        using var call = new AtomicBroadcast.AtomicBroadcastClient(channel).Broadcast();
        foreach (var envelope in envelopes)
        {
            await call.RequestStream.WriteAsync(envelope);
            Assert.That(await call.ResponseStream.MoveNext(CancellationToken.None), Is.True);
            Assert.That(call.ResponseStream.Current.Status, Is.EqualTo(Status.Success), call.ResponseStream.Current.Info);
        }

        await call.RequestStream.CompleteAsync();
    }

    /// <summary>The orderer's blocks from 0 until every transaction in <paramref name="txIds"/> is in one.</summary>
    private static async Task<List<Block>> ChainAsync(NodeProcess orderer, Signer reader, string[] txIds)
    {
        using var channel = TestNetwork.Connect(orderer);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var call = new AtomicBroadcast.AtomicBroadcastClient(channel).Deliver(cancellationToken: timeout.Token);
        var seek = new SeekInfo
        {
            Start = new SeekPosition { Oldest = new SeekOldest() },
            Stop = new SeekPosition { Specified = new SeekSpecified { Number = ulong.MaxValue } },
            Behavior = SeekInfo.Types.SeekBehavior.BlockUntilReady,
        };
        await call.RequestStream.WriteAsync(reader.Envelope(TestNetwork.Channel, HeaderType.DeliverSeekInfo, seek.ToByteString()));
        var blocks = new List<Block>();
        var missing = txIds.ToHashSet();
        while (missing.Count > 0 && await call.ResponseStream.MoveNext(timeout.Token))
        {
            var block = call.ResponseStream.Current.Block ?? throw new AssertionException($"orderer ended Deliver: {call.ResponseStream.Current.Status}");
            blocks.Add(block);
            if (block.Header.Number > 0)
            {
                missing.ExceptWith(block.Data.Data.Select(d => TxId(Envelope.Parser.ParseFrom(d))));
            }
        }

        return blocks;
    }
}
