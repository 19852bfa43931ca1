using System.Buffers;
using FnzChain.Ledger.Blocks;
using FnzChain.Ledger.History;
using FnzChain.Ledger.State;
using FnzChain.Ledger.State.RocksDb;
using FnzChain.Ledger.Storage;
using FnzChain.Ledger.Validation;
using FnzChain.Protos.Common;
using FnzChain.Protos.Ledger.Rwset;
using FnzChain.Protos.Peer;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using RocksDbSharp;
using Version = FnzChain.Ledger.State.Version;

namespace FnzChain.Ledger;

/// <summary>
/// Everything one node keeps on disk for one channel: the block store, the world state, history and the index,
/// in a folder holding <c>blocks/</c> (segment files) and <c>db/</c> (RocksDB). Blocks are committed one at a
/// time: checked for sequence and hashes, validated (duplicates, MVCC, phantoms), then written — block file
/// first, then index, state, history and savepoint in one atomic RocksDB batch.
/// </summary>
/// <remarks>
/// <see cref="OpenAsync"/> recovers from a crash: it drops a torn last record, indexes and applies blocks that
/// reached the block files but not the database, and refuses to open when committed data is missing.
/// Reads (state, history, blocks) may run concurrently with a commit.
/// </remarks>
public sealed partial class ChannelLedger : IDisposable
{
    public const string BlocksFolder = "blocks";
    public const string DatabaseFolder = "db";

    private readonly ChannelDatabase _database;
    private readonly RocksDbStateDatabase _state;
    private readonly LedgerOptions _options;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _commitGate = new(1, 1);
    private string? _faulted;
    private bool _disposed;

    private ChannelLedger(string path, ChannelDatabase database, BlockStore blocks, LedgerOptions options)
    {
        Path = path;
        _database = database;
        Transient = new Private.TransientStore(database);
        PrivateData = new Private.PrivateDataStore(database);
        _state = new RocksDbStateDatabase(database, ownsDatabase: false);
        Blocks = blocks;
        _options = options;
        _logger = options.Logger;
    }

    /// <summary>The ledger folder.</summary>
    public string Path { get; }

    public BlockStore Blocks { get; }

    /// <summary>The world state (also usable for endorsement snapshots).</summary>
    public IStateDatabase State => _state;

    /// <summary>Private write sets from endorsement, waiting for their transactions to commit.</summary>
    public Private.TransientStore Transient { get; }

    /// <summary>The private write sets this member peer committed, per block (for Deliver with private data).</summary>
    public Private.PrivateDataStore PrivateData { get; }

    public HistoryStore History => _state.History;

    /// <summary>Number of committed blocks.</summary>
    public ulong Height => Blocks.Height;

    /// <summary>Opens (creating if needed) the ledger in <paramref name="path"/>, recovering from an interrupted commit.</summary>
    public static async Task<ChannelLedger> OpenAsync(string path, LedgerOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= new LedgerOptions();
        options.Validate();
        Directory.CreateDirectory(path);
        var database = ChannelDatabase.Open(System.IO.Path.Combine(path, DatabaseFolder), options.ToStateOptions());
        ChannelLedger? ledger = null;
        try
        {
            var files = new BlockFiles(
                System.IO.Path.Combine(path, BlocksFolder), options.SegmentBytes, options.MaxBlockBytes, options.Durability == CommitDurability.Synced);
            ledger = new ChannelLedger(path, database, new BlockStore(files, new BlockIndex(database)), options);
            await ledger.RecoverAsync(cancellationToken).ConfigureAwait(false);
            return ledger;
        }
        catch
        {
            if (ledger is not null)
            {
                ledger.Dispose();
            }
            else
            {
                database.Dispose();
            }

            throw;
        }
    }

    /// <summary>
    /// Decodes a block's transactions and computes its data hash: the part of committing that does not depend on
    /// the ledger, safe to run on any thread ahead of <see cref="CommitAsync(PreparedBlock, IReadOnlyList{TxValidationCode}?, CancellationToken)"/>.
    /// </summary>
    public static PreparedBlock Prepare(Block block) => PreparedBlock.From(block);

    /// <summary>Prepares and commits the next block; see <see cref="CommitAsync(PreparedBlock, IReadOnlyList{TxValidationCode}?, CancellationToken)"/>.</summary>
    public Task<BlockCommitResult> CommitAsync(Block block, IReadOnlyList<TxValidationCode>? verdicts = null, CancellationToken cancellationToken = default) =>
        CommitAsync(Prepare(block), verdicts, cancellationToken);

    /// <summary>
    /// Validates and commits the next block. <paramref name="verdicts"/> are the peer's codes from signature and
    /// endorsement-policy checks, one per transaction (null: all valid so far); this call adds duplicate-tx-id, MVCC
    /// and phantom checks, records every code in the block's <c>TRANSACTIONS_FILTER</c> metadata and returns them.
    /// Durable when it returns (with the default durability).
    /// </summary>
    /// <exception cref="BlockRejectedException">The block is out of sequence, not chained to the last block, its data
    /// hash is wrong, or a transaction marked valid does not decode. Nothing was written.</exception>
    public Task<BlockCommitResult> CommitAsync(PreparedBlock prepared, IReadOnlyList<TxValidationCode>? verdicts = null, CancellationToken cancellationToken = default) =>
        CommitAsync(prepared, verdicts, privateData: null, cancellationToken);

