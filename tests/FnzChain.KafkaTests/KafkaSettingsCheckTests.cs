using FnzChain.Orderer.Consensus.Kafka;
using FnzChain.Orderer.Kafka;
using FnzChain.Protos.Common;
using Google.Protobuf;
using Microsoft.Extensions.Logging;

namespace FnzChain.KafkaTests;

/// <summary>
/// The broker settings check at start, against brokers that cannot answer it: librdkafka's mock cluster has no
/// DescribeConfigs, so the consenter says in one warning which settings it could not check, and why, and orders.
/// On a real cluster (FNZCHAIN_TEST_KAFKA), a topic with time-based retention stops the channel with one line.
/// (The rules themselves: KafkaBrokerSettingsTests in FnzChain.Orderer.Tests.)
/// </summary>
[Category("Kafka")]
public sealed class KafkaSettingsCheckTests
{
    [Test]
    public async Task Brokers_without_DescribeConfigs_get_one_warning_naming_every_unchecked_setting_and_the_channel_orders()
    {
        await using var kafka = await TestKafka.StartAsync(brokers: 3);
        if (TestKafka.External is not null)
        {
            Assert.Ignore("a real cluster answers DescribeConfigs; this tests the mock's lack of it");
        }

        var topic = await kafka.CreateTopicAsync(partitions: 1, replication: 3);
        using var metrics = new KafkaMetrics();
        var logger = new ListLogger();
        var channel = new InMemoryChannel(topic, kafka.Bootstrap);
        await using (var consenter = new KafkaConsenter(channel, ByteString.Empty, new KafkaConsenterOptions { OrdererName = "test" }, metrics, logger))
        {
            consenter.Start();
            await consenter.OrderAsync(new Envelope { Payload = ByteString.CopyFromUtf8("ordered") }, 0, isConfig: false, CancellationToken.None);
            await KafkaConsenterTests.UntilAsync(() => channel.Envelopes.Contains("ordered"), "the envelope is in a block");
            Assert.That(consenter.Fault, Is.Null);
        }

        var warnings = logger.Lines.Where(l => l.Level == LogLevel.Warning).Select(l => l.Message).ToList();
        Assert.That(warnings, Has.Count.EqualTo(1), string.Join("\n", warnings));
        Assert.That(warnings[0], Does.StartWith($"Channel {topic}: could not check the Kafka settings {string.Join(", ", KafkaBrokerSettings.Checked)} of its topic: "));
        Assert.That(warnings[0], Does.Contain("DescribeConfigs").And.Contain("Local_UnsupportedFeature").And.EndWith("; ordering without that check"));
        Assert.That(logger.Lines.Where(l => l.Level >= LogLevel.Error), Is.Empty);
    }

    [Test]
    public async Task On_a_real_cluster_a_topic_with_limited_retention_stops_the_channel_with_one_line()
    {
        if (TestKafka.External is null)
        {
            Assert.Ignore($"needs brokers that answer DescribeConfigs: set {TestKafka.Variable}=host:port");
        }

        await using var kafka = await TestKafka.StartAsync(brokers: 3);
        var topic = await kafka.CreateTopicAsync($"fnzchain-test-{Guid.NewGuid():N}", partitions: 1, replication: 3, new Dictionary<string, string> { ["retention.ms"] = "86400000" });
        using var metrics = new KafkaMetrics();
        var logger = new ListLogger();
        await using var consenter = new KafkaConsenter(new InMemoryChannel(topic, kafka.Bootstrap), ByteString.Empty, new KafkaConsenterOptions { OrdererName = "test" }, metrics, logger);
        consenter.Start();

        await KafkaConsenterTests.UntilAsync(() => consenter.Fault is not null, "the consenter refuses the topic's settings");

        Assert.That(consenter.Fault, Does.Contain("retention.ms is 86400000; it must be -1"));
        Assert.That(logger.Lines.Where(l => l.Level == LogLevel.Critical).Select(l => l.Message), Has.Exactly(1).Contain("retention.ms is 86400000"));
    }
}
