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
using Version = FnzChain.Ledger.State.Version;

namespace FnzChain.Ledger;

/// <summary>
/// Everything one node keeps on disk for one channel: the block store, the world state, history and the index,
/// in a folder holding <c>blocks/</c> (segment files) and <c>db/</c> (the channel's RocksDB database). Blocks are
/// committed one at a time: checked for sequence and hashes, validated (duplicates, MVCC, phantoms), then written —
/// block file first, then index, history, private data, state and savepoint in one atomic batch of the channel
/// database; when the public state is in a database of its own (<see cref="LedgerOptions.StateDatabase"/>), its
/// part of the block is applied right after that batch.
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

    // The state of the channel database (always RocksDB): private-derived namespaces, and public ones too unless
    // _public is set. _state is what readers and validation see: _channel itself, or the split of both.
    private readonly IChannelBatchStateDatabase _channel;
    private readonly IErasableStateDatabase? _erasure;
    private readonly IStateDatabase? _public;
    private readonly IStateDatabase _state;
    private readonly LedgerOptions _options;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _commitGate = new(1, 1);
    private readonly CancellationTokenSource _closing = new();
    private string? _faulted;
    private string? _storageProblem;
    private bool _disposed;

    private ChannelLedger(string path, ChannelDatabase database, IChannelBatchStateDatabase channel, IStateDatabase? publicState, BlockStore blocks, LedgerOptions options)
    {
        Path = path;
        _database = database;
        _channel = channel;
        _erasure = channel as IErasableStateDatabase;
        _public = publicState;
        _state = publicState is null ? channel : new SplitStateDatabase(channel, publicState);
        Transient = new Private.TransientStore(database);
        PrivateData = new Private.PrivateDataStore(database);
        History = new HistoryStore(database);
        Blocks = blocks;
        _options = options;
        _logger = options.Logger;
    }

    /// <summary>The ledger folder.</summary>
    public string Path { get; }

    public BlockStore Blocks { get; }

    /// <summary>The world state (also usable for endorsement snapshots): public and private-derived namespaces, wherever each lives.</summary>
    public IStateDatabase State => _state;

    /// <summary>Private write sets from endorsement, waiting for their transactions to commit.</summary>
    public Private.TransientStore Transient { get; }

    /// <summary>The private write sets this member peer committed, per block (for Deliver with private data).</summary>
    public Private.PrivateDataStore PrivateData { get; }

    /// <summary>History of public keys (empty when <see cref="LedgerOptions.EnableHistory"/> is off).</summary>
    public HistoryStore History { get; }

    /// <summary>Whether tx ids are indexed (<see cref="LedgerOptions.IndexTransactions"/> when the ledger was created).</summary>
    public bool IndexesTransactions { get; private init; }

    /// <summary>Number of committed blocks.</summary>
    public ulong Height => Blocks.Height;

    /// <summary>Opens (creating if needed) the ledger in <paramref name="path"/>, recovering from an interrupted commit.</summary>
    public static async Task<ChannelLedger> OpenAsync(string path, LedgerOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= new LedgerOptions();
        options.Validate();
        Directory.CreateDirectory(path);
        Encryption.LedgerEncryptionMarker.Check(path, options.Encryption, readOnly: false);
        var database = ChannelDatabase.Open(System.IO.Path.Combine(path, DatabaseFolder), options.ToStorageOptions());
        ChannelLedger? ledger = null;
        IStateDatabase? opened = null;
        IChannelBatchStateDatabase? channel = null;
        try
        {
            var provider = options.StateDatabase ?? RocksDbStateDatabaseProvider.ChannelDatabase;
            opened = await provider.OpenAsync(new StateDatabaseContext(path, database, options.Logger), cancellationToken).ConfigureAwait(false);
            IStateDatabase? publicState = null;
            if (opened is IChannelBatchStateDatabase shared && ReferenceEquals(shared.Database, database))
            {
                channel = shared; // one state, one batch per block: no split, no replay between halves
            }
            else
            {
                publicState = opened;
                channel = RocksDbStateDatabaseProvider.OpenOnChannel(database);
            }

            var files = new BlockFiles(
                System.IO.Path.Combine(path, BlocksFolder), options.SegmentBytes, options.MaxBlockBytes, options.Durability == CommitDurability.Synced, options.Encryption);
            var index = new BlockIndex(database);
            ledger = new ChannelLedger(path, database, channel, publicState, new BlockStore(files, index), options) { IndexesTransactions = TxIndexing(database, index, options) };
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
                if (!ReferenceEquals(opened, channel))
                {
                    opened?.Dispose();
                }

                channel?.Dispose();
                database.Dispose();
            }

            throw;
        }
    }

    /// <summary>
    /// Whether tx ids are indexed: fixed when the ledger is created (<see cref="LedgerOptions.IndexTransactions"/>), and
    /// recorded in it so that recovery and <c>ledger verify</c> know; a ledger older than the setting indexes.
    /// </summary>
    private static bool TxIndexing(ChannelDatabase database, BlockIndex index, LedgerOptions options)
    {
        if (index.ReadTxIndexing() is { } recorded)
        {
            return recorded;
        }

        if (index.ReadCheckpoint() is not null)
        {
            return true;
        }

        using var batch = database.CreateBatch();
        BlockIndex.SetTxIndexing(batch, options.IndexTransactions);
        database.Write(batch);
        return options.IndexTransactions;
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
        if (!IndexesTransactions)
        {
            throw new InvalidOperationException($"ledger {Path} indexes no tx ids (an orderer's ledger): it cannot validate blocks; append them with {nameof(AppendAsync)}");
        }

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
            var (checkedCodes, checkedReasons) = ((TxValidationCode[])codes.Clone(), (string?[])reasons.Clone());
            var updates = await ReadingStateAsync(number, async () =>
            {
                // Each attempt starts from the codes of the checks before it.
                checkedCodes.CopyTo(codes, 0);
                checkedReasons.CopyTo(reasons, 0);
                var lifetimes = await PrivateDataLifetimesAsync(cancellationToken).ConfigureAwait(false);
                return await MvccValidator.ValidateAsync(number, txs, codes, reasons, _state, cancellationToken, privateData, lifetimes).ConfigureAwait(false);
            }, cancellationToken).ConfigureAwait(false);

            var (stored, size) = AsStored(number, block, codes);

            cancellationToken.ThrowIfCancellationRequested(); // the last point at which giving up leaves nothing behind
            var headerHash = BlockHashing.HeaderHash(block.Header);
            UpdateBatch? publicUpdates;
            var buffer = ArrayPool<byte>.Shared.Rent(size);
            try
            {
                stored.WriteTo(buffer.AsSpan(0, size));
                publicUpdates = await WriteBlockAsync(number, buffer.AsMemory(0, size), txs, codes, indexed, updates).ConfigureAwait(false);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

            // Erasure is scheduled before the block becomes visible: whoever sees the new height (compliance
            // evidence) also sees the erasure as pending until it has run.
            if (updates.Purged.Count > 0 || updates.StoreRanges.Count > 0)
            {
                _erasure?.ScheduleErasure(updates.Purged, updates.StoreRanges);
            }

            if (publicUpdates is not null)
            {
                await ApplyPublicAsync(number, publicUpdates, Savepoint(number, txs.Length)).ConfigureAwait(false);
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
                var hashed = await _channel.GetStateAsync(PrivateNamespaces.Hashed(ns, collection), keyHash, cancellationToken).ConfigureAwait(false);
                if (hashed is null || !System.Security.Cryptography.SHA256.HashData(value.Span).AsSpan().SequenceEqual(hashed.Value.Span))
                {
                    continue;
                }

                var info = new TxInfo("reconciled", DateTimeOffset.UnixEpoch);
                batch.Put(PrivateNamespaces.Private(ns, collection), key, value, hashed.Version, info);
                batch.Put(PrivateNamespaces.KeyIndex(ns, collection), keyHash, System.Text.Encoding.UTF8.GetBytes(key), hashed.Version, info);
                reconciled.Add((hashed.Version, key, value));
            }

            // Private-derived namespaces only: all of it goes to the channel database, in one batch.
            if (batch.Count > 0 && _channel.LatestSavepoint is { } savepoint)
            {
                using var writeBatch = _database.CreateBatch();
                foreach (var (version, key, value) in reconciled)
                {
                    PrivateData.AddReconciled(writeBatch, version, ns, collection, key, value);
                }

                _channel.Stage(writeBatch, batch, savepoint);
                _channel.Write(writeBatch, savepoint);
            }

            return batch.Count / 2;
        }
        finally
        {
            _commitGate.Release();
        }
    }

    /// <summary>Completes when the purged keys of every block committed so far are erased from the database files.</summary>
    public Task WaitForErasureAsync() => _erasure?.WaitForErasureAsync() ?? Task.CompletedTask;

    /// <summary>True while a committed purge is still being compacted out of the database files.</summary>
    public bool ErasurePending => !WaitForErasureAsync().IsCompleted;

    /// <summary>True when the public state database answers rich (Mango) queries: CouchDB.</summary>
    public bool SupportsRichQueries => _public is IIndexCapableStateDatabase;

    /// <summary>
    /// Creates the indexes of namespace <paramref name="ns"/> in the public state database when it indexes JSON values
    /// (CouchDB); false, doing nothing, when it does not (RocksDB). A bad definition fails naming it.
    /// </summary>
    public async ValueTask<bool> DeployIndexesAsync(string ns, IReadOnlyList<StateIndexDefinition> indexes, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_public is not IIndexCapableStateDatabase indexing)
        {
            return false;
        }

        await indexing.DeployIndexesAsync(ns, indexes, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// Why commits are waiting on storage right now (the public state database failing to apply a committed block,
    /// retried until it succeeds), or null: what a node's health check reports.
    /// </summary>
    public string? StorageProblem => Volatile.Read(ref _storageProblem);

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _closing.Cancel(); // a commit retrying the public state gives up; opening again replays its block
        // Let a commit in flight leave before its storage goes (it releases the gate, and must not find it disposed).
        var idle = _commitGate.Wait(TimeSpan.FromSeconds(30));
        Blocks.Dispose();
        _public?.Dispose();
        _channel.Dispose();
        _database.Dispose();
        if (idle)
        {
            _commitGate.Dispose();
            _closing.Dispose();
        }
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

    /// <summary>The block as stored (<see cref="WithValidationCodes"/>) and its size, refused when over <see cref="LedgerOptions.MaxBlockBytes"/>.</summary>
    private (Block Stored, int Size) AsStored(ulong number, Block block, TxValidationCode[] codes)
    {
        var stored = WithValidationCodes(block, codes);
        var size = stored.CalculateSize();
        return size > _options.MaxBlockBytes
            ? throw new BlockRejectedException(number, $"it is {size} bytes, more than the limit of {_options.MaxBlockBytes}")
            : (stored, size);
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
