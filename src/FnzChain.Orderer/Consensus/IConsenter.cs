using FnzChain.Protos.Common;

namespace FnzChain.Orderer.Consensus;

/// <summary>
/// The ordering seam of one channel: takes envelopes that passed the orderer's checks and turns them into an
/// ordered stream of blocks written through an <see cref="IBlockWriter"/>. Solo orders in-process; Kafka through
/// a single-partition topic so every orderer cuts the same blocks.
/// </summary>
public interface IConsenter : IAsyncDisposable
{
    /// <summary>Accepts an envelope for ordering (not yet in a block when this returns). Config envelopes are cut into a block of their own.</summary>
    ValueTask OrderAsync(Envelope envelope, bool isConfig, CancellationToken cancellationToken);

    /// <summary>Starts ordering (after the channel's ledger is open).</summary>
    void Start();

    /// <summary>
    /// Why this consenter stopped ordering, or null while it orders. Once set, <see cref="OrderAsync"/> refuses every
    /// envelope (Broadcast answers SERVICE_UNAVAILABLE) and the node's health names the channel and the cause.
    /// </summary>
    string? Fault { get; }
}

/// <summary>Where a consenter sends the batches it cut: builds, signs and stores the next block.</summary>
public interface IBlockWriter
{
    /// <summary>Writes the batch as the next block; null when a config envelope turned out stale and was dropped.</summary>
    Task<Block?> WriteAsync(IReadOnlyList<byte[]> envelopes, bool isConfig, CancellationToken cancellationToken);
}
