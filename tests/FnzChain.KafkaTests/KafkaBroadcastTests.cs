using System.Text.RegularExpressions;
using FnzChain.IntegrationTests;
using FnzChain.Protos.Common;
using FnzChain.Protos.Orderer;
using Google.Protobuf;
using Status = FnzChain.Protos.Common.Status;

namespace FnzChain.KafkaTests;

/// <summary>
/// Broadcast on a real orderer process with a Kafka channel (the mock cluster). A pipelined stream (many envelopes in
/// flight, some refused at once while earlier ones wait for the brokers) answers every envelope in the stream's order and
/// the accepted ones are ordered in that order, once each. An envelope larger than the Kafka producer takes:
/// Broadcast refuses it with REQUEST_ENTITY_TOO_LARGE naming the size and the limit, the channel orders on, its health
/// stays green, and the orderer logs no failure of its own. Such an envelope passes the channel's checks only when
/// absolute_max_bytes was raised after the orderer started — its producer keeps the limit it started with.
/// </summary>
[Category("Kafka")]
public sealed class KafkaBroadcastTests
{
    [Test]
    public async Task An_envelope_over_the_producers_limit_is_refused_with_request_entity_too_large_and_the_channel_orders_on()
    {
        await using var kafka = await TestKafka.StartAsync(brokers: 3);
        if (TestKafka.External is not null)
        {
            Assert.Ignore("the channel topic is named after the channel (funds); a shared real cluster may hold one already");
        }

        await kafka.CreateTopicAsync(TestNetwork.Channel, partitions: 1, replication: 3);
        // absolute_max_bytes 256 KiB: the orderer's Kafka record limit is 1,000,000 bytes.
        await using var network = await TestNetwork.CreateAsync(maxMessageCount: 5, batchTimeout: "200ms", kafkaBrokers: kafka.Bootstrap);
        var orderer = await network.StartOrdererAsync("orderer1");
        await network.JoinOrdererAsync(orderer);
        await RaiseAbsoluteMaxBytesAsync(network, orderer, 4 * 1024 * 1024);
        using var client = network.Org1Client();

        var large = client.Envelope(TestNetwork.Channel, HeaderType.Message, ByteString.CopyFrom(new byte[1_500_000]));
        var refused = await BroadcastAsync(orderer, large);
        var small = client.Envelope(TestNetwork.Channel, HeaderType.Message, ByteString.CopyFromUtf8("after the large one"));
        var accepted = await BroadcastAsync(orderer, small);
        var block = await BlockAsync(orderer, client, 2);

        Assert.Multiple(() =>
        {
            Assert.That(refused.Status, Is.EqualTo(Status.RequestEntityTooLarge), refused.Info);
            Assert.That(refused.Info, Does.StartWith($"envelope of {large.CalculateSize()} bytes exceeds the Kafka record limit of channel funds on this orderer: ")
                .And.Contain("limit 1000000 (absolute_max_bytes 262144 when the orderer started"));
            Assert.That(accepted.Status, Is.EqualTo(Status.Success), accepted.Info);
            Assert.That(block.Data.Data.Select(d => Envelope.Parser.ParseFrom(d)), Is.EqualTo(new[] { small }), "block 2 holds the small envelope alone");
        });
        using var http = new HttpClient();
        var health = await http.GetAsync(new Uri($"http://{Operations(orderer)}/healthz"));
        Assert.That(health.IsSuccessStatusCode, Is.True, await health.Content.ReadAsStringAsync());
        var ownFailures = orderer.Output.Split('\n')
            .Where(l => Regex.IsMatch(l, @"\b(crit|fail|warn): FnzChain")
                && !l.Contains("could not check the Kafka settings", StringComparison.Ordinal)
                && !l.Contains("Encryption at rest is OFF", StringComparison.Ordinal))
            .ToList();
        Assert.That(ownFailures, Is.Empty, "no failure or warning of the orderer's own besides the mock's unchecked settings (and encryption at rest being off)");
        Assert.That(orderer.Output, Does.Contain("refused: RequestEntityTooLarge envelope of"), "the refusal is logged as the client's");
        Assert.That(Regex.Matches(orderer.Output, "warn: FnzChain.* could not check the Kafka settings").Count, Is.EqualTo(1), "the mock's unchecked settings: one warning");
    }

