using FnzChain.Ledger.Blocks;
using FnzChain.Ledger.Private;
using FnzChain.Ledger.State;
using FnzChain.Ledger.Validation;
using FnzChain.Protos.Common;
using FnzChain.Protos.Peer;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Version = FnzChain.Ledger.State.Version;

namespace FnzChain.Ledger;

public sealed partial class ChannelLedger
{
    /// <summary>
    /// Brings the index and state up to the block files after a crash. The files are written first, so they may
    /// hold blocks the database does not know yet (written, never acknowledged): those are indexed and applied with
    /// the validation codes stored in them. A torn last record (a write the crash interrupted) is cut off. Missing
    /// or damaged committed data stops the open with <see cref="LedgerCorruptedException"/>. With the public state in
    /// a database of its own, each half is replayed from where it is: the channel database moves with the index, the
    /// public database may be behind it (a crash or failure between the two writes) or, after the channel database
    /// was lost, ahead of it.
    /// </summary>
    private async Task RecoverAsync(CancellationToken cancellationToken)
    {
        var files = Blocks.Files;
        var index = Blocks.Index;
        var checkpoint = index.ReadCheckpoint() ?? new BlockStoreCheckpoint(0, 0, 0);
        var fileCount = BlockFiles.List(files.Folder).Count;
        var previousHash = Array.Empty<byte>();
        if (checkpoint.Height > 0)
        {
            var length = checkpoint.File < fileCount ? files.LengthOf(checkpoint.File) : -1;
            if (length < checkpoint.EndOffset)
            {
                throw new LedgerCorruptedException(
                    $"committed blocks are missing: the index records {checkpoint.Height} blocks ending at offset {checkpoint.EndOffset} of {BlockFiles.FileName(checkpoint.File)}, " +
                    (length < 0 ? "but that file does not exist" : $"but the file is only {length} bytes"));
            }

            var last = Blocks.Index.GetBlockLocation(checkpoint.Height - 1)
                ?? throw new LedgerCorruptedException($"the index records {checkpoint.Height} blocks but has no entry for block {checkpoint.Height - 1}");
            previousHash = BlockHashing.HeaderHash(Block.Parser.ParseFrom(files.Read(last, checkpoint.Height - 1)).Header);
            Blocks.Publish(checkpoint.Height - 1, previousHash);
        }

        var channelHeight = HeightOf(_channel.LatestSavepoint);
        var publicHeight = _public is null ? channelHeight : HeightOf(await _public.GetLatestSavepointAsync(cancellationToken).ConfigureAwait(false));
        for (var number = Math.Min(channelHeight, publicHeight); number < checkpoint.Height; number++)
        {
            // State behind the index: the public state in a database of its own missed the last blocks.
            await ApplyStoredBlockAsync(Block.Parser.ParseFrom(Blocks.GetBlockBytes(number)!), location: null, cancellationToken).ConfigureAwait(false);
        }

        files.SetAppendPosition(checkpoint.File, checkpoint.EndOffset);
        var next = checkpoint.Height;
        var recovered = 0;
        foreach (var record in files.Scan(checkpoint.File, checkpoint.EndOffset))
        {
            if (record.Problem is not null)
            {
                if (!record.IsTornTail)
                {
                    throw new LedgerCorruptedException(
                        $"block {next} ({record.Location}), written after the last committed block, is damaged and is not the last record: {record.Problem}");
                }

                var dropped = files.LengthOf(record.Location.File) - record.Location.Offset;
                _logger.LogWarning(
                    "Ledger {Path}: cut {Bytes} bytes of an interrupted write from {File} at offset {Offset} ({Problem}); that block was never acknowledged",
                    Path, dropped, BlockFiles.FileName(record.Location.File), record.Location.Offset, record.Problem);
                files.Truncate(record.Location.File, record.Location.Offset);
                break;
            }

            var block = ParseStored(record, next);
            if (block.Header.Number != next || !block.Header.PreviousHash.Span.SequenceEqual(previousHash)
                || !block.Header.DataHash.Span.SequenceEqual(BlockHashing.DataHash(block.Data)))
            {
                throw new LedgerCorruptedException(
                    $"the record at {record.Location} should be block {next} chained to the last committed block, but it holds block {block.Header.Number} with different hashes");
            }

            if (next < channelHeight)
            {
                throw new LedgerCorruptedException($"the state database is at block {channelHeight - 1} but block {next} was never indexed");
            }

            await ApplyStoredBlockAsync(block, record.Location, cancellationToken).ConfigureAwait(false);
            files.SetAppendPosition(record.Location.File, record.Location.End);
            previousHash = BlockHashing.HeaderHash(block.Header);
            Blocks.Publish(next, previousHash);
            next++;
            recovered++;
        }

        if (channelHeight > next)
        {
            throw new LedgerCorruptedException($"the state database is at block {channelHeight - 1} but the block store holds only {next} blocks");
        }

        if (publicHeight > next)
        {
            throw new LedgerCorruptedException($"the public state database is at block {publicHeight - 1} but the block store holds only {next} blocks");
        }

        if (recovered > 0)
        {
            _logger.LogWarning("Ledger {Path}: recovered blocks {First}..{Last} from the block files (written before a crash, not yet indexed)",
                Path, next - (ulong)recovered, next - 1);
        }
    }

