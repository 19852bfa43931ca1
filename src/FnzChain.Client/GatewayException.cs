using FnzChain.Protos.Gateway;
using FnzChain.Protos.Peer;
using Grpc.Core;

namespace FnzChain.Client;

/// <summary>A gateway call failed: the gRPC status, the message naming the cause, and one detail per failing node.</summary>
public class GatewayException : Exception
{
    /// <summary>Wraps a failed gateway call.</summary>
    public GatewayException(RpcException exception)
        : this(exception, transaction: null)
    {
    }

    internal GatewayException(RpcException exception, SignedTransaction? transaction)
        : base(exception?.Status.Detail, exception)
    {
        Transaction = transaction;
        ArgumentNullException.ThrowIfNull(exception);
        StatusCode = exception.StatusCode;
        var bytes = exception.Trailers.GetValueBytes("grpc-status-details-bin");
        Details = bytes is null
            ? []
            : FnzChain.Protos.Rpc.Status.Parser.ParseFrom(bytes).Details.Where(d => d.Is(ErrorDetail.Descriptor)).Select(d => d.Unpack<ErrorDetail>()).ToList();
    }

    /// <summary>The gRPC status code (e.g. <see cref="Grpc.Core.StatusCode.Aborted"/> when endorsement failed).</summary>
    public StatusCode StatusCode { get; }

    /// <summary>
    /// For a failed Submit, the signed transaction. Its outcome may be in doubt (an orderer can have ordered it and
    /// failed before answering); resubmitting it with <see cref="Network.ResubmitAsync"/> is safe.
    /// </summary>
    public SignedTransaction? Transaction { get; }

    /// <summary>Per-node failures (address, MSP id, message), when the gateway reported them.</summary>
    public IReadOnlyList<ErrorDetail> Details { get; }
}

/// <summary>A submitted transaction was committed but is not valid (e.g. MVCC_READ_CONFLICT, ENDORSEMENT_POLICY_FAILURE).</summary>
public sealed class CommitException(string transactionId, TxValidationCode code, ulong blockNumber)
    : Exception($"transaction {transactionId} was committed in block {blockNumber} as {code}")
{
    /// <summary>The transaction's id.</summary>
    public string TransactionId { get; } = transactionId;

    /// <summary>Why the committing peers refused it.</summary>
    public TxValidationCode Code { get; } = code;

    /// <summary>The block that holds it.</summary>
    public ulong BlockNumber { get; } = blockNumber;
}
