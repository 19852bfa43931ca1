using System.Globalization;
using Confluent.Kafka;

namespace FnzChain.KafkaTests;

/// <summary>
/// Clients configured as the Kafka consenter will be: an idempotent producer that waits for all in-sync replicas with
/// bounded retries, and a consumer that reads one partition from an offset it is given (no group, no auto-commit).
/// </summary>
internal static class KafkaClients
{
    private static readonly TimeSpan s_readTimeout = TimeSpan.FromSeconds(60);

    public static IProducer<Null, string> IdempotentProducer(string bootstrap) =>
        new ProducerBuilder<Null, string>(new ProducerConfig
        {
            BootstrapServers = bootstrap,
            Acks = Acks.All,
            EnableIdempotence = true,
            // Bounded: a message not acknowledged within 30 s fails instead of being retried for ever.
            MessageTimeoutMs = 30_000,
            MessageSendMaxRetries = 100,
            // A broker that comes back is reconnected within a second, and leaders are re-read at least as often.
            ReconnectBackoffMaxMs = 1_000,
            TopicMetadataRefreshIntervalMs = 1_000,
            LingerMs = 2,
        }).Build();

    public static IConsumer<Ignore, string> ManualConsumer(string bootstrap) =>
        new ConsumerBuilder<Ignore, string>(new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = $"fnzchain-test-{Guid.NewGuid():N}",
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
            ReconnectBackoffMaxMs = 1_000,
            TopicMetadataRefreshIntervalMs = 1_000,
        }).Build();

    public static string Payload(int index) => "m" + index.ToString("D6", CultureInfo.InvariantCulture);

    /// <summary>Produces <paramref name="count"/> messages numbered from <paramref name="first"/> and waits for every acknowledgement.</summary>
    public static async Task<DeliveryResult<Null, string>[]> ProduceAsync(IProducer<Null, string> producer, string topic, int first, int count) =>
        await Task.WhenAll(Start(producer, topic, first, count));

    /// <summary>Hands <paramref name="count"/> messages to the producer in order; the tasks complete when the brokers acknowledge them.</summary>
    public static List<Task<DeliveryResult<Null, string>>> Start(IProducer<Null, string> producer, string topic, int first, int count) =>
        Enumerable.Range(first, count).Select(i => producer.ProduceAsync(topic, new Message<Null, string> { Value = Payload(i) })).ToList();

    /// <summary>Reads partition 0 from <paramref name="fromOffset"/> until <paramref name="count"/> messages arrived or a minute passed.</summary>
    public static Task<List<ConsumeResult<Ignore, string>>> ReadAsync(string bootstrap, string topic, long fromOffset, int count) =>
        ReadAsync(bootstrap, topic, fromOffset, () => count, CancellationToken.None);

    /// <summary>
    /// Reads partition 0 from <paramref name="fromOffset"/> until as many messages arrived as <paramref name="target"/>
    /// says (it may grow while reading), a minute passed since the last message, or <paramref name="stop"/> fires.
    /// </summary>
    public static Task<List<ConsumeResult<Ignore, string>>> ReadAsync(
        string bootstrap, string topic, long fromOffset, Func<int> target, CancellationToken stop) =>
        Task.Run(() =>
        {
            using var consumer = ManualConsumer(bootstrap);
            consumer.Assign(new TopicPartitionOffset(topic, 0, fromOffset));
            var read = new List<ConsumeResult<Ignore, string>>();
            var idleSince = DateTime.UtcNow;
            while (read.Count < target() && !stop.IsCancellationRequested && DateTime.UtcNow - idleSince < s_readTimeout)
            {
                if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { } result)
                {
                    read.Add(result);
                    idleSince = DateTime.UtcNow;
                }
            }

            consumer.Close();
            return read;
        }, CancellationToken.None);

    /// <summary>The partition's high watermark: how many messages its log holds (the topics here start empty).</summary>
    public static long HighWatermark(string bootstrap, string topic)
    {
        using var consumer = ManualConsumer(bootstrap);
        return consumer.QueryWatermarkOffsets(new TopicPartition(topic, 0), TimeSpan.FromSeconds(30)).High.Value;
    }
}
