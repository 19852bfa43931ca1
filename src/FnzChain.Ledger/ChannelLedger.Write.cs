using FnzChain.Ledger.Blocks;
using FnzChain.Ledger.History;
using FnzChain.Ledger.State;
using FnzChain.Ledger.Storage;
using FnzChain.Ledger.Validation;
using FnzChain.Protos.Peer;
using Microsoft.Extensions.Logging;
using Version = FnzChain.Ledger.State.Version;

namespace FnzChain.Ledger;

public sealed partial class ChannelLedger
{
    /// <summary>
    /// Block file first, then one atomic batch of the channel database with the index, history, private data store,
    /// channel state and savepoint. The block file's fsync runs while the batch is encoded and must finish before the
    /// batch is written, so the database never refers to a block a power cut could lose. If the batch fails, the
    /// record is cut off again so the files end at the last committed block. Returns the block's public writes when
    /// the public state is in a database of its own (the caller applies them next), else null.
    /// </summary>
    private async Task<UpdateBatch?> WriteBlockAsync(ulong number, ReadOnlyMemory<byte> bytes, ParsedTransaction[] txs, TxValidationCode[] codes, bool[] indexed, BlockUpdates updates)
    {
        var location = Blocks.Append(bytes);
        try
        {
            var flushed = Task.Run(Blocks.FlushAppended);
            using var batch = _database.CreateBatch();
            var savepoint = Savepoint(number, txs.Length);
            UpdateBatch? publicUpdates;
            try
            {
                BlockStore.AddToBatch(batch, number, location, IndexedTxs(number, txs, codes, indexed));
                publicUpdates = StageState(batch, updates.Batch, savepoint);
                updates.StoreRanges = PrivateData.Stage(batch, number, updates.Stored, updates.StoreRemovals);
            }
            finally
            {
                await flushed.ConfigureAwait(false);
            }

            _channel.Write(batch, savepoint);
            return publicUpdates;
        }
        catch (Exception e)
        {
            UndoAppend(number, location, e);
            throw;
        }
    }

    /// <summary>Cuts a block whose commit failed off the block files again, or marks the ledger unusable when that fails too.</summary>
    private void UndoAppend(ulong number, BlockLocation location, Exception failure)
    {
        try
        {
            Blocks.UndoAppend(location);
        }
        catch (Exception undo)
        {
            _faulted = $"block {number} was written to {location} but its commit failed ({failure.Message}) and could not be undone ({undo.Message}); reopen the ledger to recover";
            _logger.LogError(undo, "Ledger {Path} is unusable until reopened: {Reason}", Path, _faulted);
        }
    }

    /// <summary>
    /// Stages a block's history and channel state into the channel batch. With the public state in the channel
    /// database that is all of the block's writes (and null is returned); otherwise only the private-derived ones,
    /// and the public ones are returned for <see cref="ApplyPublicAsync"/>. History is of public keys, kept here either way.
    /// </summary>
    private UpdateBatch? StageState(StorageBatch batch, UpdateBatch updates, Version savepoint)
    {
        if (_options.EnableHistory)
        {
            HistoryStore.Stage(batch, updates);
        }

        if (_public is null)
        {
            _channel.Stage(batch, updates, savepoint);
            return null;
        }

        var (channelPart, publicPart) = SplitStateDatabase.Split(updates);
        _channel.Stage(batch, channelPart, savepoint);
        return publicPart;
    }

