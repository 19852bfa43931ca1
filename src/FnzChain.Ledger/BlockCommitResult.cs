using FnzChain.Protos.Peer;

namespace FnzChain.Ledger;

/// <summary>What committing a block decided: a validation code per transaction (and why, for invalid ones).</summary>
public sealed record BlockCommitResult(
    ulong BlockNumber,
    IReadOnlyList<TxValidationCode> Codes,
    IReadOnlyList<string?> Reasons,
    ReadOnlyMemory<byte> BlockHash)
{
    public int ValidCount => Codes.Count(c => c == TxValidationCode.Valid);
}
