using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace FnzChain.Orderer.Kafka;

/// <summary>
/// The instruments of an orderer's Kafka consenters (meter <c>FnzChain.Orderer.Kafka</c>; <c>/metrics</c> exports every
/// <c>FnzChain*</c> meter). One instance per orderer — the factory's — so the gauges can ask each running consenter
/// where its consumer stands; tests make their own and listen to its <see cref="Meter"/>.
/// <list type="bullet">
/// <item><c>fnzchain.orderer.kafka.produce.duration</c> (ms, by channel): from handing a record to the producer to the
/// brokers' acknowledgement, for acknowledged records.</item>
/// <item><c>fnzchain.orderer.kafka.records.posted</c> (by channel and kind: regular, config, ttc, connect):
/// acknowledged records this orderer posted.</item>
/// <item><c>fnzchain.orderer.kafka.produce.failures</c> (by channel, kind and error): records the brokers did not
/// acknowledge, or refused.</item>
/// <item><c>fnzchain.orderer.kafka.retries</c> (by channel and operation: connect, repost, ttc, reconnect): the
/// consenter's own requests retried after a back-off while the brokers did not answer.</item>
/// <item><c>fnzchain.orderer.kafka.consumer.lag</c> (records, by channel): the partition's high watermark minus the
/// next offset this orderer processes — how far it is behind the topic.</item>
/// <item><c>fnzchain.orderer.kafka.consumer.offset</c> (by channel): the last offset this orderer processed.</item>
/// </list>
/// </summary>
public sealed class KafkaMetrics : IDisposable
{
    public const string MeterName = "FnzChain.Orderer.Kafka";

    private readonly ConcurrentDictionary<KafkaConsenter, byte> _consenters = new();

    public KafkaMetrics()
    {
        Meter = new Meter(MeterName);
        ProduceDuration = Meter.CreateHistogram<double>(
            "fnzchain.orderer.kafka.produce.duration", unit: "ms", description: "Time from producing a record to the brokers' acknowledgement, by channel");
        RecordsPosted = Meter.CreateCounter<long>(
            "fnzchain.orderer.kafka.records.posted", description: "Records this orderer posted to a channel's topic and the brokers acknowledged, by channel and kind (regular, config, ttc, connect)");
        ProduceFailures = Meter.CreateCounter<long>(
            "fnzchain.orderer.kafka.produce.failures", description: "Records the brokers did not acknowledge or refused, by channel, kind and error");
        Retries = Meter.CreateCounter<long>(
            "fnzchain.orderer.kafka.retries", description: "Retries, after a back-off, of the consenter's own requests to the brokers, by channel and operation (connect, repost, ttc, reconnect)");
        Meter.CreateObservableGauge(
            "fnzchain.orderer.kafka.consumer.lag", ObserveLag, unit: "{record}", description: "The partition's high watermark minus the next offset this orderer processes, by channel");
        Meter.CreateObservableGauge(
            "fnzchain.orderer.kafka.consumer.offset", ObserveOffset, description: "The last topic offset this orderer processed, by channel");
    }

    /// <summary>The meter (a test listens to this instance only).</summary>
    public Meter Meter { get; }

    internal Histogram<double> ProduceDuration { get; }

    internal Counter<long> RecordsPosted { get; }

    internal Counter<long> ProduceFailures { get; }

    internal Counter<long> Retries { get; }

    internal void Add(KafkaConsenter consenter) => _consenters[consenter] = 0;

    internal void Remove(KafkaConsenter consenter) => _consenters.TryRemove(consenter, out _);

    private IEnumerable<Measurement<long>> ObserveLag()
    {
        foreach (var consenter in _consenters.Keys)
        {
            if (consenter.ConsumerLag() is { } lag)
            {
                yield return new Measurement<long>(lag, new KeyValuePair<string, object?>("channel", consenter.ChannelId));
            }
        }
    }

    private IEnumerable<Measurement<long>> ObserveOffset()
    {
        foreach (var consenter in _consenters.Keys)
        {
            if (consenter.LastProcessedOffset is { } offset)
            {
                yield return new Measurement<long>(offset, new KeyValuePair<string, object?>("channel", consenter.ChannelId));
            }
        }
    }

    public void Dispose() => Meter.Dispose();
}
