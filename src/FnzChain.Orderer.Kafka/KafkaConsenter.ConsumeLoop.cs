using Confluent.Kafka;
using FnzChain.Protos.Orderer;

namespace FnzChain.Orderer.Kafka;

/// <summary>
/// The consume loop, on a thread of its own: <c>consumer.Consume</c> blocks, so it must never hold a pool thread. The
/// processor's async calls (writing a block, re-posting a record) are waited for here, synchronously — their
/// continuations run on the pool; this thread only waits, and backs off there while the brokers do not answer.
/// </summary>
public sealed partial class KafkaConsenter
{
    private void RunLoop()
    {
        var cancellationToken = _stopping.Token;
        try
        {
            if (!Connect(cancellationToken))
            {
                return;
            }

            using var consumer = new ConsumerBuilder<Ignore, byte[]>(new ConsumerConfig
            {
                BootstrapServers = Brokers,
                GroupId = $"fnzchain-{_options.OrdererName}-{_topic}-{Guid.NewGuid():N}", // never committed to: the ledger is the offset store
                EnableAutoCommit = false,
                EnableAutoOffsetStore = false,
                AutoOffsetReset = AutoOffsetReset.Error,
                EnablePartitionEof = false,
                ReconnectBackoffMaxMs = 1000,
                FetchWaitMaxMs = _options.FetchWaitMs, // see KafkaConsenterOptions.FetchWaitMs: short for the mock cluster, long for a real one
                SocketNagleDisable = true,
                ClientId = $"fnzchain-{_options.OrdererName}-{_topic}",
            })
                .SetErrorHandler((_, error) => OnConsumerError(error))
                .SetLogHandler((_, _) => { })
                .Build();
            consumer.Assign(new TopicPartitionOffset(_topic, 0, new Offset(_processor.NextOffset)));
            lock (_consumerGate)
            {
                _consumer = consumer;
            }

            try
            {
                Consume(consumer, cancellationToken);
            }
            finally
            {
                lock (_consumerGate)
                {
                    _consumer = null;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            // Nothing may escape a thread of our own: it would end the process.
            Stop($"ordering stopped: {e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}");
        }
        finally
        {
            _loopEnded.TrySetResult();
        }
    }

    /// <summary>
    /// Checks the topic (retried with back-off until the brokers answer) and its settings, then posts CONNECT (retried
    /// likewise); false when the topic or its settings are unfit and the channel stopped.
    /// </summary>
    private bool Connect(CancellationToken cancellationToken)
    {
        TopicMetadata? topic = null;
        Retrying("connect", _ => topic = CheckTopic(), cancellationToken);
        if (topic is null || !CheckSettings(topic))
        {
            return false;
        }

        Retrying("connect", attempt => PostConnectAsync(attempt).GetAwaiter().GetResult(), cancellationToken);
        Volatile.Write(ref _connected, true);
        return true;
    }

    private void Consume(IConsumer<Ignore, byte[]> consumer, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var result = consumer.Consume(TimeSpan.FromMilliseconds(50));
                if (result?.Message is { } record)
                {
                    // Only a re-post can fail here, and it is the record's last step: processing the record again
                    // (once the brokers answer) posts it again, so a re-ordered message is never lost.
                    var (offset, now) = (result.Offset.Value, DateTimeOffset.UtcNow);
                    Retrying("repost", attempt => _processor.ProcessAsync(offset, record.Value ?? [], now, attempt).GetAwaiter().GetResult(), cancellationToken);
                    Interlocked.Exchange(ref _lastProcessed, offset);
                }

                Retrying("ttc", TimeToCutIfDue, cancellationToken);
            }
            catch (ConsumeException e) when (e.Error.Code == ErrorCode.OffsetOutOfRange)
            {
                Stop($"the topic {_topic} no longer holds offset {_processor.NextOffset}, where this orderer must resume (retention?); refusing to skip records");
                return;
            }
            catch (ConsumeException e)
            {
                OnConsumerError(e.Error);
            }
        }
    }

    /// <summary>
    /// The consumer's errors reach it only when it is polled — late, after a retry that held the loop — so only the
    /// producer's (delivered as they happen) say whether the brokers answer; a fatal consumer error stops the channel.
    /// </summary>
    private void OnConsumerError(Error error)
    {
        if (error.IsFatal)
        {
            Stop($"the Kafka consumer failed for good: {error.Reason} ({error.Code})");
        }
    }

    /// <summary>Posts TIME_TO_CUT for the next block once its batch timeout expired (once per block).</summary>
    private void TimeToCutIfDue(CancellationToken cancellationToken)
    {
        var next = _processor.NextBlockNumber;
        if (_processor.CutDeadline is { } deadline && deadline <= DateTimeOffset.UtcNow && _timeToCutPostedFor != next)
        {
            PostAsync(new KafkaMessage { TimeToCut = new KafkaMessageTimeToCut { BlockNumber = next } }, cancellationToken).GetAwaiter().GetResult();
            _timeToCutPostedFor = next;
        }
    }

    /// <summary>
    /// The channel's topic must exist (a <see cref="KafkaUnavailableException"/> until it does) with exactly one partition
    /// (more would let orderers see different orders: null, and the channel stopped).
    /// </summary>
    private TopicMetadata? CheckTopic()
    {
        Metadata metadata;
        try
        {
            using var admin = new DependentAdminClientBuilder(_producer.Handle).Build();
            metadata = admin.GetMetadata(_topic, _options.RequestTimeout);
        }
        catch (KafkaException e)
        {
            throw Unanswered($"the Kafka brokers ({Brokers}) did not answer a metadata request for topic {_topic}: {e.Error.Reason} ({e.Error.Code})", e);
        }

        var topic = metadata.Topics.SingleOrDefault(t => t.Topic == _topic);
        if (topic is null || topic.Error.IsError)
        {
            var error = topic?.Error.Code ?? ErrorCode.UnknownTopicOrPart;
            throw Unanswered(error == ErrorCode.UnknownTopicOrPart
                ? $"the topic {_topic} does not exist on the Kafka brokers ({Brokers}); create it with one partition and replication factor 3"
                : $"the Kafka brokers ({Brokers}) answered for topic {_topic} with an error: {topic!.Error.Reason} ({error})", null);
        }

        if (topic.Partitions.Count != 1)
        {
            Stop($"the topic {_topic} has {topic.Partitions.Count} partitions; the Kafka consenter needs exactly one (every orderer must read one order)");
            return null;
        }

        return topic;
    }

    private KafkaUnavailableException Unanswered(string reason, Exception? cause)
    {
        Unavailable(reason);
        return new KafkaUnavailableException(reason, cause);
    }
}
