using FnzChain.Identity.Channels;
using FnzChain.Orderer.Consensus;
using FnzChain.Orderer.Consensus.Kafka;
using FnzChain.Protos.Common;
using FnzChain.Protos.Orderer;
using Google.Protobuf;
using Microsoft.Extensions.Logging.Abstractions;

namespace FnzChain.Orderer.Tests.Consensus;

/// <summary>
/// The Kafka consenter's block decisions, from a topic's records alone: orderers reading the same records cut identical
/// blocks (including re-checked messages, late and future TIME_TO_CUTs, stray records and config blocks), and an orderer
/// restarted after any block resumes from its metadata to the same chain, with no gap and no duplicate.
/// </summary>
public sealed class KafkaChainProcessorTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 9, 0, 0, TimeSpan.Zero);

    /// <summary>A channel on one orderer: blocks kept in memory; a config block moves the sequence on.</summary>
    private sealed class Channel(string orderer, uint maxMessageCount = 3, uint preferredMaxBytes = 1024) : IConsenterSupport
    {
        public List<(List<string> Envelopes, bool IsConfig, KafkaMetadata Metadata)> Blocks { get; } = [];

        public string ChannelId => "funds";

        public OrdererSettings Settings { get; } = new(
            "kafka", new BatchSize { MaxMessageCount = maxMessageCount, PreferredMaxBytes = preferredMaxBytes, AbsoluteMaxBytes = 1 << 20 }, TimeSpan.FromSeconds(1), [], [], 0);

        public ulong ConfigSequence { get; private set; }

        public ulong Height => (ulong)Blocks.Count + 1; // block 0 is the genesis block

        /// <summary>"bad …" no longer passes; anything else passes, changed as this orderer would change it (it signs a recomputed config).</summary>
        public Recheck Recheck(Envelope envelope, bool isConfig)
        {
            var text = envelope.Payload.ToStringUtf8();
            return text.StartsWith("bad", StringComparison.Ordinal)
                ? FnzChain.Orderer.Consensus.Recheck.Refused("FORBIDDEN: no longer a writer")
                : FnzChain.Orderer.Consensus.Recheck.Ok(new Envelope { Payload = ByteString.CopyFromUtf8($"{text} (rechecked by {orderer})") });
        }

        public Task<Block?> WriteAsync(IReadOnlyList<byte[]> envelopes, bool isConfig, ByteString consenterMetadata, CancellationToken cancellationToken)
        {
            Blocks.Add(([.. envelopes.Select(e => Envelope.Parser.ParseFrom(e).Payload.ToStringUtf8())], isConfig, KafkaMetadata.Parser.ParseFrom(consenterMetadata)));
            if (isConfig)
            {
                ConfigSequence++;
            }

            return Task.FromResult<Block?>(new Block());
        }

        /// <summary>The blocks as comparable text (data and metadata).</summary>
        public IEnumerable<string> Chain => Blocks.Select(b => $"{(b.IsConfig ? "config " : string.Empty)}[{string.Join(", ", b.Envelopes)}] {b.Metadata}");
    }

    /// <summary>A single-partition topic: records appended in order; the offset is the index.</summary>
    private sealed class Topic
    {
        public List<byte[]> Records { get; } = [];

        public Task PostAsync(KafkaMessage message, CancellationToken cancellationToken)
        {
            Records.Add(message.ToByteArray());
            return Task.CompletedTask;
        }

        public Topic With(params KafkaMessage[] messages)
        {
            Records.AddRange(messages.Select(m => m.ToByteArray()));
            return this;
        }

        public Topic WithRaw(byte[] record)
        {
            Records.Add(record);
            return this;
        }
    }

    private static KafkaMessage Regular(string text, ulong configSequence = 0, bool config = false) => new()
    {
        Regular = new KafkaMessageRegular
        {
            Payload = new Envelope { Payload = ByteString.CopyFromUtf8(text) }.ToByteString(),
            ConfigSeq = configSequence,
            Class = config ? KafkaMessageRegular.Types.Class.Config : KafkaMessageRegular.Types.Class.Normal,
        },
    };

    private static KafkaMessage? Parsed(byte[] record)
    {
        try
        {
            return KafkaMessage.Parser.ParseFrom(record);
        }
        catch (InvalidProtocolBufferException)
        {
            return null; // the stray record
        }
    }

    private static KafkaMessage TimeToCut(ulong block) => new() { TimeToCut = new KafkaMessageTimeToCut { BlockNumber = block } };

    private static KafkaMessage Connect() => new() { Connect = new KafkaMessageConnect() };

    private static KafkaChainProcessor Processor(Channel channel, Topic topic, ByteString? resume = null) =>
        new(channel, resume ?? ByteString.Empty, topic.PostAsync, NullLogger.Instance);

    /// <summary>
    /// Runs every processor over the topic in order, interleaved record by record as orderers consuming together would,
    /// until no one has anything left (re-ordered records are appended while they run), from each one's next offset.
    /// </summary>
    private static async Task ConsumeAsync(Topic topic, params KafkaChainProcessor[] processors)
    {
        var positions = processors.Select(p => p.NextOffset).ToArray();
        for (var progressed = true; progressed;)
        {
            progressed = false;
            for (var i = 0; i < processors.Length; i++)
            {
                if (positions[i] < topic.Records.Count)
                {
                    await processors[i].ProcessAsync(positions[i], topic.Records[(int)positions[i]], Now, CancellationToken.None);
                    positions[i]++;
                    progressed = true;
                }
            }
        }
    }

    /// <summary>Everything the stream can hold: connects, a count cut, a TIME_TO_CUT (and its late twin), a stray record, a TIME_TO_CUT from the future, a config block, stale messages.</summary>
    private static Topic Stream() => new Topic()
        .With(Connect(), Connect(), Regular("t1"), Regular("t2"), Regular("t3"), Regular("t4"), TimeToCut(2), TimeToCut(2))
        .WithRaw("not a kafka message"u8.ToArray())
        .With(Regular("t5"), TimeToCut(99), Regular("config 1", config: true), Regular("t6 checked at sequence 0"), Regular("bad: its org was removed"), Regular("t7", configSequence: 1))
        .With(TimeToCut(4), Regular("t8", configSequence: 1), TimeToCut(5));

    [Test]
    public async Task Two_orderers_reading_one_topic_cut_identical_blocks()
    {
        var topic = Stream();
        var (a, b) = (new Channel("orderer1"), new Channel("orderer2"));

        var (processorA, processorB) = (Processor(a, topic), Processor(b, topic));
        await ConsumeAsync(topic, processorA, processorB);
        await topic.PostAsync(TimeToCut(6), CancellationToken.None); // the batch the re-ordered t6 started times out
        await ConsumeAsync(topic, processorA, processorB);

        Assert.That(b.Chain, Is.EqualTo(a.Chain), "byte-identical block data and metadata on both orderers");
        Assert.That(a.Blocks.Select(x => string.Join(",", x.Envelopes)), Is.EqualTo(new[]
        {
            "t1,t2,t3",                    // max_message_count 3
            "t4",                          // TIME_TO_CUT 2 (its twin, late, ignored; the stray record skipped)
            "t5",                          // cut before the config block (TIME_TO_CUT 99 ignored)
            "config 1",                    // a block of its own
            "t7,t8",                       // TIME_TO_CUT 4 came late (block 4 was the config block); TIME_TO_CUT 5 cuts; "bad" dropped
            "t6 checked at sequence 0 (rechecked by orderer1)", // re-ordered after the stream so far, once (orderer2's copy skipped)
        }));
        Assert.That(a.Blocks[^1].Metadata.LastOffsetPersisted, Is.EqualTo(topic.Records.Count - 1), "the last block ends the stream");
        Assert.That(topic.Records.Count(r => Parsed(r)?.Regular?.OriginalOffset > 0), Is.EqualTo(2), "each orderer re-posted t6 once");
    }

    [Test]
    public async Task An_orderer_restarted_after_any_block_resumes_from_its_metadata_to_the_same_chain()
    {
        var reference = new Channel("orderer1");
        var topic = Stream();
        var processor = Processor(reference, topic);
        await ConsumeAsync(topic, processor);
        await topic.PostAsync(TimeToCut(6), CancellationToken.None);
        await ConsumeAsync(topic, processor);
        var records = topic.Records.ToList();
        Assert.That(reference.Blocks, Has.Count.EqualTo(6));

        for (var crashAfter = 1; crashAfter < reference.Blocks.Count; crashAfter++)
        {
            // The same records again (re-posts included, as the topic holds them), up to the crash after block crashAfter.
            var replay = new Topic();
            replay.Records.AddRange(records);
            var channel = new Channel("orderer1");
            var first = Processor(channel, new Topic()); // its re-posts are already in the topic
            for (var offset = 0; channel.Blocks.Count < crashAfter; offset++)
            {
                await first.ProcessAsync(offset, replay.Records[offset], Now, CancellationToken.None);
            }

            var resumed = Processor(channel, new Topic(), channel.Blocks[^1].Metadata.ToByteString());
            Assert.That(resumed.NextOffset, Is.EqualTo(channel.Blocks[^1].Metadata.LastOffsetPersisted + 1));
            for (var offset = resumed.NextOffset; offset < replay.Records.Count; offset++)
            {
                await resumed.ProcessAsync(offset, replay.Records[(int)offset], Now, CancellationToken.None);
            }

            Assert.That(channel.Chain, Is.EqualTo(reference.Chain), $"crash after block {crashAfter}: no gap, no duplicate");
        }
    }

    [Test]
    public async Task A_batch_cut_before_the_record_that_overflowed_it_persists_only_up_to_the_record_before()
    {
        var topic = new Topic().With(Regular("small"), Regular(new string('x', 200)));
        var channel = new Channel("orderer1", maxMessageCount: 10, preferredMaxBytes: 100);

        await ConsumeAsync(topic, Processor(channel, topic));

        Assert.That(channel.Blocks.Select(b => (b.Envelopes.Count, b.Metadata.LastOffsetPersisted)), Is.EqualTo(new[] { (1, 0L), (1, 1L) }),
            "the pending batch is persisted up to offset 0; the oversized record goes alone, persisted at its own offset");
    }

    [Test]
    public async Task The_batch_timeout_is_a_deadline_for_posting_time_to_cut_not_a_local_cut()
    {
        var topic = new Topic().With(Regular("t1"));
        var channel = new Channel("orderer1");
        var processor = Processor(channel, topic);

        await ConsumeAsync(topic, processor);

        Assert.That(channel.Blocks, Is.Empty, "nothing is cut until the stream says so");
        Assert.That(processor.CutDeadline, Is.EqualTo(Now + TimeSpan.FromSeconds(1)));
        Assert.That(processor.NextBlockNumber, Is.EqualTo(1UL), "the TIME_TO_CUT to post names block 1");
    }

    [Test]
    public void Consenter_metadata_that_is_not_kafka_metadata_refuses_to_start()
    {
        Assert.That(() => Processor(new Channel("orderer1"), new Topic(), ByteString.CopyFrom(0xff, 0xff)),
            Throws.InvalidOperationException.With.Message.Contains("refusing to guess where to resume"));
    }
}
