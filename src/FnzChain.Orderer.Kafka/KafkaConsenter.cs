using System.Diagnostics;
using Confluent.Kafka;
using FnzChain.Orderer.Consensus;
using FnzChain.Orderer.Consensus.Kafka;
using FnzChain.Protos.Common;
using FnzChain.Protos.Orderer;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Polly;

namespace FnzChain.Orderer.Kafka;

/// <summary>
/// Fabric 1.x's Kafka consenter over Confluent.Kafka: one topic per channel (named after it), one partition. Every
/// orderer posts the envelopes it accepts and consumes the whole partition from the offset after its last block's
/// (<see cref="KafkaChainProcessor"/> decides the blocks, so every orderer cuts the same). Broadcast's SUCCESS means the
/// brokers acknowledged the record (<c>acks=all</c>, idempotent producer): an orderer killed right after SUCCESS loses
/// nothing. The consumer stores no offsets in Kafka — the ledger is the offset store. When the batch timeout expires the
/// orderer posts a TIME_TO_CUT for the next block; the first in the stream wins. A resume offset the topic no longer
/// holds, or a topic with more than one partition, stops the channel with one line rather than skipping anything.
/// While the brokers do not answer, its own posts (CONNECT at start, re-posts, TIME_TO_CUTs) are retried with back-off
/// until they do, and <see cref="Fault"/> says why.
/// </summary>
public sealed partial class KafkaConsenter : IConsenter
{
    private readonly IConsenterSupport _support;
    private readonly KafkaConsenterOptions _options;
    private readonly ILogger _logger;
    private readonly KafkaMetrics _metrics;
    private readonly string _topic;
    private readonly KeyValuePair<string, object?> _channelTag;
    private readonly KafkaChainProcessor _processor;
    private readonly IProducer<Null, byte[]> _producer;
    private readonly int _maxRecordBytes;
    private readonly uint _absoluteMaxBytesAtStart;
    private readonly BrokerOutage _outage;
    private readonly ResiliencePipeline _retry;
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _loopEnded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _consumerGate = new(); // the consumer is read by the metrics' gauges while the loop owns it
    private IConsumer<Ignore, byte[]>? _consumer;
    private Thread? _loop;
    private long _lastProcessed;
    private string? _fatal; // set once (Stop), read with Volatile.Read
    private ulong _timeToCutPostedFor = ulong.MaxValue;

    public KafkaConsenter(IConsenterSupport support, ByteString lastConsenterMetadata, KafkaConsenterOptions options, KafkaMetrics metrics, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(support);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(metrics);
        _support = support;
        _options = options;
        _metrics = metrics;
        _logger = logger;
        _topic = support.ChannelId;
        _channelTag = new KeyValuePair<string, object?>("channel", _topic);
        var brokers = string.Join(",", support.Settings.KafkaBrokers);
        if (brokers.Length == 0)
        {
            throw new Identity.Channels.ChannelConfigException($"channel {support.ChannelId}: consensus type kafka needs /Channel/Orderer/KafkaBrokers");
        }

        Brokers = brokers;
        _processor = new KafkaChainProcessor(support, lastConsenterMetadata, RepostAsync, logger);
        _lastProcessed = _processor.NextOffset - 1; // the last record the ledger's blocks account for
        _outage = new BrokerOutage(_topic, logger, TimeProvider.System);
        _retry = RetryPipeline();
        _absoluteMaxBytesAtStart = support.Settings.BatchSize.AbsoluteMaxBytes;
        _maxRecordBytes = KafkaBrokerSettings.MaxRecordBytes(_absoluteMaxBytesAtStart);
        _producer = new ProducerBuilder<Null, byte[]>(new ProducerConfig
        {
            BootstrapServers = brokers,
            ClientId = $"fnzchain-{options.OrdererName}-{_topic}",
            Acks = Acks.All,
            EnableIdempotence = true,
            MessageTimeoutMs = (int)options.ProduceTimeout.TotalMilliseconds,
            LingerMs = 1,
            MessageMaxBytes = _maxRecordBytes,
            AllowAutoCreateTopics = false, // the channel's topic is created by the operator, with one partition
            ReconnectBackoffMaxMs = 1000, // a broker that returns is reconnected within a second
            SocketNagleDisable = true,
            StatisticsIntervalMs = 1000, // broker connection states, for "every broker down" (OnProducerStatistics)
        })
            .SetErrorHandler((_, error) => OnProducerError(error))
            .SetStatisticsHandler((_, json) => OnProducerStatistics(json))
            .SetLogHandler((_, _) => { })
            .Build();
    }