    /// <summary>
    /// Applies a committed block's public writes to the public state database. The block is already durable in the
    /// block files and the channel database, so this runs to the end whatever the caller's cancellation. A failure
    /// (CouchDB down or refusing) is retried with back-off, 0.5 s doubling to 30 s, until it succeeds — applying a
    /// block again is idempotent — while <see cref="StorageProblem"/> says why and the channel's next commits wait:
    /// the peer recovers by itself when the database returns. Only closing the ledger ends the retries; the block
    /// is then replayed into the public state when the ledger is opened again.
    /// </summary>
    private async Task ApplyPublicAsync(ulong number, UpdateBatch publicUpdates, Version savepoint)
    {
        var delay = TimeSpan.FromMilliseconds(500);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                // Cancelled only by closing the ledger: a half-applied block is replayed at the next open (idempotent).
                await _public!.ApplyUpdatesAsync(publicUpdates, savepoint, _closing.Token).ConfigureAwait(false);
                if (attempt > 1)
                {
                    Volatile.Write(ref _storageProblem, null);
                    _logger.LogInformation("Ledger {Path}: the public state database applied block {Block} after {Attempts} attempts; commits go on", Path, number, attempt);
                }

                return;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                if (_closing.IsCancellationRequested)
                {
                    _faulted = $"block {number} is committed to the block store and the channel database, but the public state database did not apply it before the ledger closed ({e.Message}); opening the ledger replays it";
                    throw new InvalidOperationException(_faulted, e);
                }

                var reason = $"the public state database has not applied block {number} ({e.Message.ReplaceLineEndings(" ")}); retrying every {Math.Min(30, delay.TotalSeconds * 2):0.#} s at most, the channel's next commits wait";
                Volatile.Write(ref _storageProblem, reason);
                if (attempt == 1 || attempt % 10 == 0)
                {
                    _logger.LogWarning("Ledger {Path}: {Reason} (attempt {Attempt})", Path, reason, attempt);
                }

                try
                {
                    await Task.Delay(delay, _closing.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    _faulted = $"block {number} is committed to the block store and the channel database, but the public state database did not apply it before the ledger closed ({e.Message}); opening the ledger replays it";
                    throw new InvalidOperationException(_faulted, e);
                }

                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(30).Ticks));
            }
        }
    }

    /// <summary>
    /// The reads that validate block <paramref name="number"/>. With the public state in a database of its own
    /// (CouchDB), a failure to read it is retried with back-off — nothing of the block is written yet — while
    /// <see cref="StorageProblem"/> says why, so a peer rides out CouchDB restarts instead of halting. A block the
    /// ledger rejects, or the caller giving up, ends it at once.
    /// </summary>
    private async Task<T> ReadingStateAsync<T>(ulong number, Func<Task<T>> read, CancellationToken cancellationToken)
    {
        if (_public is null)
        {
            return await read().ConfigureAwait(false);
        }

        var delay = TimeSpan.FromMilliseconds(500);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var result = await read().ConfigureAwait(false);
                if (attempt > 1)
                {
                    Volatile.Write(ref _storageProblem, null);
                    _logger.LogInformation("Ledger {Path}: the public state database answered again; validating block {Block} after {Attempts} attempts", Path, number, attempt);
                }

                return result;
            }
            catch (Exception e) when (e is not (BlockRejectedException or OperationCanceledException or OutOfMemoryException) && !_closing.IsCancellationRequested)
            {
                var reason = $"the public state database cannot be read to validate block {number} ({e.Message.ReplaceLineEndings(" ")}); retrying every {Math.Min(30, delay.TotalSeconds * 2):0.#} s at most, the channel's commits wait";
                Volatile.Write(ref _storageProblem, reason);
                if (attempt == 1 || attempt % 10 == 0)
                {
                    _logger.LogWarning("Ledger {Path}: {Reason} (attempt {Attempt})", Path, reason, attempt);
                }

                using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _closing.Token);
                try
                {
                    await Task.Delay(delay, wait.Token).ConfigureAwait(false);
                }
                finally
                {
                    if (wait.IsCancellationRequested)
                    {
                        Volatile.Write(ref _storageProblem, null); // nothing of the block was written; whoever commits it next reads again
                    }
                }

                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(30).Ticks));
            }
        }
    }

    /// <summary>The collections' block-to-live for the next block (<see cref="LedgerOptions.PrivateDataLifetimes"/>), or null.</summary>
    private async ValueTask<Private.BlockToLive?> PrivateDataLifetimesAsync(CancellationToken cancellationToken) =>
        _options.PrivateDataLifetimes is { } lifetimes ? await lifetimes(this, cancellationToken).ConfigureAwait(false) : null;

    private static List<(string TxId, TxLocation Location)> IndexedTxs(ulong number, ParsedTransaction[] txs, TxValidationCode[] codes, bool[] indexed)
    {
        var list = new List<(string, TxLocation)>(txs.Length);
        for (var i = 0; i < txs.Length; i++)
        {
            if (indexed[i])
            {
                list.Add((txs[i].TxId, new TxLocation(number, i, codes[i])));
            }
        }

        return list;
    }
}
