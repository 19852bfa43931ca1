using FnzChain.Ledger.Blocks;
using FnzChain.Ledger.State.RocksDb;
using FnzChain.Ledger.Storage;
using FnzChain.Ledger.Validation;
using FnzChain.Protos.Common;
using FnzChain.Protos.Peer;
using Google.Protobuf;

namespace FnzChain.Ledger.Verification;

/// <summary>The outcome of <see cref="LedgerVerifier.Verify"/>: a summary, or the first bad block and why.</summary>
public sealed record VerificationReport(
    ulong Blocks,
    long Transactions,
    long ValidTransactions,
    string LastBlockHash,
    ulong? BadBlock,
    string? Problem,
    IReadOnlyList<string> Notes)
{
    public bool IsIntact => Problem is null;
}

/// <summary>
/// Re-checks a ledger folder without changing it (<c>fnzchain ledger verify</c>): every record's checksum, the hash
/// chain, each block's data hash, and that the index agrees with the blocks (locations; tx ids and validation codes unless the ledger indexes none)
/// and the state savepoint with the height. Stops at the first bad block. Safe to run next to a live node: the
/// database is opened read-only and the files are only read.
/// </summary>
public static class LedgerVerifier
{
    /// <param name="encryption">The cipher of a ledger encrypted at rest (a read-only one will do); null for a ledger in the clear.</param>
    public static VerificationReport Verify(string ledgerPath, int maxBlockBytes = 128 * 1024 * 1024, Encryption.AtRestCipher? encryption = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(ledgerPath);
        var blocksPath = Path.Combine(ledgerPath, ChannelLedger.BlocksFolder);
        var databasePath = Path.Combine(ledgerPath, ChannelLedger.DatabaseFolder);
        if (!Directory.Exists(blocksPath) || !Directory.Exists(databasePath))
        {
            throw new DirectoryNotFoundException(
                $"{ledgerPath} is not a ledger folder: it needs {ChannelLedger.BlocksFolder}/ and {ChannelLedger.DatabaseFolder}/");
        }

        Encryption.LedgerEncryptionMarker.Check(ledgerPath, encryption, readOnly: true);
        using var database = ChannelDatabase.OpenReadOnly(databasePath, encryption);
        using var files = new BlockFiles(blocksPath, long.MaxValue, maxBlockBytes, sync: false, encryption);
        return new Walk(database, files).Run();
    }

    private sealed class Walk(ChannelDatabase database, BlockFiles files)
    {
        private readonly BlockIndex _index = new(database);
        private readonly bool _txIndexed = new BlockIndex(database).ReadTxIndexing() ?? true;
        private readonly List<string> _notes = [];
        private ulong _count;
        private long _transactions;
        private long _valid;
        private byte[] _previousHash = [];

        public VerificationReport Run()
        {
            var checkpoint = _index.ReadCheckpoint() ?? new BlockStoreCheckpoint(0, 0, 0);
            if (!_txIndexed)
            {
                _notes.Add("tx ids are not indexed (an orderer's ledger): the index was checked for blocks only");
            }

            foreach (var record in files.Scan(0, 0))
            {
                if (record.Problem is not null)
                {
                    if (_count >= checkpoint.Height && record.IsTornTail)
                    {
                        _notes.Add($"an interrupted write after block {(long)_count - 1} at {record.Location} ({record.Problem}) will be cut off when the ledger is next opened");
                        break;
                    }

                    return Bad($"{record.Location}: {record.Problem}");
                }

                if (CheckBlock(record, checkpoint) is { } problem)
                {
                    return Bad(problem);
                }
            }

            if (_count < checkpoint.Height)
            {
                return Bad($"the index records {checkpoint.Height} blocks but the block files end after {_count}");
            }

            if (_count > checkpoint.Height)
            {
                _notes.Add($"blocks {checkpoint.Height}..{_count - 1} are in the block files but not yet indexed; they will be recovered when the ledger is next opened");
            }

            var savepoint = RocksDbStateDatabase.ReadSavepoint(database);
            var stateHeight = savepoint is { } s ? s.BlockNumber + 1 : 0;
            if (stateHeight > _count)
            {
                return Bad($"the state savepoint is at block {stateHeight - 1}, beyond the last block in the block files", _count);
            }

            if (stateHeight < checkpoint.Height)
            {
                _notes.Add($"the state is at block {(long)stateHeight - 1}; later blocks will be replayed when the ledger is next opened");
            }

            return Report(null, null);
        }