    /// <summary>The bootstrap brokers this consenter uses.</summary>
    public string Brokers { get; }

    /// <summary>Why this channel cannot order now: stopped for good, or the brokers not answering (cleared when they answer again).</summary>
    public string? Fault => Volatile.Read(ref _fatal) ?? _outage.Reason;

    /// <summary>The channel (and topic) this consenter orders.</summary>
    public string ChannelId => _topic;

    /// <summary>The last topic offset this consenter processed, or null before the first.</summary>
    public long? LastProcessedOffset => Interlocked.Read(ref _lastProcessed) is >= 0 and var offset ? offset : (long?)null;

    /// <summary>
    /// The partition's high watermark minus the next offset this consenter processes, or null before the consumer has
    /// heard the watermark. Reads librdkafka's cached watermark (updated by every fetch response), never the brokers.
    /// </summary>
    public long? ConsumerLag()
    {
        lock (_consumerGate)
        {
            if (_consumer is null)
            {
                return null;
            }

            var high = _consumer.GetWatermarkOffsets(new TopicPartition(_topic, 0)).High;
            if (high == Offset.Unset)
            {
                return null;
            }

            return Math.Max(0, high.Value - (Interlocked.Read(ref _lastProcessed) + 1));
        }
    }

    /// <summary>Starts the consume loop on a thread of its own (<c>kafka-&lt;channel&gt;</c>): it blocks in the consumer, never on a pool thread.</summary>
    public void Start()
    {
        if (_loop is null)
        {
            _metrics.Add(this);
            _loop = new Thread(RunLoop) { IsBackground = true, Name = $"kafka-{_topic}" };
            _loop.Start();
        }
    }