    [Test]
    public async Task A_pipelined_stream_answers_every_envelope_in_order_and_orders_the_accepted_ones_in_stream_order()
    {
        await using var kafka = await TestKafka.StartAsync(brokers: 3);
        if (TestKafka.External is not null)
        {
            Assert.Ignore("the channel topic is named after the channel (funds); a shared real cluster may hold one already");
        }

        await kafka.CreateTopicAsync(TestNetwork.Channel, partitions: 1, replication: 3);
        await using var network = await TestNetwork.CreateAsync(maxMessageCount: 7, batchTimeout: "200ms", kafkaBrokers: kafka.Bootstrap);
        var orderer = await network.StartOrdererAsync("orderer1");
        await network.JoinOrdererAsync(orderer);
        using var client = network.Org1Client();

        // Every fifth envelope names a channel the orderer does not have: refused at once, while the envelopes before
        // it still wait for the brokers' acknowledgement — its answer must still come after theirs.
        const int count = 300;
        var envelopes = Enumerable.Range(0, count).Select(i => i % 5 == 4
            ? client.Envelope("nosuchchannel", HeaderType.Message, ByteString.CopyFromUtf8($"refused {i}"))
            : client.Envelope(TestNetwork.Channel, HeaderType.Message, ByteString.CopyFromUtf8($"accepted {i}"))).ToList();
        using var channel = TestNetwork.Connect(orderer);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var call = new AtomicBroadcast.AtomicBroadcastClient(channel).Broadcast(cancellationToken: timeout.Token);
        var writing = Task.Run(async () =>
        {
            foreach (var envelope in envelopes)
            {
                await call.RequestStream.WriteAsync(envelope);
            }

            await call.RequestStream.CompleteAsync();
        });
        var answers = new List<Status>();
        while (await call.ResponseStream.MoveNext(timeout.Token))
        {
            answers.Add(call.ResponseStream.Current.Status);
        }

        await writing;
        var expected = Enumerable.Range(0, count).Select(i => i % 5 == 4 ? Status.NotFound : Status.Success).ToList();
        Assert.That(answers, Is.EqualTo(expected), "one answer per envelope, in the stream's order");

        var accepted = envelopes.Where((_, i) => i % 5 != 4).ToList();
        var ordered = new List<Envelope>();
        for (ulong number = 1; ordered.Count < accepted.Count; number++)
        {
            ordered.AddRange((await BlockAsync(orderer, client, number)).Data.Data.Select(d => Envelope.Parser.ParseFrom(d)));
        }

        Assert.That(ordered, Is.EqualTo(accepted), "the accepted envelopes are ordered exactly once each, in the order the stream carried them");
    }

    /// <summary>Raises the channel's absolute_max_bytes by a config update signed by the orderer organisation's admin, and waits for its block (1).</summary>
    private static async Task RaiseAbsoluteMaxBytesAsync(TestNetwork network, NodeProcess orderer, uint bytes)
    {
        var file = Path.Combine(network.Folder, "batch.update");
        string[] admin = ["--identity", network.IdentityMsp("example.com", "users/Admin@example.com"), "--msp-id", "OrdererMSP"];
        string[][] steps =
        [
            ["channel", "update", "set-batch", "--channel", TestNetwork.Channel, "--orderer", orderer.Address, .. admin,
                "--absolute-max-bytes", bytes.ToString(System.Globalization.CultureInfo.InvariantCulture), "--out", file],
            ["channel", "update", "sign", file, .. admin],
            ["channel", "update", "submit", file, "--orderer", orderer.Address, .. admin],
        ];
        foreach (var step in steps)
        {
            var result = await network.RunCliAsync(step);
            Assert.That(result.ExitCode, Is.Zero, $"{string.Join(' ', step[..3])}: {result.Error}");
        }

        using var reader = network.Org1Client();
        await BlockAsync(orderer, reader, 1);
    }

    private static async Task<BroadcastResponse> BroadcastAsync(NodeProcess orderer, Envelope envelope)
    {
        using var channel = TestNetwork.Connect(orderer);
        using var call = new AtomicBroadcast.AtomicBroadcastClient(channel).Broadcast();
        await call.RequestStream.WriteAsync(envelope);
        Assert.That(await call.ResponseStream.MoveNext(CancellationToken.None), Is.True);
        var response = call.ResponseStream.Current;
        await call.RequestStream.CompleteAsync();
        return response;
    }

    /// <summary>Block <paramref name="number"/> of the channel, waiting (bounded) until it is cut.</summary>
    private static async Task<Block> BlockAsync(NodeProcess orderer, Signer reader, ulong number)
    {
        using var channel = TestNetwork.Connect(orderer);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var call = new AtomicBroadcast.AtomicBroadcastClient(channel).Deliver(cancellationToken: timeout.Token);
        var at = new SeekPosition { Specified = new SeekSpecified { Number = number } };
        var seek = new SeekInfo { Start = at, Stop = at, Behavior = SeekInfo.Types.SeekBehavior.BlockUntilReady };
        await call.RequestStream.WriteAsync(reader.Envelope(TestNetwork.Channel, HeaderType.DeliverSeekInfo, seek.ToByteString()));
        Assert.That(await call.ResponseStream.MoveNext(timeout.Token), Is.True);
        return call.ResponseStream.Current.Block ?? throw new AssertionException($"no block {number}: {call.ResponseStream.Current.Status}");
    }

    private static string Operations(NodeProcess orderer) => Regex.Match(orderer.Output, @"orderer operations on (\S+)").Groups[1].Value;
}
