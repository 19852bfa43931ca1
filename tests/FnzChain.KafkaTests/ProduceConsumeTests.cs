using Confluent.Kafka;

namespace FnzChain.KafkaTests;

/// <summary>
/// What the Kafka consenter relies on, on a fault-free cluster of three brokers: an idempotent producer's messages land
/// in one partition in the order produced, and a consumer that assigns itself an offset reads from exactly there.
/// </summary>
[Category("Kafka")]
public sealed class ProduceConsumeTests
{
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
    public async Task Idempotent_producer_messages_are_read_back_once_each_in_the_order_produced()
    {
        const int Count = 2_000;
        var topic = await _kafka.CreateTopicAsync(partitions: 1, replication: 3);
        using var producer = KafkaClients.IdempotentProducer(_kafka.Bootstrap);

        var delivered = await KafkaClients.ProduceAsync(producer, topic, first: 0, Count);
        var read = await KafkaClients.ReadAsync(_kafka.Bootstrap, topic, fromOffset: 0, Count);

        Assert.Multiple(() =>
        {
            Assert.That(delivered.Select(d => d.Offset.Value), Is.EqualTo(Enumerable.Range(0, Count).Select(i => (long)i)), "acknowledged at offsets in produce order");
            Assert.That(read.Select(r => r.Message.Value), Is.EqualTo(Enumerable.Range(0, Count).Select(KafkaClients.Payload)), "read back in order, each once");
            Assert.That(read.Select(r => r.Offset.Value), Is.EqualTo(Enumerable.Range(0, Count).Select(i => (long)i)));
            Assert.That(KafkaClients.HighWatermark(_kafka.Bootstrap, topic), Is.EqualTo(Count), "no extra copies in the log");
        });
    }

    [Test]
    public async Task A_consumer_resuming_from_a_stored_offset_reads_exactly_the_messages_from_there_on()
    {
        const int Count = 100;
        const int FirstRead = 40;
        var topic = await _kafka.CreateTopicAsync(partitions: 1, replication: 3);
        using (var producer = KafkaClients.IdempotentProducer(_kafka.Bootstrap))
        {
            await KafkaClients.ProduceAsync(producer, topic, first: 0, Count);
        }

        // The first reader stops part way; the offset after its last message is what it stores (the ledger, later).
        var firstPart = await KafkaClients.ReadAsync(_kafka.Bootstrap, topic, fromOffset: 0, FirstRead);
        Assert.That(firstPart, Has.Count.EqualTo(FirstRead));
        var stored = firstPart[^1].Offset.Value + 1;

        var rest = await KafkaClients.ReadAsync(_kafka.Bootstrap, topic, stored, Count - FirstRead);

        Assert.Multiple(() =>
        {
            Assert.That(stored, Is.EqualTo(FirstRead));
            Assert.That(rest.Select(r => r.Offset.Value), Is.EqualTo(Enumerable.Range(FirstRead, Count - FirstRead).Select(i => (long)i)));
            Assert.That(rest.Select(r => r.Message.Value), Is.EqualTo(Enumerable.Range(FirstRead, Count - FirstRead).Select(KafkaClients.Payload)));
        });
    }
}
