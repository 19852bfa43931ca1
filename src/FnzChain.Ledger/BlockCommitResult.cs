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

    /// <summary>Private data of valid transactions that this commit did not have, or that did not match its hashes.</summary>
    public IReadOnlyList<MissingPrivateData> MissingPrivateData { get; init; } = [];

    /// <summary>How many private keys reached the end of their collection's block-to-live at this block and were removed.</summary>
    public int ExpiredPrivateKeys { get; init; }
}

/// <summary>A collection of a committed transaction whose plaintext this peer does not hold, and why.</summary>
public sealed record MissingPrivateData(int TxIndex, string Namespace, string Collection, string Reason);
