using FnzChain.Orderer.Kafka;
using FnzChain.Protos.Common;
using Google.Protobuf;
using Microsoft.Extensions.Logging.Abstractions;

namespace FnzChain.KafkaTests;

/// <summary>
/// The Kafka consenter's instruments (meter FnzChain.Orderer.Kafka), read with a MeterListener while a real consenter
/// orders on the mock cluster (or FNZCHAIN_TEST_KAFKA): records posted by kind, one produce duration per acknowledged
/// record, the last processed offset, and the consumer's lag behind the topic while it is slow to write blocks.
/// </summary>
[Category("Kafka")]
public sealed class KafkaConsenterMetricsTests
{
    private const string Posted = "fnzchain.orderer.kafka.records.posted";
    private const string Duration = "fnzchain.orderer.kafka.produce.duration";
    private const string Lag = "fnzchain.orderer.kafka.consumer.lag";
    private const string Offset = "fnzchain.orderer.kafka.consumer.offset";
    private static readonly KafkaConsenterOptions Options = new() { ProduceTimeout = TimeSpan.FromSeconds(3), OrdererName = "test" };

    private static Envelope Envelope(string text) => new() { Payload = ByteString.CopyFromUtf8(text) };

    [Test]
    public async Task Posted_records_are_counted_by_kind_and_timed_and_the_offset_follows_the_topic()
    {
        await using var kafka = await TestKafka.StartAsync(brokers: 3);
        var topic = await kafka.CreateTopicAsync(partitions: 1, replication: 3);
        using var metrics = new KafkaMetrics();
        using var recorder = new MetricsRecorder(metrics.Meter);
        // No batch timeout within the test: no TIME_TO_CUT, so the topic holds exactly CONNECT and the 25 envelopes.
        var channel = new InMemoryChannel(topic, kafka.Bootstrap, batchTimeout: TimeSpan.FromHours(1));
        await using var consenter = new KafkaConsenter(channel, ByteString.Empty, Options, metrics, NullLogger.Instance);
        consenter.Start();
        await KafkaConsenterTests.UntilAsync(() => recorder.Sum(Posted, ("channel", topic), ("kind", "connect")) == 1, "CONNECT is posted (at offset 0)");
        for (var i = 0; i < 25; i++)
        {
            await consenter.OrderAsync(Envelope($"e{i:D2}"), 0, isConfig: false, CancellationToken.None);
        }

        await KafkaConsenterTests.UntilAsync(() => recorder.Gauge(Offset, topic) == 25, "the consumer processed offset 25 (CONNECT at 0, the envelopes at 1..25)");
        await KafkaConsenterTests.UntilAsync(() => recorder.Gauge(Lag, topic) == 0, "no lag once every record is processed");

        Assert.Multiple(() =>
        {
            Assert.That(recorder.Sum(Posted, ("channel", topic), ("kind", "regular")), Is.EqualTo(25));
            Assert.That(recorder.Sum(Posted, ("channel", topic), ("kind", "connect")), Is.EqualTo(1));
            Assert.That(recorder.Sum(Posted, ("channel", topic), ("kind", "ttc")), Is.Zero);
            Assert.That(recorder.Count(Duration, ("channel", topic)), Is.EqualTo(26), "one duration per acknowledged record");
            Assert.That(recorder.Values(Duration, ("channel", topic)), Has.All.GreaterThan(0.0));
            Assert.That(channel.Envelopes, Has.Count.EqualTo(20), "two blocks of ten; five pending");
        });
    }

    [Test]
    public async Task Consumer_lag_counts_the_records_an_orderer_slow_to_write_blocks_has_not_processed()
    {
        await using var kafka = await TestKafka.StartAsync(brokers: 3);
        var topic = await kafka.CreateTopicAsync(partitions: 1, replication: 3);
        using var metrics = new KafkaMetrics();
        using var recorder = new MetricsRecorder(metrics.Meter);
        var channel = new InMemoryChannel(topic, kafka.Bootstrap, batchTimeout: TimeSpan.FromHours(1)) { WriteGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        await using var consenter = new KafkaConsenter(channel, ByteString.Empty, Options, metrics, NullLogger.Instance);
        consenter.Start();
        await KafkaConsenterTests.UntilAsync(() => recorder.Sum(Posted, ("channel", topic), ("kind", "connect")) == 1, "CONNECT is posted (at offset 0)");

        // CONNECT at offset 0, envelopes at 1..25: the tenth (offset 10) cuts block 1, whose write waits at the gate.
        for (var i = 0; i < 25; i++)
        {
            await consenter.OrderAsync(Envelope($"e{i:D2}"), 0, isConfig: false, CancellationToken.None);
        }

        await KafkaConsenterTests.UntilAsync(() => recorder.Gauge(Lag, topic) == 16, "lag 16: offsets 10 (being written) to 25 not processed");
        Assert.That(recorder.Gauge(Offset, topic), Is.EqualTo(9), "offset 9 is the last processed");

        channel.WriteGate.SetResult();
        await KafkaConsenterTests.UntilAsync(() => recorder.Gauge(Lag, topic) == 0 && recorder.Gauge(Offset, topic) == 25, "caught up: no lag, offset 25 processed");
        Assert.That(channel.Envelopes, Has.Count.EqualTo(20));
    }
}
