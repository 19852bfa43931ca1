namespace FnzChain.Ledger;

/// <summary>Base of the ledger's errors. Messages are one line and name the block, file or key concerned.</summary>
public abstract class LedgerException : Exception
{
    protected LedgerException(string message)
        : base(message)
    {
    }

    protected LedgerException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>A block was refused before anything of it was written: out of sequence, not chained, or not decodable.</summary>
public sealed class BlockRejectedException : LedgerException
{
    public BlockRejectedException(ulong blockNumber, string reason)
        : base($"block {blockNumber} rejected: {reason}")
    {
        BlockNumber = blockNumber;
        Reason = reason;
    }

    public BlockRejectedException(ulong blockNumber, string reason, Exception innerException)
        : base($"block {blockNumber} rejected: {reason}", innerException)
    {
        BlockNumber = blockNumber;
        Reason = reason;
    }

    public ulong BlockNumber { get; }

    public string Reason { get; }
}

/// <summary>
/// The files on disk contradict each other or lost committed data (damaged bytes, a missing file, an index that
/// points past the end). Raised instead of silently dropping what was committed; an operator must look.
/// </summary>
public sealed class LedgerCorruptedException : LedgerException
{
    public LedgerCorruptedException(string message)
        : base(message)
    {
    }

    public LedgerCorruptedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
