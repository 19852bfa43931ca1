using FnzChain.Orderer.Kafka;
using FnzChain.Protos.Common;
using Google.Protobuf;
using Microsoft.Extensions.Logging;

namespace FnzChain.KafkaTests;

/// <summary>
/// The Kafka consenter while the brokers do not answer (fault injection: the mock cluster only): it retries its own
/// requests with back-off for as long as it takes, Fault says why meanwhile, the outage and the recovery are each
/// logged once however many attempts failed, and nothing it had to post is lost.
/// </summary>
[Category("Kafka")]
public sealed class KafkaConsenterOutageTests
{
    private const string Retries = "fnzchain.orderer.kafka.retries";

    private static readonly KafkaConsenterOptions Options = new()
    {
        ProduceTimeout = TimeSpan.FromSeconds(2),
        RequestTimeout = TimeSpan.FromMilliseconds(500),
        RetryDelay = TimeSpan.FromMilliseconds(100),
        RetryMaxDelay = TimeSpan.FromSeconds(1),
        OrdererName = "test",
    };

    private static Envelope Envelope(string text) => new() { Payload = ByteString.CopyFromUtf8(text) };

    [Test]
    public async Task With_every_broker_down_at_start_it_retries_until_they_return_and_logs_the_outage_and_the_recovery_once()
    {
        await using var kafka = await TestKafka.StartAsync(brokers: 3);
        var mock = kafka.RequireMock();
        var topic = await kafka.CreateTopicAsync(partitions: 1, replication: 3);
        await mock.CommandAsync("down all");
        using var metrics = new KafkaMetrics();
        using var recorder = new MetricsRecorder(metrics.Meter);
        var logger = new ListLogger();
        var channel = new InMemoryChannel(topic, kafka.Bootstrap);
        await using var consenter = new KafkaConsenter(channel, ByteString.Empty, Options, metrics, logger);
        consenter.Start();

        await KafkaConsenterTests.UntilAsync(() => recorder.Sum(Retries, ("channel", topic), ("operation", "connect")) >= 3, "three connection attempts retried");
        // Whichever notices first names the outage: the start-up's metadata request, or the producer's view of its connections.
        Assert.That(consenter.Fault, Does.Contain("did not answer a metadata request for topic " + topic).Or.Contain("are unreachable: no connection to any of the 3 brokers"));

        await mock.CommandAsync("up all");
        await KafkaConsenterTests.UntilAsync(() => consenter.Fault is null, "the consenter connects once the brokers return");
        await consenter.OrderAsync(Envelope("after"), 0, isConfig: false, CancellationToken.None);
        await KafkaConsenterTests.UntilAsync(() => channel.Envelopes.Contains("after"), "ordering works");

        Assert.Multiple(() =>
        {
            Assert.That(logger.At(LogLevel.Warning, "the Kafka brokers do not answer"), Has.Count.EqualTo(1), "the outage logged once, not once per attempt");
            var recovered = logger.At(LogLevel.Information, "the Kafka brokers answer again");
            Assert.That(recovered, Has.Count.EqualTo(1), "the recovery logged once");
            Assert.That(recovered.Single(), Does.Match(@"\((\d{2,}|[3-9]) failed attempts meanwhile\)"), "at least three attempts failed in that one outage");
            Assert.That(logger.Lines.Where(l => l.Level >= LogLevel.Error), Is.Empty);
        });
    }