        private string? CheckBlock(ScannedRecord record, BlockStoreCheckpoint checkpoint)
        {
            Block block;
            try
            {
                block = Block.Parser.ParseFrom(record.Block);
            }
            catch (InvalidProtocolBufferException e)
            {
                return $"{record.Location}: does not parse as a block: {e.Message}";
            }

            if (block.Header is null)
            {
                return $"{record.Location}: has no header";
            }

            if (block.Header.Number != _count)
            {
                return $"{record.Location}: holds block number {block.Header.Number}, expected {_count}";
            }

            if (!block.Header.PreviousHash.Span.SequenceEqual(_previousHash))
            {
                return $"previous hash {BlockHashing.Short(block.Header.PreviousHash.Span)} does not match the hash of the block before ({BlockHashing.Short(_previousHash)})";
            }

            var dataHash = BlockHashing.DataHash(block.Data);
            if (!block.Header.DataHash.Span.SequenceEqual(dataHash))
            {
                return $"data hash {BlockHashing.Short(block.Header.DataHash.Span)} does not match its data ({BlockHashing.Short(dataHash)})";
            }

            var txCount = block.Data?.Data.Count ?? 0;
            TxValidationCode[] codes;
            try
            {
                codes = ChannelLedger.StoredCodes(block, txCount);
            }
            catch (LedgerCorruptedException e)
            {
                return e.Message;
            }

            if (_count < checkpoint.Height && CheckIndex(block, record.Location, codes) is { } indexProblem)
            {
                return indexProblem;
            }

            _transactions += txCount;
            _valid += codes.Count(c => c == TxValidationCode.Valid);
            _previousHash = BlockHashing.HeaderHash(block.Header);
            _count++;
            return null;
        }

        private string? CheckIndex(Block block, BlockLocation location, TxValidationCode[] codes)
        {
            var number = block.Header.Number;
            var indexed = _index.GetBlockLocation(number);
            if (indexed != location)
            {
                return indexed is null ? "missing from the index" : $"the index places it at {indexed}, but it is at {location}";
            }

            for (var i = 0; _txIndexed && i < codes.Length; i++)
            {
                var txId = TransactionParser.Parse(i, block.Data.Data[i]).TxId;
                if (txId.Length == 0)
                {
                    continue;
                }

                if (_index.GetTx(txId) is not { } entry)
                {
                    return $"transaction {i} (tx id {txId}) is missing from the index";
                }

                var isThis = entry.BlockNumber == number && entry.TxIndex == i;
                if (isThis && entry.Code != codes[i])
                {
                    return $"transaction {i} (tx id {txId}) has code {codes[i]} in the block but {entry.Code} in the index";
                }

                var pointsLater = entry.BlockNumber > number || (entry.BlockNumber == number && entry.TxIndex > i);
                if (!isThis && pointsLater)
                {
                    return $"transaction {i} (tx id {txId}) is the first use of its tx id, but the index points at block {entry.BlockNumber} transaction {entry.TxIndex}";
                }
            }

            return null;
        }

        private VerificationReport Bad(string problem, ulong? block = null) => Report(block ?? _count, problem);

        private VerificationReport Report(ulong? badBlock, string? problem) =>
            new(_count, _transactions, _valid, Convert.ToHexStringLower(_previousHash), badBlock, problem, _notes);
    }
}