    /// <summary>
    /// Commits the next block with the private write sets this peer holds, by transaction index: for each valid
    /// transaction the plaintext of every collection whose hashes match goes to private state (the rest is
    /// reported in <see cref="BlockCommitResult.MissingPrivateData"/>). Purged keys are deleted at once and erased
    /// from the database files shortly after (<see cref="WaitForErasureAsync"/>).
    /// </summary>
    public async Task<BlockCommitResult> CommitAsync(
        PreparedBlock prepared, IReadOnlyList<TxValidationCode>? verdicts, IReadOnlyDictionary<int, TxPvtReadWriteSet>? privateData, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prepared);
        await _commitGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfUnusable();
            var block = prepared.Block;
            var number = CheckHeader(block, prepared.DataHash.Span);
            var txs = prepared.TransactionArray;
            var codes = InitialCodes(number, txs, verdicts);
            var reasons = new string?[txs.Length];
            var indexed = MvccValidator.MarkDuplicates(txs, codes, reasons, Blocks.Index);
            var updates = await MvccValidator.ValidateAsync(number, txs, codes, reasons, _state, cancellationToken, privateData, _options.PrivateDataLifetimes?.Invoke(this)).ConfigureAwait(false);

            var stored = WithValidationCodes(block, codes);
            var size = stored.CalculateSize();
            if (size > _options.MaxBlockBytes)
            {
                throw new BlockRejectedException(number, $"it is {size} bytes, more than the limit of {_options.MaxBlockBytes}");
            }

