using FnzChain.Protos.Common;
using FnzChain.Protos.Ledger.Rwset.Kvrwset;

namespace FnzChain.Ledger.Validation;

/// <summary>
/// The read/write set of one namespace in a transaction: a chaincode's own, or one derived from a private data
/// collection's hashed read/write set (<see cref="State.PrivateNamespaces"/>), then <see cref="Collection"/> names it.
/// </summary>
public sealed record NamespaceReadWriteSet(string Namespace, KVRWSet ReadWriteSet, string? Collection = null)
{
    /// <summary>The chaincode whose read/write set this is.</summary>
    public string Chaincode => State.PrivateNamespaces.ChaincodeOf(Namespace);
}

/// <summary>
/// A private key a transaction deletes, by chaincode, collection and key hash (hex); <see cref="IsPurge"/> when it
/// is also to be erased from the node's files (Fabric 2.5's <c>PurgePrivateData</c>).
/// </summary>
public sealed record PrivateDeletion(string Namespace, string Collection, string KeyHash, bool IsPurge);

/// <summary>
/// What the ledger needs of one transaction of a block: its id, type and time, and for endorser transactions the
/// read/write sets. <see cref="Problem"/> says why it could not be decoded (then nothing else is reliable).
/// </summary>
public sealed record ParsedTransaction(
    int Index,
    string TxId,
    HeaderType Type,
    DateTimeOffset Timestamp,
    IReadOnlyList<NamespaceReadWriteSet> ReadWriteSets,
    string? Problem)
{
    /// <summary>Private keys this transaction deletes or purges (hashed deletes; <c>is_purge</c> marks purges).</summary>
    public IReadOnlyList<PrivateDeletion> PrivateDeletions { get; init; } = [];

    public bool IsEndorserTransaction => Type == HeaderType.EndorserTransaction;

    public static ParsedTransaction Failed(int index, string txId, string problem) =>
        new(index, txId, HeaderType.Message, DateTimeOffset.UnixEpoch, [], problem);
}
