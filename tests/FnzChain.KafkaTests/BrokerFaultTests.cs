using Confluent.Kafka;

namespace FnzChain.KafkaTests;

/// <summary>
/// Broker faults while an idempotent producer produces and a consumer reads: every acknowledged message is read once,
/// in order. Fault injection needs the mock cluster host (ignored on a real cluster).
/// </summary>
/// <remarks>
/// The faults are restricted to what the mock models faithfully. Its idempotence checks (producer id and sequence)
/// run only for transactional producers (<c>rd_kafka_mock_validate_records</c> returns early without a
/// TransactionalId), so a Produce it appended but whose answer the client never got is appended again when retried:
/// a duplicate a real broker would have refused. Taking the leader down with Produce requests in flight, injected
/// NOT_LEADER_OR_FOLLOWER and long RTTs with a leader change all risk that, so the leader goes down here only between
/// acknowledged batches; a leader move with requests in flight is safe, because the old leader refuses them
/// (NOT_LEADER_OR_FOLLOWER) without appending.
/// </remarks>
[Category("Kafka")]
public sealed class BrokerFaultTests
{
    private const int Batch = 300;
    private TestKafka _kafka = null!;

    [SetUp]
    public async Task SetUp() => _kafka = await TestKafka.StartAsync(brokers: 3);

    [TearDown]
    public async Task TearDown()
    {
        if (TestContext.CurrentContext.Result.Outcome.Status == NUnit.Framework.Interfaces.TestStatus.Failed)
        {
            TestContext.Out.WriteLine(_kafka.HostLog);
        }

        await _kafka.DisposeAsync();
    }

    [Test]
    public async Task Every_acknowledged_message_is_read_once_in_order_through_leader_moves_and_broker_restarts()
    {
        var mock = _kafka.RequireMock();
        // Partition 0 of a 3-replica topic starts led by broker 1.
        var topic = await _kafka.CreateTopicAsync(partitions: 1, replication: 3);
        using var producer = KafkaClients.IdempotentProducer(_kafka.Bootstrap);
        var expected = int.MaxValue;
        using var stopReading = new CancellationTokenSource();
        var reading = KafkaClients.ReadAsync(_kafka.Bootstrap, topic, fromOffset: 0, () => Volatile.Read(ref expected), stopReading.Token);
        var sent = new List<Task<DeliveryResult<Null, string>>>();

        async Task ProduceBatchAsync(Func<Task> whileInFlight)
        {
            var batch = KafkaClients.Start(producer, topic, sent.Count, Batch);
            sent.AddRange(batch);
            await whileInFlight();
            await Task.WhenAll(batch);
        }

        DeliveryResult<Null, string>[] delivered;
        try
        {
            await ProduceBatchAsync(() => Task.CompletedTask);
            // The leader moves with requests in flight: the old leader refuses them, the producer finds the new one.
            await ProduceBatchAsync(() => mock.CommandAsync($"leader {topic} 0 2"));
            // A follower goes down and comes back while the leader takes the batch.
            await ProduceBatchAsync(async () =>
            {
                await mock.CommandAsync("down 3");
                await mock.CommandAsync("up 3");
            });
            // The leader goes down (nothing in flight: the previous batch is acknowledged), the next batch waits in the
            // producer, leadership fails over to broker 3, and broker 2 comes back.
            await mock.CommandAsync("down 2");
            await ProduceBatchAsync(() => mock.CommandAsync($"leader {topic} 0 3"));
            await mock.CommandAsync("up 2");
            // Every broker down (nothing in flight), a batch handed to the producer meanwhile, then all back.
            await mock.CommandAsync("down all");
            await ProduceBatchAsync(() => mock.CommandAsync("up all"));
            await ProduceBatchAsync(() => Task.CompletedTask);
            delivered = await Task.WhenAll(sent);
        }
        catch
        {
            // The reader must not outlive the cluster.
            await stopReading.CancelAsync();
            throw;
        }

        Volatile.Write(ref expected, delivered.Length);
        var read = await reading;

        Assert.Multiple(() =>
        {
            Assert.That(delivered.Select(d => d.Offset.Value), Is.EqualTo(Enumerable.Range(0, sent.Count).Select(i => (long)i)),
                "each message acknowledged once, at an offset in produce order");
            Assert.That(read.Select(r => r.Message.Value), Is.EqualTo(delivered.Select(d => d.Message.Value)), "read once each, in order");
            Assert.That(KafkaClients.HighWatermark(_kafka.Bootstrap, topic), Is.EqualTo(delivered.Length), "no extra copies in the log");
        });
    }
}