            cancellationToken.ThrowIfCancellationRequested(); // the last point at which giving up leaves nothing behind
            var headerHash = BlockHashing.HeaderHash(block.Header);
            var buffer = ArrayPool<byte>.Shared.Rent(size);
            try
            {
                stored.WriteTo(buffer.AsSpan(0, size));
                await WriteBlockAsync(number, buffer.AsMemory(0, size), txs, codes, indexed, updates).ConfigureAwait(false);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

            // Erasure is scheduled before the block becomes visible: whoever sees the new height (compliance
            // evidence) also sees the erasure as pending until it has run.
            if (updates.Purged.Count > 0 || updates.StoreRanges.Count > 0)
            {
                _state.ScheduleErasure(updates.Purged, updates.StoreRanges);
            }

            Blocks.Publish(number, headerHash);

            return new BlockCommitResult(number, codes, reasons, headerHash) { MissingPrivateData = updates.Missing, ExpiredPrivateKeys = updates.Expired };
        }
        finally
        {
            _commitGate.Release();
        }
    }

    /// <summary>
    /// Reconciliation: stores plaintext this member peer was missing, received from another member, for entries
    /// whose key and value hashes match the hashed state now (with that entry's version). Anything else — a key
    /// overwritten or deleted since, a value that does not hash right — is ignored. Returns how many were stored.
    /// </summary>
    public async Task<int> ReconcilePrivateAsync(string ns, string collection, IEnumerable<(string Key, ReadOnlyMemory<byte> Value)> entries, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        await _commitGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfUnusable();
            var batch = new UpdateBatch();
            var reconciled = new List<(Version Version, string Key, ReadOnlyMemory<byte> Value)>();
            foreach (var (key, value) in entries)
            {
                var keyHash = PrivateNamespaces.HashKey(PrivateNamespaces.HashOf(key));
                var hashed = await _state.GetStateAsync(PrivateNamespaces.Hashed(ns, collection), keyHash, cancellationToken).ConfigureAwait(false);
                if (hashed is null || !System.Security.Cryptography.SHA256.HashData(value.Span).AsSpan().SequenceEqual(hashed.Value.Span))
                {
                    continue;
                }

                var info = new TxInfo("reconciled", DateTimeOffset.UnixEpoch);
                batch.Put(PrivateNamespaces.Private(ns, collection), key, value, hashed.Version, info);
                batch.Put(PrivateNamespaces.KeyIndex(ns, collection), keyHash, System.Text.Encoding.UTF8.GetBytes(key), hashed.Version, info);
                reconciled.Add((hashed.Version, key, value));
            }

            if (batch.Count > 0 && _state.LatestSavepoint is { } savepoint)
            {
                using var writeBatch = new WriteBatch();
                foreach (var (version, key, value) in reconciled)
                {
                    PrivateData.AddReconciled(writeBatch, version, ns, collection, key, value);
                }

                _state.Apply(writeBatch, batch, savepoint);
            }

            return batch.Count / 2;
        }
        finally
        {
            _commitGate.Release();
        }
    }

    /// <summary>Completes when the purged keys of every block committed so far are erased from the database files.</summary>
    public Task WaitForErasureAsync() => _state.WaitForErasureAsync();

    /// <summary>True while a committed purge is still being compacted out of the database files.</summary>
    public bool ErasurePending => !_state.WaitForErasureAsync().IsCompleted;

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Blocks.Dispose();
        _state.Dispose();
        _database.Dispose();
        _commitGate.Dispose();
    }

    private ulong CheckHeader(Block block, ReadOnlySpan<byte> dataHash)
    {
        var expected = Blocks.Height;
        if (block.Header is null)
        {
            throw new BlockRejectedException(expected, "it has no header");
        }

        var number = block.Header.Number;
        if (number != expected)
        {
            throw new BlockRejectedException(number, $"out of sequence: the ledger's next block is {expected}");
        }

        var previous = Blocks.LastBlockHash.Span;
        if (!block.Header.PreviousHash.Span.SequenceEqual(previous))
        {
            throw new BlockRejectedException(number,
                $"previous hash {BlockHashing.Short(block.Header.PreviousHash.Span)} does not match the hash of block {(number == 0 ? "-" : (number - 1).ToString(System.Globalization.CultureInfo.InvariantCulture))} ({BlockHashing.Short(previous)})");
        }

        if (!block.Header.DataHash.Span.SequenceEqual(dataHash))
        {
            throw new BlockRejectedException(number,
                $"data hash {BlockHashing.Short(block.Header.DataHash.Span)} does not match its {block.Data?.Data.Count ?? 0} transactions ({BlockHashing.Short(dataHash)})");
        }

        return number;
    }

    private static TxValidationCode[] InitialCodes(ulong number, ParsedTransaction[] txs, IReadOnlyList<TxValidationCode>? verdicts)
    {
        if (verdicts is not null && verdicts.Count != txs.Length)
        {
            throw new BlockRejectedException(number, $"{verdicts.Count} validation verdicts given for {txs.Length} transactions");
        }

        var codes = new TxValidationCode[txs.Length];
        for (var i = 0; i < txs.Length; i++)
        {
            codes[i] = verdicts?[i] ?? TxValidationCode.Valid;
            if (codes[i] == TxValidationCode.Valid && txs[i].Problem is { } problem)
            {
                var id = txs[i].TxId.Length > 0 ? $" (tx id {txs[i].TxId})" : string.Empty;
                throw new BlockRejectedException(number, $"transaction {i}{id}: {problem}");
            }
        }

        return codes;
    }

    /// <summary>The block as stored: the orderer's metadata kept, <c>TRANSACTIONS_FILTER</c> set to one code byte per transaction.</summary>
    private static Block WithValidationCodes(Block block, TxValidationCode[] codes)
    {
        const int transactionsFilter = (int)BlockMetadataIndex.TransactionsFilter;
        var metadata = new BlockMetadata();
        if (block.Metadata is not null)
        {
            metadata.Metadata.AddRange(block.Metadata.Metadata);
        }

        while (metadata.Metadata.Count <= (int)BlockMetadataIndex.CommitHash)
        {
            metadata.Metadata.Add(ByteString.Empty);
        }

        var filter = new byte[codes.Length];
        for (var i = 0; i < codes.Length; i++)
        {
            filter[i] = (byte)codes[i];
        }

        metadata.Metadata[transactionsFilter] = UnsafeByteOperations.UnsafeWrap(filter);
        return new Block { Header = block.Header, Data = block.Data ?? new BlockData(), Metadata = metadata };
    }

    /// <summary>
    /// Block file first, then one atomic batch with the index, state, history and savepoint. The block file's
    /// fsync runs while the batch is encoded and must finish before the batch is written, so the database never
    /// refers to a block a power cut could lose. If the batch fails, the record is cut off again so the files end
    /// at the last committed block.
    /// </summary>
    private async Task WriteBlockAsync(ulong number, ReadOnlyMemory<byte> bytes, ParsedTransaction[] txs, TxValidationCode[] codes, bool[] indexed, BlockUpdates updates)
    {
        var location = Blocks.Append(bytes);
        try
        {
            var flushed = Task.Run(Blocks.FlushAppended);
            using var batch = new WriteBatch();
            var savepoint = Savepoint(number, txs.Length);
            try
            {
                Blocks.AddToBatch(batch, number, location, IndexedTxs(number, txs, codes, indexed));
                _state.Stage(batch, updates.Batch, savepoint);
                updates.StoreRanges = PrivateData.Stage(batch, number, updates.Stored, updates.StoreRemovals);
            }
            finally
            {
                await flushed.ConfigureAwait(false);
            }

            _state.Write(batch, savepoint);
        }
        catch (Exception e)
        {
            try
            {
                Blocks.UndoAppend(location);
            }
            catch (Exception undo)
            {
                _faulted = $"block {number} was written to {location} but its commit failed ({e.Message}) and could not be undone ({undo.Message}); reopen the ledger to recover";
                _logger.LogError(undo, "Ledger {Path} is unusable until reopened: {Reason}", Path, _faulted);
            }

            throw;
        }
    }

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

    private static Version Savepoint(ulong number, int txCount) => new(number, (ulong)Math.Max(0, txCount - 1));

    private void ThrowIfUnusable()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_faulted is not null)
        {
            throw new InvalidOperationException(_faulted);
        }
    }
}