    public async ValueTask OrderAsync(Envelope envelope, ulong configSequence, bool isConfig, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        if (Volatile.Read(ref _fatal) is { } fatal)
        {
            throw new InvalidOperationException(fatal);
        }

        // During an outage refuse at once — the gateway tries another orderer and the client hears SERVICE_UNAVAILABLE in
        // seconds — rather than hold every envelope for the whole produce timeout; the reconnection's CONNECT posts probe
        // the brokers and end the outage when one is acknowledged.
        if (_outage.Reason is { } outage)
        {
            throw new KafkaUnavailableException(outage);
        }

        await PostAsync(new KafkaMessage
        {
            Regular = new KafkaMessageRegular
            {
                Payload = envelope.ToByteString(),
                ConfigSeq = configSequence,
                Class = isConfig ? KafkaMessageRegular.Types.Class.Config : KafkaMessageRegular.Types.Class.Normal,
            },
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Posts a record and waits until the brokers acknowledged it. Not acknowledged: a <see cref="KafkaUnavailableException"/>
    /// naming the cause. Over the record limit (checked here, or by the brokers): an <see cref="EnvelopeTooLargeException"/>
    /// naming the size and the limit — the client's fault, not an outage.
    /// </summary>
    private async Task PostAsync(KafkaMessage message, CancellationToken cancellationToken)
    {
        var kind = new KeyValuePair<string, object?>("kind", KindOf(message));
        var record = message.ToByteArray();
        if (record.Length > _maxRecordBytes)
        {
            _metrics.ProduceFailures.Add(1, _channelTag, kind, new KeyValuePair<string, object?>("error", nameof(ErrorCode.MsgSizeTooLarge)));
            throw new EnvelopeTooLargeException(
                $"envelope of {EnvelopeBytes(message, record)} bytes exceeds the Kafka record limit of channel {_topic} on this orderer: {record.Length} bytes as a record, " +
                $"limit {_maxRecordBytes} (absolute_max_bytes {_absoluteMaxBytesAtStart} when the orderer started, plus {KafkaBrokerSettings.RecordOverheadBytes}); a larger absolute_max_bytes applies to Kafka channels once the orderers restart");
        }

        var started = Stopwatch.GetTimestamp();
        try
        {
            await _producer.ProduceAsync(_topic, new Message<Null, byte[]> { Value = record }, cancellationToken).ConfigureAwait(false);
            _metrics.ProduceDuration.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds, _channelTag);
            _metrics.RecordsPosted.Add(1, _channelTag, kind);
            _outage.Answered();
        }
        catch (ProduceException<Null, byte[]> e) when (e.Error.Code is ErrorCode.MsgSizeTooLarge or ErrorCode.RecordListTooLarge)
        {
            // The brokers answered: no outage. Their limit is below ours (the settings check could not read it, or it changed).
            _metrics.ProduceFailures.Add(1, _channelTag, kind, new KeyValuePair<string, object?>("error", e.Error.Code.ToString()));
            _outage.Answered();
            throw new EnvelopeTooLargeException(
                $"envelope of {EnvelopeBytes(message, record)} bytes was refused by the Kafka brokers of channel {_topic} as too large ({e.Error.Code}): {record.Length} bytes as a record, " +
                $"over the topic's max.message.bytes (or the brokers' message.max.bytes), which must be at least {_maxRecordBytes}", e);
        }
        catch (ProduceException<Null, byte[]> e)
        {
            _metrics.ProduceFailures.Add(1, _channelTag, kind, new KeyValuePair<string, object?>("error", e.Error.Code.ToString()));
            var reason = $"the Kafka brokers ({Brokers}) did not acknowledge the record for topic {_topic}: {e.Error.Reason} ({e.Error.Code})";
            Unavailable(reason);
            throw new KafkaUnavailableException(reason, e);
        }
    }

    private static int EnvelopeBytes(KafkaMessage message, byte[] record) =>
        message.TypeCase == KafkaMessage.TypeOneofCase.Regular ? message.Regular.Payload.Length : record.Length;

    /// <summary>
    /// Re-orders a message the processor checked again. One too large to post (a recomputed config envelope can outgrow
    /// the update it came from) is dropped with a warning, as one that no longer passes its checks is: retrying could not
    /// help, and stopping would let one envelope halt the channel.
    /// </summary>
    private async Task RepostAsync(KafkaMessage message, CancellationToken cancellationToken)
    {
        try
        {
            await PostAsync(message, cancellationToken).ConfigureAwait(false);
        }
        catch (EnvelopeTooLargeException e)
        {
            LogRepostTooLarge(_logger, _topic, message.Regular.OriginalOffset, e.Message);
        }
    }

    private Task PostConnectAsync(CancellationToken cancellationToken) =>
        PostAsync(new KafkaMessage { Connect = new KafkaMessageConnect { Payload = ByteString.CopyFromUtf8(_options.OrdererName) } }, cancellationToken);

    private static string KindOf(KafkaMessage message) => message.TypeCase switch
    {
        KafkaMessage.TypeOneofCase.Regular when message.Regular.Class == KafkaMessageRegular.Types.Class.Config => "config",
        KafkaMessage.TypeOneofCase.Regular => "regular",
        KafkaMessage.TypeOneofCase.TimeToCut => "ttc",
        KafkaMessage.TypeOneofCase.Connect => "connect",
        _ => "other",
    };

    /// <summary>Stops the channel for good, logging the first reason once.</summary>
    private void Stop(string reason)
    {
        if (Interlocked.CompareExchange(ref _fatal, reason, null) is null)
        {
            LogStopped(_logger, _topic, reason);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _metrics.Remove(this);
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loopEnded.Task.ConfigureAwait(false);
        }

        if (Volatile.Read(ref _reconnecting) is { } reconnecting)
        {
            await reconnecting.ConfigureAwait(false);
        }

        _producer.Flush(TimeSpan.FromSeconds(5));
        _producer.Dispose();
        _stopping.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Channel {Channel}: dropped the re-checked message from offset {Offset}: {Reason}")]
    private static partial void LogRepostTooLarge(ILogger logger, string channel, long offset, string reason);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Channel {Channel}: the Kafka consenter stopped; Broadcast answers SERVICE_UNAVAILABLE: {Reason}")]
    private static partial void LogStopped(ILogger logger, string channel, string reason);
}
