using FnzChain.Orderer.Cutting;
using FnzChain.Protos.Common;
using FnzChain.Protos.Orderer;
using Google.Protobuf;
using Microsoft.Extensions.Logging;

namespace FnzChain.Orderer.Consensus.Kafka;

/// <summary>
/// The deterministic heart of the Kafka consenter (Fabric 1.x's <c>chain.processMessagesToBlocks</c>): consumes a
/// channel's single-partition topic record by record and decides the blocks. Every orderer of the channel runs one over
/// the same records from the same offset, so every orderer cuts byte-identical block data — block boundaries come only
/// from the stream (the batch size, and the first TIME_TO_CUT for the next block number), never from a local clock.
/// <list type="bullet">
/// <item>A regular message checked against the configuration in force is ordered; one checked against an older
/// configuration is checked again and, if it still passes, <em>re-ordered</em> (posted again with
/// <c>original_offset</c> set) rather than ordered in place — a re-check can depend on the orderer (a config update is
/// recomputed and signed by it), so only the re-posted record, the same for everyone, is ordered. Copies re-posted by
/// several orderers are ordered once (<c>last_original_offset_processed</c>).</item>
/// <item>A config message is cut into a block of its own, after whatever was pending.</item>
/// <item>TIME_TO_CUT n cuts the pending batch when n is the next block; an older one (another orderer's, late) is
/// ignored; one for a later block is a fault of its sender, logged and ignored.</item>
/// <item>CONNECT records, and records that are not a KafkaMessage (a stray producer), are skipped — the latter logged.</item>
/// </list>
/// Each block's consenter metadata is a <see cref="KafkaMetadata"/> whose <c>last_offset_persisted</c> is the last
/// record fully processed by that block, so an orderer resumes at the next record with no gap and no duplicate.
/// Not thread-safe: one consume loop drives it.
/// </summary>
public sealed partial class KafkaChainProcessor
{
    private readonly IConsenterSupport _support;
    private readonly Func<KafkaMessage, CancellationToken, Task> _repost;
    private readonly ILogger _logger;
    private readonly BlockCutter _cutter;
    private readonly List<(long Offset, long Original)> _pendingOriginals = [];
    private long _lastOffsetPersisted;
    private long _lastOriginalOffsetPersisted; // what the metadata says: re-ordered records already in a block
    private long _lastOriginalOffsetProcessed; // also counting re-ordered records still pending (for de-duplication)
    private long _lastResubmittedConfigOffset;

    /// <param name="support">The channel.</param>
    /// <param name="lastConsenterMetadata">The consenter metadata of the channel's last block (empty: a new channel, start at offset 0).</param>
    /// <param name="repost">Posts a record to the channel's topic (re-ordering a message checked again).</param>
    /// <param name="logger">Where skipped records and faulty TIME_TO_CUTs are reported.</param>
    public KafkaChainProcessor(IConsenterSupport support, ByteString lastConsenterMetadata, Func<KafkaMessage, CancellationToken, Task> repost, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(support);
        ArgumentNullException.ThrowIfNull(lastConsenterMetadata);
        ArgumentNullException.ThrowIfNull(repost);
        _support = support;
        _repost = repost;
        _logger = logger;
        _cutter = new BlockCutter(() => support.Settings.BatchSize);
        var resume = Resume(support.ChannelId, lastConsenterMetadata);
        _lastOffsetPersisted = resume.LastOffsetPersisted;
        _lastOriginalOffsetProcessed = _lastOriginalOffsetPersisted = resume.LastOriginalOffsetProcessed;
        _lastResubmittedConfigOffset = resume.LastResubmittedConfigOffset;
    }

    /// <summary>The topic offset to consume from: the record after the last one a block of this channel includes.</summary>
    public long NextOffset => _lastOffsetPersisted + 1;

    /// <summary>The number of the next block, the one a TIME_TO_CUT must name.</summary>
    public ulong NextBlockNumber => _support.Height;

    /// <summary>When the pending batch's timeout expires (post TIME_TO_CUT for <see cref="NextBlockNumber"/> then), or null when nothing is pending.</summary>
    public DateTimeOffset? CutDeadline { get; private set; }

