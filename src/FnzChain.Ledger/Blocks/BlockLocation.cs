using FnzChain.Protos.Peer;

namespace FnzChain.Ledger.Blocks;

/// <summary>Where a block's record starts in the segment files, and the length of the serialized block in it.</summary>
public readonly record struct BlockLocation(int File, long Offset, int Length)
{
    /// <summary>Offset just past the record (header and block).</summary>
    public long End => Offset + BlockRecord.HeaderLength + Length;

    public override string ToString() => $"{BlockFiles.FileName(File)} at offset {Offset}";
}

/// <summary>Where a committed transaction is: its block, its index in the block, and its validation code.</summary>
public readonly record struct TxLocation(ulong BlockNumber, int TxIndex, TxValidationCode Code);
