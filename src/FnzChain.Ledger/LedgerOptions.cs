using FnzChain.Ledger.State.RocksDb;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace FnzChain.Ledger;

/// <summary>Options of one channel's ledger (<see cref="ChannelLedger"/>).</summary>
public sealed record LedgerOptions
{
    /// <summary>
    /// When a commit counts as done. <see cref="CommitDurability.Synced"/> (the default) fsyncs the block file
    /// and the database log before <see cref="ChannelLedger.CommitAsync"/> returns, so a power cut cannot lose an
    /// acknowledged block.
    /// </summary>
    public CommitDurability Durability { get; init; } = CommitDurability.Synced;

    /// <summary>Table-file compression (LZ4 by default; <see cref="StorageCompression.None"/> for byte-scan evidence).</summary>
    public StorageCompression Compression { get; init; } = StorageCompression.Lz4;

    /// <summary>Keep the history of every key (Fabric's <c>enableHistoryDatabase</c>).</summary>
    public bool EnableHistory { get; init; } = true;

    /// <summary>RocksDB block cache shared by the channel's column families.</summary>
    public ulong BlockCacheBytes { get; init; } = 64UL * 1024 * 1024;

    /// <summary>A new segment file starts when the current one would grow past this (Fabric's default is 64 MiB).</summary>
    public long SegmentBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>Largest serialized block accepted, written or read back: bounds every read of a length prefix.</summary>
    public int MaxBlockBytes { get; init; } = 128 * 1024 * 1024;

    public ILogger Logger { get; init; } = NullLogger.Instance;

    /// <summary>
    /// The block-to-live of each private data collection under the channel configuration in force for the next
    /// block of the given ledger — also while <see cref="ChannelLedger.OpenAsync"/> replays blocks after a crash,
    /// so it must be able to read that configuration from the ledger itself. Null: private data never expires.
    /// </summary>
    public Func<ChannelLedger, Private.BlockToLive>? PrivateDataLifetimes { get; init; }

    internal RocksDbStateOptions ToStateOptions() => new()
    {
        Durability = Durability,
        Compression = Compression,
        EnableHistory = EnableHistory,
        BlockCacheBytes = BlockCacheBytes,
    };

    internal void Validate()
    {
        if (SegmentBytes < 1024 * 1024)
        {
            throw new ArgumentOutOfRangeException(nameof(SegmentBytes), SegmentBytes, "segment files must be at least 1 MiB");
        }

        if (MaxBlockBytes < 1024 || MaxBlockBytes > int.MaxValue - Blocks.BlockRecord.HeaderLength)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxBlockBytes), MaxBlockBytes, "the largest block must be between 1 KiB and 2 GiB");
        }
    }
}
