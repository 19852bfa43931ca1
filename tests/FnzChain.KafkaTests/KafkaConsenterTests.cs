using FnzChain.Orderer.Kafka;
using FnzChain.Protos.Common;
using Google.Protobuf;
using Microsoft.Extensions.Logging.Abstractions;

namespace FnzChain.KafkaTests;

/// <summary>
/// The Kafka consenter on real brokers (the mock cluster, or FNZCHAIN_TEST_KAFKA): several orderers on one channel's
/// topic write identical blocks holding every acknowledged envelope once; an orderer restarted from its last block's
/// metadata catches up with no gap or duplicate; with every broker down Broadcast is refused and health says why, and
/// ordering resumes when they return; a topic with more than one partition stops the channel.
/// </summary>
[Category("Kafka")]
public sealed class KafkaConsenterTests
{
    private static readonly KafkaConsenterOptions Options = new() { ProduceTimeout = TimeSpan.FromSeconds(3), OrdererName = "test" };

    private KafkaMetrics _metrics = null!;

    [SetUp]
    public void CreateMetrics() => _metrics = new KafkaMetrics();

    [TearDown]
    public void DisposeMetrics() => _metrics.Dispose();

    private KafkaConsenter Consenter(InMemoryChannel channel, ByteString? resume = null)
    {
        var consenter = new KafkaConsenter(channel, resume ?? ByteString.Empty, Options, _metrics, NullLogger.Instance);
        consenter.Start();
        return consenter;
    }

    private static Envelope Envelope(string text) => new() { Payload = ByteString.CopyFromUtf8(text) };