    /// <summary>The metadata a block would carry if cut after the record at <paramref name="offset"/>.</summary>
    private KafkaMetadata Metadata(long offset)
    {
        // Only re-ordered records this block (or an earlier one) holds count: a crash before the rest are cut replays
        // them from the topic, and they must not be taken for duplicates then.
        var original = _lastOriginalOffsetPersisted;
        foreach (var pending in _pendingOriginals.Where(p => p.Offset <= offset))
        {
            original = Math.Max(original, pending.Original);
        }

        return new KafkaMetadata { LastOffsetPersisted = offset, LastOriginalOffsetProcessed = original, LastResubmittedConfigOffset = _lastResubmittedConfigOffset };
    }

    /// <summary>
    /// Processes the record at <paramref name="offset"/>. Records at or before the last persisted offset are skipped (a
    /// consumer that re-delivers them changes nothing). Throws only when writing a block fails — the caller's fault path.
    /// </summary>
    public async Task ProcessAsync(long offset, ReadOnlyMemory<byte> record, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (offset <= _lastOffsetPersisted)
        {
            return;
        }

        KafkaMessage message;
        try
        {
            message = KafkaMessage.Parser.ParseFrom(record.Span);
        }
        catch (InvalidProtocolBufferException e)
        {
            LogStray(_logger, _support.ChannelId, offset, record.Length, e.Message);
            return;
        }

        switch (message.TypeCase)
        {
            case KafkaMessage.TypeOneofCase.Regular:
                await RegularAsync(offset, message.Regular, now, cancellationToken).ConfigureAwait(false);
                break;
            case KafkaMessage.TypeOneofCase.TimeToCut:
                await TimeToCutAsync(offset, message.TimeToCut.BlockNumber, cancellationToken).ConfigureAwait(false);
                break;
            case KafkaMessage.TypeOneofCase.Connect:
                break;
            default:
                LogStray(_logger, _support.ChannelId, offset, record.Length, "a KafkaMessage of no known type");
                break;
        }
    }

