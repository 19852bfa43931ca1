using FnzChain.Identity.Channels;
using FnzChain.Orderer.Consensus;
using FnzChain.Protos.Common;
using FnzChain.Protos.Orderer;
using Google.Protobuf;

namespace FnzChain.KafkaTests;

/// <summary>
/// One orderer's view of a channel for the consenter tests: blocks in memory (what the ledger would hold), the channel's
/// settings; with a <see cref="WriteGate"/>, writing a block waits until the test opens it (an orderer that is slow to
/// commit, falling behind the topic).
/// </summary>
internal sealed class InMemoryChannel(string topic, string brokers, TimeSpan? batchTimeout = null, uint maxMessageCount = 10, uint absoluteMaxBytes = 512 * 1024) : IConsenterSupport
{
    private readonly List<(List<string> Envelopes, ByteString Metadata)> _blocks = [];
    private readonly List<(string? Name, bool IsPool)> _writers = [];

    public string ChannelId => topic;

    public OrdererSettings Settings { get; } = new(
        "kafka", new BatchSize { MaxMessageCount = maxMessageCount, PreferredMaxBytes = 512 * 1024, AbsoluteMaxBytes = absoluteMaxBytes }, batchTimeout ?? TimeSpan.FromMilliseconds(200), [brokers], [], 0);

    public ulong ConfigSequence => 0;

    /// <summary>When set, each block waits for it before it is written.</summary>
    public TaskCompletionSource? WriteGate { get; set; }

    public ulong Height
    {
        get
        {
            lock (_blocks)
            {
                return (ulong)_blocks.Count + 1;
            }
        }
    }

    public List<(List<string> Envelopes, ByteString Metadata)> Blocks
    {
        get
        {
            lock (_blocks)
            {
                return [.. _blocks];
            }
        }
    }

    public List<string> Envelopes => Blocks.SelectMany(b => b.Envelopes).ToList();

    /// <summary>The thread each block write was called on: its name, and whether it was a thread-pool thread.</summary>
    public List<(string? Name, bool IsPool)> WriterThreads
    {
        get
        {
            lock (_blocks)
            {
                return [.. _writers];
            }
        }
    }

    public Recheck Recheck(Envelope envelope, bool isConfig) => FnzChain.Orderer.Consensus.Recheck.Ok(envelope);

    public async Task<Block?> WriteAsync(IReadOnlyList<byte[]> envelopes, bool isConfig, ByteString consenterMetadata, CancellationToken cancellationToken)
    {
        lock (_blocks)
        {
            _writers.Add((Thread.CurrentThread.Name, Thread.CurrentThread.IsThreadPoolThread));
        }

        if (WriteGate is { } gate)
        {
            await gate.Task.WaitAsync(cancellationToken);
        }

        lock (_blocks)
        {
            _blocks.Add(([.. envelopes.Select(e => Envelope.Parser.ParseFrom(e).Payload.ToStringUtf8())], consenterMetadata));
        }

        return new Block();
    }
}