    [Test]
    public async Task A_time_to_cut_the_brokers_did_not_acknowledge_is_posted_again_when_they_return()
    {
        await using var kafka = await TestKafka.StartAsync(brokers: 3);
        var mock = kafka.RequireMock();
        var topic = await kafka.CreateTopicAsync(partitions: 1, replication: 3);
        using var metrics = new KafkaMetrics();
        using var recorder = new MetricsRecorder(metrics.Meter);
        var logger = new ListLogger();
        // Three envelopes, fewer than a batch: only a TIME_TO_CUT, due 3 s after the first is processed, cuts them.
        var channel = new InMemoryChannel(topic, kafka.Bootstrap, batchTimeout: TimeSpan.FromSeconds(3));
        await using var consenter = new KafkaConsenter(channel, ByteString.Empty, Options, metrics, logger);
        consenter.Start();
        await KafkaConsenterTests.UntilAsync(() => consenter.LastProcessedOffset is not null, "CONNECT processed");
        for (var i = 0; i < 3; i++)
        {
            await consenter.OrderAsync(Envelope($"e{i}"), 0, isConfig: false, CancellationToken.None);
        }

        await KafkaConsenterTests.UntilAsync(() => consenter.LastProcessedOffset >= 3, "the three envelopes processed, pending");
        await mock.CommandAsync("down all");
        await KafkaConsenterTests.UntilAsync(() => recorder.Sum(Retries, ("channel", topic), ("operation", "ttc")) >= 1, "the TIME_TO_CUT failed and is retried");
        Assert.That(channel.Blocks, Is.Empty, "nothing cut while the TIME_TO_CUT is not acknowledged");

        await mock.CommandAsync("up all");
        await KafkaConsenterTests.UntilAsync(() => channel.Envelopes.Count == 3, "the retried TIME_TO_CUT cuts the batch");

        Assert.Multiple(() =>
        {
            Assert.That(channel.Blocks.Select(b => string.Join(",", b.Envelopes)), Is.EqualTo(new[] { "e0,e1,e2" }));
            Assert.That(logger.At(LogLevel.Warning, "the Kafka brokers do not answer"), Has.Count.EqualTo(1));
            Assert.That(logger.Lines.Where(l => l.Level >= LogLevel.Error), Is.Empty);
        });
        await KafkaConsenterTests.UntilAsync(() => consenter.Fault is null, "health is green again");
    }

    [Test]
    public async Task An_idle_channel_reconnects_on_its_own_and_its_fault_clears_when_the_brokers_return()
    {
        await using var kafka = await TestKafka.StartAsync(brokers: 3);
        var mock = kafka.RequireMock();
        var topic = await kafka.CreateTopicAsync(partitions: 1, replication: 3);
        using var metrics = new KafkaMetrics();
        using var recorder = new MetricsRecorder(metrics.Meter);
        var logger = new ListLogger();
        var channel = new InMemoryChannel(topic, kafka.Bootstrap);
        await using var consenter = new KafkaConsenter(channel, ByteString.Empty, Options, metrics, logger);
        consenter.Start();
        await KafkaConsenterTests.UntilAsync(() => consenter.LastProcessedOffset is not null, "connected: CONNECT processed");

        await mock.CommandAsync("down all");
        Assert.ThrowsAsync<KafkaUnavailableException>(async () => await consenter.OrderAsync(Envelope("refused"), 0, isConfig: false, CancellationToken.None));
        Assert.That(consenter.Fault, Does.Contain("did not acknowledge").Or.Contain("unreachable"));
        await KafkaConsenterTests.UntilAsync(() => recorder.Sum(Retries, ("channel", topic), ("operation", "reconnect")) >= 1, "reconnection attempts");

        await mock.CommandAsync("up all");
        // No envelope is sent meanwhile: only the consenter's own reconnection can find the brokers back.
        await KafkaConsenterTests.UntilAsync(() => consenter.Fault is null, "the fault clears with no Broadcast");

        Assert.Multiple(() =>
        {
            Assert.That(recorder.Sum("fnzchain.orderer.kafka.records.posted", ("channel", topic), ("kind", "connect")), Is.EqualTo(2), "CONNECT at start, and the one that ended the outage");
            Assert.That(logger.At(LogLevel.Warning, "the Kafka brokers do not answer"), Has.Count.EqualTo(1));
            Assert.That(logger.At(LogLevel.Information, "the Kafka brokers answer again"), Has.Count.EqualTo(1));
        });
    }
}
