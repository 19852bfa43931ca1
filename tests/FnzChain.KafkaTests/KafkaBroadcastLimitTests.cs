using System.Text.RegularExpressions;
using FnzChain.IntegrationTests;
using FnzChain.Protos.Common;
using FnzChain.Protos.Orderer;
using Google.Protobuf;
using Status = FnzChain.Protos.Common.Status;

namespace FnzChain.KafkaTests;

/// <summary>
/// A real orderer process on a Kafka channel (the mock cluster) given an envelope larger than its Kafka producer takes:
/// Broadcast refuses it with REQUEST_ENTITY_TOO_LARGE naming the size and the limit, the channel orders on, its health
/// stays green, and the orderer logs no failure of its own. Such an envelope passes the channel's checks only when
/// absolute_max_bytes was raised after the orderer started — its producer keeps the limit it started with.
/// </summary>
[Category("Kafka")]
public sealed class KafkaBroadcastLimitTests
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
        var ownFailures = orderer.Output.Split('\n').Where(l => Regex.IsMatch(l, @"\b(crit|fail|warn): FnzChain") && !l.Contains("could not check the Kafka settings", StringComparison.Ordinal)).ToList();
        Assert.That(ownFailures, Is.Empty, "no failure or warning of the orderer's own besides the mock's unchecked settings");
        Assert.That(orderer.Output, Does.Contain("refused: RequestEntityTooLarge envelope of"), "the refusal is logged as the client's");
        Assert.That(Regex.Matches(orderer.Output, "warn: FnzChain.* could not check the Kafka settings").Count, Is.EqualTo(1), "the mock's unchecked settings: one warning");
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
