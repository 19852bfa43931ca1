namespace FnzChain.Client;

/// <summary>
/// A transaction the orderer accepted was not seen committed in time: the gateway's peer committed
/// <see cref="MaxBlocks"/> blocks without it, or <see cref="Gateway.Timeout"/> passed. Its outcome is in doubt —
/// most likely the orderer lost it (a solo orderer that stops before cutting a block forgets the envelopes it
/// queued). Resubmitting the same <see cref="Transaction"/> is safe: if the first copy did commit after all, the
/// second commits as <see cref="Protos.Peer.TxValidationCode.DuplicateTxid"/> and changes nothing.
/// </summary>
/// <example>
/// <code>
/// try
/// {
///     await contract.SubmitAsync("PlaceSubscription", "ORD-1", "ACC-1", "GEQ-A", "10000", "EUR");
/// }
/// catch (TransactionNotCommittedException e) when (e.Transaction is not null)
/// {
///     var status = await contract.Network.ResubmitAsync(e.Transaction);
///     // Valid: ordered now. DuplicateTxid: the first copy had committed; GetCommitStatusAsync(e.TransactionId) tells how.
/// }
/// </code>
/// </example>
public sealed class TransactionNotCommittedException : Exception
{
    /// <summary>Which limit ended the wait.</summary>
    public enum Limit
    {
        /// <summary>The peer committed <see cref="MaxBlocks"/> blocks without the transaction.</summary>
        Blocks,

        /// <summary>The gateway's <see cref="Gateway.Timeout"/> passed (e.g. no blocks at all while the orderer was down).</summary>
        Time,
    }

    internal TransactionNotCommittedException(string transactionId, ulong fromHeight, ulong toHeight, int maxBlocks, Limit reached, TimeSpan? waited, SignedTransaction? transaction)
        : base(MessageOf(transactionId, fromHeight, toHeight, maxBlocks, reached, waited, transaction is not null))
    {
        TransactionId = transactionId;
        FromHeight = fromHeight;
        ToHeight = toHeight;
        MaxBlocks = maxBlocks;
        Reached = reached;
        Transaction = transaction;
    }

    /// <summary>The transaction's id.</summary>
    public string TransactionId { get; }

    /// <summary>The peer's height (block count) when the wait began: the transaction is in none of the blocks from here on.</summary>
    public ulong FromHeight { get; }

    /// <summary>The peer's height when the wait ended.</summary>
    public ulong ToHeight { get; }

    /// <summary>How many blocks were committed while waiting (<see cref="ToHeight"/> − <see cref="FromHeight"/>).</summary>
    public ulong BlocksWaited => ToHeight - FromHeight;

    /// <summary>The block limit in force (<see cref="Gateway.MaxCommitWaitBlocks"/>).</summary>
    public int MaxBlocks { get; }

    /// <summary>Which limit ended the wait.</summary>
    public Limit Reached { get; }

    /// <summary>The signed transaction to resubmit with <see cref="Network.ResubmitAsync"/> (null when the wait did not follow a submission of this client, as in <see cref="Network.GetCommitStatusAsync"/>).</summary>
    public SignedTransaction? Transaction { get; }

    private static string MessageOf(string transactionId, ulong from, ulong to, int maxBlocks, Limit reached, TimeSpan? waited, bool resubmittable)
    {
        var within = reached == Limit.Blocks ? $"{maxBlocks} block{(maxBlocks == 1 ? string.Empty : "s")}" : $"{waited?.TotalSeconds:0.#} s";
        var advice = resubmittable ? "it is safe to resubmit the same signed transaction (a copy that did commit makes the resubmission DUPLICATE_TXID)" : "resubmitting the same signed transaction is safe";
        return $"transaction {transactionId} was not committed within {within} (the peer's height moved from {from} to {to}): the orderer may have lost it (restarted before cutting a block?); {advice}";
    }
}
