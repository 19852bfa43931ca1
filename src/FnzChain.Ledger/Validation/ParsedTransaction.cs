using FnzChain.Protos.Common;
using FnzChain.Protos.Ledger.Rwset.Kvrwset;

namespace FnzChain.Ledger.Validation;

/// <summary>The read/write set of one chaincode namespace in a transaction.</summary>
public sealed record NamespaceReadWriteSet(string Namespace, KVRWSet ReadWriteSet);

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
    public bool IsEndorserTransaction => Type == HeaderType.EndorserTransaction;

    public static ParsedTransaction Failed(int index, string txId, string problem) =>
        new(index, txId, HeaderType.Message, DateTimeOffset.UnixEpoch, [], problem);
}
