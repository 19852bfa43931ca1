using Confluent.Kafka;
using FnzChain.Orderer.Kafka;
using FnzChain.Protos.Common;
using FnzChain.Protos.Orderer;
using Google.Protobuf;
using Microsoft.Extensions.Logging;

namespace FnzChain.KafkaTests;

/// <summary>
/// Records on a channel's topic that no orderer should have posted, end to end through two real consenters: a record
/// that is not a KafkaMessage (a stray producer), a TIME_TO_CUT for a past block and one for a far-future block. Each
/// orderer skips them — the stray and the future TIME_TO_CUT logged once, naming the offset; a late TIME_TO_CUT is
/// routine (every orderer posts one per block, the first wins) and skipped silently — and both go on cutting the same
/// blocks, with no fault. (The decisions record by record: KafkaChainProcessorTests in FnzChain.Orderer.Tests.)
/// </summary>
[Category("Kafka")]
public sealed class KafkaStrayRecordTests
{
    private static readonly KafkaConsenterOptions Options = new() { ProduceTimeout = TimeSpan.FromSeconds(3), OrdererName = "test" };

    private static Envelope Envelope(string text) => new() { Payload = ByteString.CopyFromUtf8(text) };

    [Test]
    public async Task A_stray_record_and_past_and_future_time_to_cuts_are_skipped_without_a_fork_or_a_stop()
    {
        await using var kafka = await TestKafka.StartAsync(brokers: 3);
        var topic = await kafka.CreateTopicAsync(partitions: 1, replication: 3);
        using var metrics = new KafkaMetrics();
        var orderers = Enumerable.Range(0, 2).Select(_ => (Channel: new InMemoryChannel(topic, kafka.Bootstrap), Logger: new ListLogger())).ToList();
        var consenters = orderers.Select(o => new KafkaConsenter(o.Channel, ByteString.Empty, Options, metrics, o.Logger)).ToList();
        try
        {
            consenters.ForEach(c => c.Start());
            for (var i = 0; i < 3; i++)
            {
                await consenters[0].OrderAsync(Envelope($"before-{i}"), 0, isConfig: false, CancellationToken.None);
            }

            using var stranger = new ProducerBuilder<Null, byte[]>(new ProducerConfig { BootstrapServers = kafka.Bootstrap, Acks = Acks.All }).Build();
            async Task<long> WriteAsync(byte[] value) => (await stranger.ProduceAsync(topic, new Message<Null, byte[]> { Value = value })).Offset.Value;
            var stray = await WriteAsync("not a kafka message"u8.ToArray());
            var past = await WriteAsync(new KafkaMessage { TimeToCut = new KafkaMessageTimeToCut { BlockNumber = 0 } }.ToByteArray());
            var future = await WriteAsync(new KafkaMessage { TimeToCut = new KafkaMessageTimeToCut { BlockNumber = 1_000_000 } }.ToByteArray());
            for (var i = 0; i < 12; i++)
            {
                await consenters[i % 2].OrderAsync(Envelope($"after-{i:D2}"), 0, isConfig: false, CancellationToken.None);
            }

            await KafkaConsenterTests.UntilAsync(() => orderers.All(o => o.Channel.Envelopes.Count == 15), "both orderers have all 15 envelopes in blocks");

            Assert.Multiple(() =>
            {
                Assert.That(orderers[1].Channel.Blocks.Select(b => string.Join(",", b.Envelopes)), Is.EqualTo(orderers[0].Channel.Blocks.Select(b => string.Join(",", b.Envelopes))), "the same blocks: no fork");
                Assert.That(orderers[1].Channel.Blocks.Select(b => b.Metadata), Is.EqualTo(orderers[0].Channel.Blocks.Select(b => b.Metadata)));
                Assert.That(consenters.Select(c => c.Fault), Has.All.Null, "no stop");
                foreach (var (_, logger) in orderers)
                {
                    Assert.That(logger.At(LogLevel.Warning, $"skipped the record at offset {stray} "), Has.Count.EqualTo(1), "the stray record, once");
                    Assert.That(logger.At(LogLevel.Error, $"ignored the TIME_TO_CUT at offset {future} for block 1000000"), Has.Count.EqualTo(1), "the future TIME_TO_CUT, once");
                    Assert.That(logger.Lines.Where(l => l.Level >= LogLevel.Warning && l.Message.Contains($"offset {past} ", StringComparison.Ordinal)), Is.Empty, "the late TIME_TO_CUT, silently");
                    Assert.That(logger.Lines.Where(l => l.Level >= LogLevel.Warning && !l.Message.Contains("could not check the Kafka settings", StringComparison.Ordinal)).ToList(), Has.Count.EqualTo(2), "those two, nothing more");
                }
            });
        }
        finally
        {
            foreach (var consenter in consenters)
            {
                await consenter.DisposeAsync();
            }
        }
    }
}