    internal static async Task UntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!condition())
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), $"not reached in 60 s: {what}");
            await Task.Delay(50);
        }
    }

    [Test]
    public async Task Three_orderers_on_one_topic_write_identical_blocks_with_every_acknowledged_envelope_once()
    {
        await using var kafka = await TestKafka.StartAsync(brokers: 3);
        var topic = await kafka.CreateTopicAsync(partitions: 1, replication: 3);
        var channels = Enumerable.Range(0, 3).Select(_ => new InMemoryChannel(topic, kafka.Bootstrap)).ToList();
        var consenters = channels.Select(c => Consenter(c)).ToList();
        try
        {
            // Each orderer accepts its own clients' envelopes, concurrently.
            await Task.WhenAll(consenters.Select((consenter, o) => Task.Run(async () =>
            {
                for (var i = 0; i < 100; i++)
                {
                    await consenter.OrderAsync(Envelope($"o{o}-{i:D3}"), 0, isConfig: false, CancellationToken.None);
                }
            })));

            await UntilAsync(() => channels.All(c => c.Envelopes.Count >= 300), "every orderer has all 300 envelopes in blocks");
            var reference = channels[0].Blocks;
            Assert.Multiple(() =>
            {
                foreach (var channel in channels.Skip(1))
                {
                    Assert.That(channel.Blocks.Select(b => string.Join(",", b.Envelopes)), Is.EqualTo(reference.Select(b => string.Join(",", b.Envelopes))), "the same blocks");
                    Assert.That(channel.Blocks.Select(b => b.Metadata), Is.EqualTo(reference.Select(b => b.Metadata)), "the same consenter metadata");
                }

                var all = channels[0].Envelopes;
                Assert.That(all, Has.Count.EqualTo(300));
                Assert.That(all.Distinct().Count(), Is.EqualTo(300), "each acknowledged envelope once");
                Assert.That(reference.All(b => b.Envelopes.Count <= 10), Is.True, "max_message_count 10");
            });
        }
        finally
        {
            foreach (var consenter in consenters)
            {
                await consenter.DisposeAsync();
            }
        }
    }

    [Test]
    public async Task An_orderer_restarted_from_its_last_blocks_metadata_catches_up_with_no_gap_or_duplicate()
    {
        await using var kafka = await TestKafka.StartAsync(brokers: 3);
        var topic = await kafka.CreateTopicAsync(partitions: 1, replication: 3);
        var (steady, restarting) = (new InMemoryChannel(topic, kafka.Bootstrap), new InMemoryChannel(topic, kafka.Bootstrap));
        await using var a = Consenter(steady);
        var b = Consenter(restarting);
        for (var i = 0; i < 50; i++)
        {
            await a.OrderAsync(Envelope($"before-{i:D3}"), 0, isConfig: false, CancellationToken.None);
        }

        await UntilAsync(() => restarting.Envelopes.Count == 50, "the second orderer has the first 50");
        await b.DisposeAsync(); // as a crash after its last block: the ledger keeps the blocks and their metadata
        for (var i = 0; i < 50; i++)
        {
            await a.OrderAsync(Envelope($"while-down-{i:D3}"), 0, isConfig: false, CancellationToken.None);
        }

        await using var resumed = Consenter(restarting, restarting.Blocks[^1].Metadata);
        await UntilAsync(() => restarting.Envelopes.Count >= 100 && steady.Envelopes.Count >= 100, "both orderers have all 100");

        Assert.That(restarting.Blocks.Select(x => string.Join(",", x.Envelopes)), Is.EqualTo(steady.Blocks.Select(x => string.Join(",", x.Envelopes))));
        Assert.That(restarting.Envelopes.Distinct().Count(), Is.EqualTo(100));
    }

    [Test]
    public async Task With_every_broker_down_broadcast_is_refused_health_says_why_and_ordering_resumes_when_they_return()
    {
        await using var kafka = await TestKafka.StartAsync(brokers: 3);
        var mock = kafka.RequireMock();
        var topic = await kafka.CreateTopicAsync(partitions: 1, replication: 3);
        var channel = new InMemoryChannel(topic, kafka.Bootstrap);
        using var recorder = new MetricsRecorder(_metrics.Meter);
        await using var consenter = Consenter(channel);
        await consenter.OrderAsync(Envelope("before"), 0, isConfig: false, CancellationToken.None);
        await UntilAsync(() => channel.Envelopes.Count == 1, "the first envelope is in a block");

        await mock.CommandAsync("down all");
        var refused = Assert.ThrowsAsync<KafkaUnavailableException>(async () => await consenter.OrderAsync(Envelope("while-down"), 0, isConfig: false, CancellationToken.None));
        // Refused after the produce timeout (the record not acknowledged), or at once when the producer's statistics
        // already showed every broker down — then it never reaches the producer.
        var refusedAtOnce = refused!.Message.Contains("unreachable", StringComparison.Ordinal);
        Assert.That(refused.Message, refusedAtOnce ? Does.Contain("Kafka brokers") : Does.Contain("did not acknowledge").And.Contain(topic));
        Assert.That(consenter.Fault, Is.Not.Null.And.Contain("Kafka brokers"));
        Assert.That(recorder.Sum("fnzchain.orderer.kafka.produce.failures", ("channel", topic), ("kind", "regular")), Is.EqualTo(refusedAtOnce ? 0 : 1), "a refused envelope that reached the producer is a produce failure");

        await mock.CommandAsync("up all");
        var acknowledged = new List<string>();
        for (var i = 0; acknowledged.Count < 5 && i < 200; i++)
        {
            try
            {
                await consenter.OrderAsync(Envelope($"after-{i}"), 0, isConfig: false, CancellationToken.None);
                acknowledged.Add($"after-{i}");
            }
            catch (KafkaUnavailableException)
            {
                await Task.Delay(200); // the client reconnects on its own
            }
        }

        Assert.That(acknowledged, Has.Count.EqualTo(5), "Broadcast is acknowledged again");
        await UntilAsync(() => acknowledged.All(channel.Envelopes.Contains), "every acknowledged envelope is in a block");
        Assert.That(channel.Envelopes.Count(e => e == "after-0" || acknowledged.Contains(e)), Is.EqualTo(acknowledged.Count), "once each");
        await UntilAsync(() => consenter.Fault is null, "health is green again");
    }

    [Test]
    public async Task The_consume_loop_writes_blocks_from_a_thread_of_its_own_never_a_pool_thread()
    {
        await using var kafka = await TestKafka.StartAsync(brokers: 1);
        var topic = await kafka.CreateTopicAsync(partitions: 1, replication: 1);
        var channel = new InMemoryChannel(topic, kafka.Bootstrap);
        await using var consenter = Consenter(channel);
        for (var i = 0; i < 25; i++)
        {
            await consenter.OrderAsync(Envelope($"e{i:D2}"), 0, isConfig: false, CancellationToken.None);
        }

        await UntilAsync(() => channel.Envelopes.Count == 25, "all 25 in blocks (10, 10, and 5 cut by TIME_TO_CUT)");

        Assert.That(channel.WriterThreads, Has.Count.GreaterThanOrEqualTo(3));
        Assert.That(channel.WriterThreads, Has.All.EqualTo(((string?)$"kafka-{topic}", false)), "every block written from the channel's own kafka thread");
    }

    [Test]
    public async Task An_envelope_over_the_record_limit_is_refused_naming_its_size_and_the_limit_and_the_channel_orders_on()
    {
        await using var kafka = await TestKafka.StartAsync(brokers: 1);
        var topic = await kafka.CreateTopicAsync(partitions: 1, replication: 1);
        using var recorder = new MetricsRecorder(_metrics.Meter);
        var channel = new InMemoryChannel(topic, kafka.Bootstrap, absoluteMaxBytes: 256 * 1024); // record limit 1,000,000
        await using var consenter = Consenter(channel);
        var large = new Envelope { Payload = ByteString.CopyFrom(new byte[1_200_000]) };

        var refused = Assert.ThrowsAsync<FnzChain.Orderer.Consensus.EnvelopeTooLargeException>(async () => await consenter.OrderAsync(large, 0, isConfig: false, CancellationToken.None));

        Assert.That(refused!.Message, Does.StartWith($"envelope of {large.CalculateSize()} bytes exceeds the Kafka record limit of channel {topic} on this orderer: ").And.Contain("limit 1000000 (absolute_max_bytes 262144"));
        Assert.That(consenter.Fault, Is.Null, "a client's envelope is not a fault of the channel");
        await consenter.OrderAsync(Envelope("after"), 0, isConfig: false, CancellationToken.None);
        await UntilAsync(() => channel.Envelopes.Contains("after"), "the channel orders on");
        Assert.That(recorder.Sum("fnzchain.orderer.kafka.produce.failures", ("channel", topic), ("error", "MsgSizeTooLarge")), Is.EqualTo(1));
    }

    [Test]
    public async Task A_topic_with_more_than_one_partition_stops_the_channel_with_one_line()
    {
        await using var kafka = await TestKafka.StartAsync(brokers: 1);
        var topic = await kafka.CreateTopicAsync(partitions: 3, replication: 1);
        var channel = new InMemoryChannel(topic, kafka.Bootstrap);
        await using var consenter = Consenter(channel);

        await UntilAsync(() => consenter.Fault is not null, "the consenter refuses the topic");

        Assert.That(consenter.Fault, Is.EqualTo($"the topic {topic} has 3 partitions; the Kafka consenter needs exactly one (every orderer must read one order)"));
        Assert.That(async () => await consenter.OrderAsync(Envelope("x"), 0, isConfig: false, CancellationToken.None), Throws.InvalidOperationException);
    }
}
