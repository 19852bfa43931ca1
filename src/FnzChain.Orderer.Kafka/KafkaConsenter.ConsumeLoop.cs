using Confluent.Kafka;
using FnzChain.Protos.Orderer;
using Google.Protobuf;

namespace FnzChain.Orderer.Kafka;

/// <summary>
/// The consume loop, on a thread of its own: <c>consumer.Consume</c> blocks, so it must never hold a pool thread. The
/// processor's async calls (writing a block, re-posting a record) are waited for here, synchronously — their
/// continuations run on the pool; this thread only waits.
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
                ClientId = $"fnzchain-{_options.OrdererName}-{_topic}",
            })
                .SetErrorHandler((_, error) => Unreachable(error))
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
    /// Checks the topic and posts CONNECT; failing that (brokers down), says why and consumes anyway. False when the
    /// topic is unfit and the channel stopped.
    /// </summary>
    private bool Connect(CancellationToken cancellationToken)
    {
        try
        {
            if (!CheckTopic())
            {
                return false;
            }

            PostAsync(new KafkaMessage { Connect = new KafkaMessageConnect { Payload = ByteString.CopyFromUtf8(_options.OrdererName) } }, cancellationToken).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is not OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            // Not fatal by itself (brokers may come back); the consumer keeps trying, and Fault says why meanwhile.
            LogNotConnected(_logger, _topic, e.Message);
        }

        return true;
    }

    private void Consume(IConsumer<Ignore, byte[]> consumer, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            ConsumeResult<Ignore, byte[]>? result = null;
            try
            {
                result = consumer.Consume(TimeSpan.FromMilliseconds(50));
                if (result?.Message is { } record)
                {
                    _unreachable = null;
                    _processor.ProcessAsync(result.Offset.Value, record.Value ?? [], DateTimeOffset.UtcNow, cancellationToken).GetAwaiter().GetResult();
                    Interlocked.Exchange(ref _lastProcessed, result.Offset.Value);
                }

                TimeToCutIfDue(cancellationToken);
            }
            catch (ConsumeException e) when (e.Error.Code == ErrorCode.OffsetOutOfRange)
            {
                Stop($"the topic {_topic} no longer holds offset {_processor.NextOffset}, where this orderer must resume (retention?); refusing to skip records");
                return;
            }
            catch (ConsumeException e)
            {
                Unreachable(e.Error);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (InvalidOperationException e) when (e.InnerException is ProduceException<Null, byte[]>)
            {
                // A re-ordered message or a TIME_TO_CUT was not acknowledged (the brokers are down): process that record
                // again once they are back — its re-post must not be lost — and post the TIME_TO_CUT again.
                _timeToCutPostedFor = ulong.MaxValue;
                if (result?.Message is not null)
                {
                    consumer.Seek(new TopicPartitionOffset(_topic, 0, result.Offset));
                }

                cancellationToken.WaitHandle.WaitOne(TimeSpan.FromMilliseconds(500));
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                Stop($"ordering stopped: {e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}");
                return;
            }
        }
    }

    /// <summary>Posts TIME_TO_CUT for the next block once its batch timeout expired (once per block).</summary>
    private void TimeToCutIfDue(CancellationToken cancellationToken)
    {
        var next = _processor.NextBlockNumber;
        if (_processor.CutDeadline is { } deadline && deadline <= DateTimeOffset.UtcNow && _timeToCutPostedFor != next)
        {
            _timeToCutPostedFor = next;
            PostAsync(new KafkaMessage { TimeToCut = new KafkaMessageTimeToCut { BlockNumber = next } }, cancellationToken).GetAwaiter().GetResult();
        }
    }

    /// <summary>The channel's topic must have exactly one partition (more would let orderers see different orders); false when it has more and the channel stopped.</summary>
    private bool CheckTopic()
    {
        using var admin = new DependentAdminClientBuilder(_producer.Handle).Build();
        var metadata = admin.GetMetadata(_topic, TimeSpan.FromSeconds(10));
        var topic = metadata.Topics.SingleOrDefault(t => t.Topic == _topic);
        if (topic is { Error.IsError: false } && topic.Partitions.Count != 1)
        {
            Stop($"the topic {_topic} has {topic.Partitions.Count} partitions; the Kafka consenter needs exactly one (every orderer must read one order)");
            return false;
        }

        return true;
    }
}
