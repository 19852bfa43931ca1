using FnzChain.Identity.Channels;
using FnzChain.Orderer.Consensus;
using FnzChain.Orderer.Consensus.Solo;
using FnzChain.Protos.Common;
using FnzChain.Protos.Orderer;
using Google.Protobuf;
using Microsoft.Extensions.Logging.Abstractions;

namespace FnzChain.Orderer.Tests.Consensus;

/// <summary>
/// The solo consenter orders what it acknowledges; once it cannot write a block it stops acknowledging; batch settings
/// changed by the configuration apply to the next batch; an envelope checked against an older configuration is checked
/// again before it is ordered.
/// </summary>
public sealed class SoloConsenterTests
{
    private static OrdererSettings Settings(uint maxMessageCount, TimeSpan timeout) => new(
        "solo", new BatchSize { MaxMessageCount = maxMessageCount, PreferredMaxBytes = 1024, AbsoluteMaxBytes = 4096 }, timeout, [], [], 0);

    private static Envelope Envelope(string text) => new() { Payload = ByteString.CopyFromUtf8(text) };

    private static string Text(byte[] envelope) => FnzChain.Protos.Common.Envelope.Parser.ParseFrom(envelope).Payload.ToStringUtf8();

    /// <summary>A channel as the consenter sees it: settings and sequence the test changes, blocks kept in memory.</summary>
    private sealed class Support(bool fail = false) : IConsenterSupport
    {
        public List<IReadOnlyList<string>> Blocks { get; } = [];

        public List<string> Rechecked { get; } = [];

        public string ChannelId => "funds";

        public OrdererSettings Settings { get; set; } = SoloConsenterTests.Settings(1, TimeSpan.FromMilliseconds(50));

        public ulong ConfigSequence { get; set; }

        public ulong Height => (ulong)BlockCount + 1;

        public int BlockCount
        {
            get
            {
                lock (Blocks)
                {
                    return Blocks.Count;
                }
            }
        }

        /// <summary>"bad …" no longer passes; anything else passes, marked as checked again.</summary>
        public Recheck Recheck(Envelope envelope, bool isConfig)
        {
            var text = envelope.Payload.ToStringUtf8();
            Rechecked.Add(text);
            return text.StartsWith("bad", StringComparison.Ordinal) ? FnzChain.Orderer.Consensus.Recheck.Refused("FORBIDDEN: no longer a writer") : FnzChain.Orderer.Consensus.Recheck.Ok(Envelope($"{text} (rechecked)"));
        }

        public Task<Block?> WriteAsync(IReadOnlyList<byte[]> envelopes, bool isConfig, ByteString consenterMetadata, CancellationToken cancellationToken)
        {
            if (fail)
            {
                throw new IOException("disk full");
            }

            Assert.That(consenterMetadata.IsEmpty, Is.True, "solo records no consenter metadata");
            lock (Blocks)
            {
                Blocks.Add([.. envelopes.Select(Text)]);
            }

            return Task.FromResult<Block?>(new Block());
        }
    }

    private static async Task UntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), "condition not reached in 10 s");
            await Task.Delay(10);
        }
    }

    private static IConsenter Solo(Support support) => new ConsenterRegistry([new SoloConsenterFactory()]).Create("solo", support, ByteString.Empty, NullLogger.Instance);

    [Test]
    public async Task Acknowledged_envelopes_are_ordered_in_arrival_order()
    {
        var support = new Support();
        await using var consenter = Solo(support);
        consenter.Start();

        for (var i = 0; i < 5; i++)
        {
            await consenter.OrderAsync(Envelope($"envelope {i}"), 0, isConfig: false, CancellationToken.None);
        }

        await UntilAsync(() => support.BlockCount == 5);
        Assert.That(support.Blocks.Select(b => b.Single()), Is.EqualTo(Enumerable.Range(0, 5).Select(i => $"envelope {i}")));
        Assert.That(consenter.Fault, Is.Null);
        Assert.That(support.Rechecked, Is.Empty, "nothing was checked again while the configuration stayed the same");
    }

    [Test]
    public async Task When_a_block_write_fails_it_stops_acknowledging_and_says_why()
    {
        await using var consenter = Solo(new Support(fail: true));
        consenter.Start();

        await consenter.OrderAsync(Envelope("envelope 0"), 0, isConfig: false, CancellationToken.None);
        await UntilAsync(() => consenter.Fault is not null);

        Assert.That(consenter.Fault, Is.EqualTo("ordering stopped: writing a block failed: IOException: disk full"));
        Assert.That(async () => await consenter.OrderAsync(Envelope("envelope 1"), 0, isConfig: false, CancellationToken.None),
            Throws.InvalidOperationException.With.Message.EqualTo("ordering stopped: writing a block failed: IOException: disk full"));
    }

    [Test]
    public async Task Batch_settings_changed_by_the_configuration_apply_to_the_next_batch()
    {
        var support = new Support();
        await using var consenter = Solo(support);
        consenter.Start();
        await consenter.OrderAsync(Envelope("alone"), 0, isConfig: false, CancellationToken.None);
        await UntilAsync(() => support.BlockCount == 1);

        support.Settings = Settings(3, TimeSpan.FromMinutes(10)); // as a config block would
        foreach (var text in new[] { "a", "b", "c" })
        {
            await consenter.OrderAsync(Envelope(text), 0, isConfig: false, CancellationToken.None);
        }

        await UntilAsync(() => support.BlockCount == 2);
        Assert.That(support.Blocks[1], Is.EqualTo(new[] { "a", "b", "c" }), "three to a block, cut by count (the ten-minute timeout never fired)");
    }

    [Test]
    public async Task An_envelope_checked_against_an_older_configuration_is_checked_again_and_dropped_if_it_no_longer_passes()
    {
        var support = new Support { ConfigSequence = 2 };
        await using var consenter = Solo(support);
        consenter.Start();

        await consenter.OrderAsync(Envelope("bad: its creator's org was removed"), 1, isConfig: false, CancellationToken.None);
        await consenter.OrderAsync(Envelope("good"), 1, isConfig: false, CancellationToken.None);
        await consenter.OrderAsync(Envelope("current"), 2, isConfig: false, CancellationToken.None);
        await UntilAsync(() => support.BlockCount == 2);

        Assert.That(support.Rechecked, Is.EqualTo(new[] { "bad: its creator's org was removed", "good" }));
        Assert.That(support.Blocks.Select(b => b.Single()), Is.EqualTo(new[] { "good (rechecked)", "current" }));
    }
}
