using System.Buffers;
using FnzChain.Ledger.Blocks;
using FnzChain.Ledger.State;
using FnzChain.Protos.Common;
using FnzChain.Protos.Peer;
using Google.Protobuf;
using Version = FnzChain.Ledger.State.Version;

namespace FnzChain.Ledger;

public sealed partial class ChannelLedger
{
    /// <summary>
    /// The orderer's append: stores the next block as ordered, every transaction <c>NOT_VALIDATED</c> for the peers to
    /// judge. On a ledger that indexes no tx ids (<see cref="LedgerOptions.IndexTransactions"/> false, Fabric's orderer
    /// ledger) nothing of a transaction is decoded: the block file, the block index and the savepoint, in the order
    /// and with the durability of <see cref="CommitAsync(PreparedBlock, IReadOnlyList{TxValidationCode}?, CancellationToken)"/>
    /// (the file fsynced before the index batch), so recovery and <c>ledger verify</c> treat it the same. On a ledger
    /// that indexes tx ids (one created before the setting existed) it is that commit, with every code NOT_VALIDATED.
    /// </summary>
    /// <exception cref="BlockRejectedException">The block is out of sequence, not chained to the last block, or its
    /// data hash is wrong. Nothing was written.</exception>
    public async Task AppendAsync(Block block, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(block);
        var count = block.Data?.Data.Count ?? 0;
        var codes = new TxValidationCode[count];
        Array.Fill(codes, TxValidationCode.NotValidated);
        if (IndexesTransactions)
        {
            await CommitAsync(block, codes, cancellationToken).ConfigureAwait(false);
            return;
        }

        var dataHash = BlockHashing.DataHash(block.Data);
        await _commitGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfUnusable();
            var number = CheckHeader(block, dataHash);
            var (stored, size) = AsStored(number, block, codes);

            cancellationToken.ThrowIfCancellationRequested(); // the last point at which giving up leaves nothing behind
            var headerHash = BlockHashing.HeaderHash(block.Header);
            var buffer = ArrayPool<byte>.Shared.Rent(size);
            try
            {
                stored.WriteTo(buffer.AsSpan(0, size));
                AppendBlock(number, buffer.AsMemory(0, size), Savepoint(number, count));
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

            Blocks.Publish(number, headerHash);
        }
        finally
        {
            _commitGate.Release();
        }
    }

    /// <summary>Block file (fsynced), then the block index, the checkpoint and the savepoint in one batch; nothing of the transactions.</summary>
    private void AppendBlock(ulong number, ReadOnlyMemory<byte> bytes, Version savepoint)
    {
        var location = Blocks.Append(bytes);
        try
        {
            Blocks.FlushAppended();
            using var batch = _database.CreateBatch();
            BlockStore.AddToBatch(batch, number, location, []);
            _channel.Stage(batch, new UpdateBatch(), savepoint);
            _channel.Write(batch, savepoint);
        }
        catch (Exception e)
        {
            UndoAppend(number, location, e);
            throw;
        }
    }
}
