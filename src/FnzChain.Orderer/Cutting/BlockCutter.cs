using FnzChain.Protos.Orderer;

namespace FnzChain.Orderer.Cutting;

/// <summary>
/// Decides where blocks end, as Fabric's block cutter does. Envelopes are added in order; a batch is cut when it
/// reaches <c>MaxMessageCount</c>, before it would pass <c>PreferredMaxBytes</c>, and an envelope larger than
/// <c>PreferredMaxBytes</c> goes into a block of its own. The batch timeout is the caller's: it calls
/// <see cref="Cut"/> when the oldest pending envelope has waited long enough. Not thread-safe (one per channel,
/// driven by the consenter's loop).
/// </summary>
public sealed class BlockCutter
{
    private readonly Func<BatchSize> _batchSize;
    private List<byte[]> _pending = [];
    private long _pendingBytes;

    /// <summary>A cutter with a fixed batch size.</summary>
    public BlockCutter(BatchSize batchSize)
        : this(Checked(batchSize) is var fixedSize ? () => fixedSize : throw new ArgumentNullException(nameof(batchSize)))
    {
    }

    /// <summary>A cutter that reads the batch size in force for every envelope (a config update applies from the next one).</summary>
    public BlockCutter(Func<BatchSize> batchSize)
    {
        ArgumentNullException.ThrowIfNull(batchSize);
        _batchSize = batchSize;
    }

    private static BatchSize Checked(BatchSize batchSize)
    {
        ArgumentNullException.ThrowIfNull(batchSize);
        return batchSize.MaxMessageCount == 0 || batchSize.PreferredMaxBytes == 0
            ? throw new ArgumentException("batch size needs max_message_count and preferred_max_bytes above zero", nameof(batchSize))
            : batchSize;
    }

    public bool HasPending => _pending.Count > 0;

    public int PendingCount => _pending.Count;

    /// <summary>Adds one envelope (serialized); returns the batches (zero, one or two) that are now complete, in order.</summary>
    public IReadOnlyList<IReadOnlyList<byte[]>> Ordered(byte[] envelope)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        var size = _batchSize();
        var maxMessageCount = Math.Max(1u, size.MaxMessageCount);
        var preferredMaxBytes = Math.Max(1u, size.PreferredMaxBytes);
        var batches = new List<IReadOnlyList<byte[]>>(2);
        if (envelope.Length > preferredMaxBytes)
        {
            if (HasPending)
            {
                batches.Add(Cut());
            }

            batches.Add([envelope]);
            return batches;
        }

        if (_pendingBytes + envelope.Length > preferredMaxBytes)
        {
            batches.Add(Cut());
        }

        _pending.Add(envelope);
        _pendingBytes += envelope.Length;
        if (_pending.Count >= maxMessageCount)
        {
            batches.Add(Cut());
        }

        return batches;
    }

    /// <summary>Returns the pending envelopes as a batch and starts a new one.</summary>
    public IReadOnlyList<byte[]> Cut()
    {
        var batch = _pending;
        _pending = [];
        _pendingBytes = 0;
        return batch;
    }
}