    private async Task RegularAsync(long offset, KafkaMessageRegular regular, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var isConfig = regular.Class == KafkaMessageRegular.Types.Class.Config;
        if (regular.Class is not (KafkaMessageRegular.Types.Class.Normal or KafkaMessageRegular.Types.Class.Config))
        {
            LogStray(_logger, _support.ChannelId, offset, regular.Payload.Length, $"a regular message of class {(int)regular.Class}");
            return;
        }

        if (regular.OriginalOffset != 0 && regular.OriginalOffset <= _lastOriginalOffsetProcessed)
        {
            return; // another orderer's copy of a re-ordered message that is already in a block
        }

        Envelope envelope;
        try
        {
            envelope = Envelope.Parser.ParseFrom(regular.Payload);
        }
        catch (InvalidProtocolBufferException e)
        {
            LogStray(_logger, _support.ChannelId, offset, regular.Payload.Length, $"its payload is not an envelope: {e.Message}");
            return;
        }

        if (regular.ConfigSeq < _support.ConfigSequence)
        {
            await RecheckAsync(offset, regular, envelope, isConfig, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (regular.OriginalOffset != 0)
        {
            _lastOriginalOffsetProcessed = regular.OriginalOffset;
            _pendingOriginals.Add((offset, regular.OriginalOffset));
        }

        var bytes = regular.Payload.ToByteArray();
        if (isConfig)
        {
            if (_cutter.HasPending)
            {
                await WriteAsync(_cutter.Cut(), isConfig: false, offset - 1, cancellationToken).ConfigureAwait(false);
            }

            await WriteAsync([bytes], isConfig: true, offset, cancellationToken).ConfigureAwait(false);
            CutDeadline = null;
            return;
        }

        var batches = _cutter.Ordered(bytes);
        for (var i = 0; i < batches.Count; i++)
        {
            // A batch that does not hold this record (cut before it joined the next one) persists up to the record before.
            var holdsThis = !_cutter.HasPending && i == batches.Count - 1;
            await WriteAsync(batches[i], isConfig: false, holdsThis ? offset : offset - 1, cancellationToken).ConfigureAwait(false);
        }

        if (!_cutter.HasPending)
        {
            CutDeadline = null;
        }
        else if (_cutter.PendingCount == 1 || CutDeadline is null)
        {
            CutDeadline = now + _support.Settings.BatchTimeout; // this record started a new batch
        }
    }

    /// <summary>A message checked against an older configuration: checked again and re-ordered, or dropped.</summary>
    private async Task RecheckAsync(long offset, KafkaMessageRegular regular, Envelope envelope, bool isConfig, CancellationToken cancellationToken)
    {
        var recheck = _support.Recheck(envelope, isConfig);
        if (recheck.Envelope is not { } again)
        {
            LogDropped(_logger, _support.ChannelId, offset, regular.ConfigSeq, _support.ConfigSequence, recheck.Problem ?? "refused");
            return;
        }

        if (isConfig)
        {
            _lastResubmittedConfigOffset = offset;
        }

        await _repost(new KafkaMessage
        {
            Regular = new KafkaMessageRegular
            {
                Payload = again.ToByteString(),
                ConfigSeq = _support.ConfigSequence,
                Class = regular.Class,
                OriginalOffset = regular.OriginalOffset != 0 ? regular.OriginalOffset : offset,
            },
        }, cancellationToken).ConfigureAwait(false);
    }

    private async Task TimeToCutAsync(long offset, ulong blockNumber, CancellationToken cancellationToken)
    {
        var next = NextBlockNumber;
        if (blockNumber < next)
        {
            return; // late: that block was cut already (by count, a config block, or an earlier TIME_TO_CUT)
        }

        if (blockNumber > next)
        {
            LogFutureTimeToCut(_logger, _support.ChannelId, offset, blockNumber, next);
            return;
        }

        if (_cutter.HasPending)
        {
            await WriteAsync(_cutter.Cut(), isConfig: false, offset, cancellationToken).ConfigureAwait(false);
        }

        CutDeadline = null;
    }

    private async Task WriteAsync(IReadOnlyList<byte[]> batch, bool isConfig, long persistedOffset, CancellationToken cancellationToken)
    {
        if (batch.Count == 0)
        {
            return;
        }

        var metadata = Metadata(persistedOffset);
        await _support.WriteAsync(batch, isConfig, metadata.ToByteString(), cancellationToken).ConfigureAwait(false);
        _lastOffsetPersisted = persistedOffset;
        _lastOriginalOffsetPersisted = metadata.LastOriginalOffsetProcessed;
        _pendingOriginals.RemoveAll(p => p.Offset <= persistedOffset);
    }

    /// <summary>The metadata to resume from; an unreadable one refuses to start (resuming anywhere else could skip or repeat records).</summary>
    private static KafkaMetadata Resume(string channel, ByteString lastConsenterMetadata)
    {
        if (lastConsenterMetadata.IsEmpty)
        {
            return new KafkaMetadata { LastOffsetPersisted = -1 };
        }

        try
        {
            return KafkaMetadata.Parser.ParseFrom(lastConsenterMetadata);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new InvalidOperationException($"channel {channel}: the last block's consenter metadata is not Kafka metadata ({e.Message}); refusing to guess where to resume in the topic", e);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Channel {Channel}: skipped the record at offset {Offset} ({Bytes} bytes): {Reason}")]
    private static partial void LogStray(ILogger logger, string channel, long offset, int bytes, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Channel {Channel}: dropped the message at offset {Offset}, checked against config sequence {Checked}: under sequence {Current} it no longer passes: {Reason}")]
    private static partial void LogDropped(ILogger logger, string channel, long offset, ulong @checked, ulong current, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Channel {Channel}: ignored the TIME_TO_CUT at offset {Offset} for block {Block}; the next block is {Next} (its sender is ahead of the stream)")]
    private static partial void LogFutureTimeToCut(ILogger logger, string channel, long offset, ulong block, ulong next);
}