    private static Block ParseStored(ScannedRecord record, ulong expected)
    {
        try
        {
            var block = Block.Parser.ParseFrom(record.Block);
            return block.Header is null
                ? throw new LedgerCorruptedException($"block {expected} ({record.Location}) has no header")
                : block;
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new LedgerCorruptedException($"block {expected} ({record.Location}) does not parse: {e.Message}", e);
        }
    }

    /// <summary>
    /// Applies a block already in the block files, with the validation codes stored in it: its index entries when
    /// <paramref name="location"/> is given, and its updates to each half of the state that is behind it — the
    /// channel database (private-derived state, history, private data store; all state by default) and the public
    /// state database. A half at or past the block is left alone (RocksDB rejects a savepoint behind its own).
    /// </summary>
    private async Task ApplyStoredBlockAsync(Block block, BlockLocation? location, CancellationToken cancellationToken)
    {
        var number = block.Header.Number;
        var txs = TransactionParser.ParseBlock(block);
        var codes = StoredCodes(block, txs.Length);
        for (var i = 0; i < txs.Length; i++)
        {
            if (codes[i] == TxValidationCode.Valid && txs[i].Problem is { } problem)
            {
                throw new LedgerCorruptedException($"block {number} transaction {i} is marked valid but {problem}");
            }
        }

        using var batch = _database.CreateBatch();
        if (location is { } at)
        {
            if (IndexesTransactions)
            {
                var indexed = MvccValidator.MarkDuplicates(txs, (TxValidationCode[])codes.Clone(), null, Blocks.Index);
                BlockStore.AddToBatch(batch, number, at, IndexedTxs(number, txs, codes, indexed));
            }
            else
            {
                BlockStore.AddToBatch(batch, number, at, []);
            }
        }

        var channelBehind = number >= HeightOf(_channel.LatestSavepoint);
        var publicBehind = _public is not null && number >= HeightOf(await _public.GetLatestSavepointAsync(cancellationToken).ConfigureAwait(false));
        if (!channelBehind && !publicBehind)
        {
            if (location is not null)
            {
                _database.Write(batch);
            }

            return;
        }

        // Reads go to each half as it is; only the parts of the updates for a half that is behind are written, and
        // for that half the reads saw the state just before this block.
        var due = await PrivateDataExpiry.DueAsync(number, _state, cancellationToken).ConfigureAwait(false);
        var committed = await MvccValidator.PrefetchAsync(txs, codes, _state, cancellationToken, PrivateDataExpiry.KeysToRead(due)).ConfigureAwait(false);
        var updates = new BlockUpdates(number, committed, await PrivateDataLifetimesAsync(cancellationToken).ConfigureAwait(false));
        for (var i = 0; i < txs.Length; i++)
        {
            if (codes[i] == TxValidationCode.Valid && txs[i].IsEndorserTransaction)
            {
                updates.Add(txs[i]);
            }
        }

        updates.Expire(due);
        var savepoint = Savepoint(number, txs.Length);
        UpdateBatch? publicUpdates;
        if (channelBehind)
        {
            publicUpdates = StageState(batch, updates.Batch, savepoint);
            var storeRanges = PrivateData.Stage(batch, number, updates.Stored, updates.StoreRemovals);
            _channel.Write(batch, savepoint);
            if (updates.Purged.Count > 0 || storeRanges.Count > 0)
            {
                _erasure?.ScheduleErasure(updates.Purged, storeRanges);
            }
        }
        else
        {
            if (location is not null)
            {
                _database.Write(batch);
            }

            publicUpdates = SplitStateDatabase.Split(updates.Batch).Public;
        }

        if (publicBehind)
        {
            await _public!.ApplyUpdatesAsync(publicUpdates!, savepoint, cancellationToken).ConfigureAwait(false);
        }
    }

    private static ulong HeightOf(Version? savepoint) => savepoint is { } s ? s.BlockNumber + 1 : 0;

    /// <summary>The validation codes a committed block carries in its <c>TRANSACTIONS_FILTER</c> metadata.</summary>
    internal static TxValidationCode[] StoredCodes(Block block, int txCount)
    {
        var metadata = block.Metadata?.Metadata;
        var filter = metadata is not null && metadata.Count > (int)BlockMetadataIndex.TransactionsFilter
            ? metadata[(int)BlockMetadataIndex.TransactionsFilter].Span
            : [];
        if (filter.Length != txCount)
        {
            throw new LedgerCorruptedException(
                $"block {block.Header.Number} has {filter.Length} validation codes for {txCount} transactions");
        }

        var codes = new TxValidationCode[txCount];
        for (var i = 0; i < txCount; i++)
        {
            codes[i] = (TxValidationCode)filter[i];
        }

        return codes;
    }
}
