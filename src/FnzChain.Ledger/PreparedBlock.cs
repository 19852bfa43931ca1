using FnzChain.Ledger.Blocks;
using FnzChain.Ledger.Validation;
using FnzChain.Protos.Common;

namespace FnzChain.Ledger;

/// <summary>
/// A block with the work that does not depend on the ledger's state done: every transaction decoded and the data
/// hash computed. <see cref="ChannelLedger.Prepare"/> is pure and thread-safe, so a peer prepares block n+1 (and
/// checks its signatures) while block n commits; <see cref="ChannelLedger.CommitAsync(PreparedBlock, IReadOnlyList{FnzChain.Protos.Peer.TxValidationCode}?, CancellationToken)"/>
/// then does only what must be sequential.
/// </summary>
public sealed class PreparedBlock
{
    internal PreparedBlock(Block block, ParsedTransaction[] transactions, byte[] dataHash)
    {
        Block = block;
        Transactions = transactions;
        DataHash = dataHash;
    }

    public Block Block { get; }

    /// <summary>The decoded transactions, in block order; each says what did not decode, if anything.</summary>
    public IReadOnlyList<ParsedTransaction> Transactions { get; }

    internal ParsedTransaction[] TransactionArray => (ParsedTransaction[])Transactions;

    /// <summary>The data hash computed from the block's data (compared with the header's at commit).</summary>
    public ReadOnlyMemory<byte> DataHash { get; }

    internal static PreparedBlock From(Block block)
    {
        ArgumentNullException.ThrowIfNull(block);
        byte[] dataHash = [];
        ParsedTransaction[] transactions = [];
        Parallel.Invoke(() => dataHash = BlockHashing.DataHash(block.Data), () => transactions = TransactionParser.ParseBlock(block));
        return new PreparedBlock(block, transactions, dataHash);
    }
}
