using FnzChain.Identity.Channels;
using FnzChain.Orderer.Consensus;
using FnzChain.Orderer.Consensus.Solo;
using FnzChain.Protos.Common;
using FnzChain.Protos.Orderer;
using Google.Protobuf;
using Microsoft.Extensions.Logging.Abstractions;

namespace FnzChain.Orderer.Tests.Consensus;

/// <summary>The solo consenter orders what it acknowledges, and once it cannot write a block it stops acknowledging.</summary>
public sealed class SoloConsenterTests
{
    private static readonly OrdererSettings Settings = new(
        "solo", new BatchSize { MaxMessageCount = 1, PreferredMaxBytes = 1024, AbsoluteMaxBytes = 4096 }, TimeSpan.FromMilliseconds(50), [], [], 0);

    private static Envelope Envelope(int i) => new() { Payload = ByteString.CopyFromUtf8($"envelope {i}") };

    private sealed class Writer(bool fail) : IBlockWriter
    {
        public List<IReadOnlyList<byte[]>> Blocks { get; } = [];

        public Task<Block?> WriteAsync(IReadOnlyList<byte[]> envelopes, bool isConfig, CancellationToken cancellationToken)
        {
            if (fail)
            {
                throw new IOException("disk full");
            }

            lock (Blocks)
            {
                Blocks.Add(envelopes);
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

    [Test]
    public async Task Acknowledged_envelopes_are_ordered_in_arrival_order()
    {
        var writer = new Writer(fail: false);
        await using var consenter = new SoloConsenter(Settings, writer, NullLogger.Instance);
        consenter.Start();

        for (var i = 0; i < 5; i++)
        {
            await consenter.OrderAsync(Envelope(i), isConfig: false, CancellationToken.None);
        }

        await UntilAsync(() => { lock (writer.Blocks) { return writer.Blocks.Count == 5; } });
        Assert.That(writer.Blocks.Select(b => FnzChain.Protos.Common.Envelope.Parser.ParseFrom(b.Single()).Payload.ToStringUtf8()),
            Is.EqualTo(Enumerable.Range(0, 5).Select(i => $"envelope {i}")));
        Assert.That(consenter.Fault, Is.Null);
    }

    [Test]
    public async Task When_a_block_write_fails_it_stops_acknowledging_and_says_why()
    {
        await using var consenter = new SoloConsenter(Settings, new Writer(fail: true), NullLogger.Instance);
        consenter.Start();

        await consenter.OrderAsync(Envelope(0), isConfig: false, CancellationToken.None);
        await UntilAsync(() => consenter.Fault is not null);

        Assert.That(consenter.Fault, Is.EqualTo("ordering stopped: writing a block failed: IOException: disk full"));
        Assert.That(async () => await consenter.OrderAsync(Envelope(1), isConfig: false, CancellationToken.None),
            Throws.InvalidOperationException.With.Message.EqualTo("ordering stopped: writing a block failed: IOException: disk full"));
    }
}
