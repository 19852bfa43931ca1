using FnzChain.Ledger.State;
using FnzChain.Ledger.Storage;
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

    /// <summary>
    /// Where the channel's PUBLIC world state lives. Null (the default): in the channel's RocksDB database, in the
    /// same atomic batch as the block's index, history and private data. Any other database is applied after that
    /// batch and replayed from the block files when it is behind after a crash. Private-derived namespaces, history,
    /// the index and the private data and transient stores stay in the channel's RocksDB database whatever it is.
    /// </summary>
    public IStateDatabaseProvider? StateDatabase { get; init; }

    /// <summary>RocksDB block cache shared by the channel's column families.</summary>
    public ulong BlockCacheBytes { get; init; } = 64UL * 1024 * 1024;

    /// <summary>A new segment file starts when the current one would grow past this (Fabric's default is 64 MiB).</summary>
    public long SegmentBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>Largest serialized block accepted, written or read back: bounds every read of a length prefix.</summary>
    public int MaxBlockBytes { get; init; } = 128 * 1024 * 1024;

    /// <summary>
    /// Index every transaction's id (duplicate detection, queries by tx id, the validation path of
    /// <see cref="ChannelLedger.CommitAsync(Block, IReadOnlyList{FnzChain.Protos.Peer.TxValidationCode}?, CancellationToken)"/>).
    /// False is the orderer's ledger (Fabric's orderer ledger has no tx index either): blocks, the block index and the
    /// savepoint only, appended with <see cref="ChannelLedger.AppendAsync"/>. Applies when the ledger is created; a
    /// ledger keeps what it was created with (a ledger created before this setting existed indexes).
    /// </summary>
    public bool IndexTransactions { get; init; } = true;

    public ILogger Logger { get; init; } = NullLogger.Instance;

    /// <summary>
    /// Encryption at rest of the block files and every value of the channel database (and of a RocksDB public state
    /// database in a folder of its own), under the data keys of a <see cref="Encryption.Keyring"/>. Null (the default):
    /// stored in the clear. A ledger is encrypted from its first block or never (<c>encryption.json</c> in its folder).
    /// </summary>
    public Encryption.AtRestCipher? Encryption { get; init; }

    /// <summary>
    /// The block-to-live of each private data collection under the channel configuration in force for the next
    /// block of the given ledger — also while <see cref="ChannelLedger.OpenAsync"/> replays blocks after a crash,
    /// so it must be able to read that configuration from the ledger itself (asynchronously: the state may be
    /// remote). Null: private data never expires.
    /// </summary>
    public Func<ChannelLedger, CancellationToken, ValueTask<Private.BlockToLive>>? PrivateDataLifetimes { get; init; }

    internal StorageOptions ToStorageOptions() => new()
    {
        Durability = Durability,
        Compression = Compression,
        BlockCacheBytes = BlockCacheBytes,
        Encryption = Encryption,
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
