namespace FnzChain.Node.Audit;

/// <summary>
/// One request as the audit trail keeps it: who (origin, TLS client, creator), what (method, channel, tx id,
/// chaincode and function — never arguments, transient or private data), and how it ended. One per unary or
/// server-streaming call, one per message of a Broadcast or Deliver stream.
/// </summary>
public sealed record AuditRecord
{
    /// <summary>When the request arrived (UTC).</summary>
    public required DateTimeOffset Time { get; init; }

    /// <summary>The gRPC method, e.g. <c>/gateway.Gateway/Evaluate</c>.</summary>
    public required string Method { get; init; }

    /// <summary>The client's IP address as the node's socket saw it.</summary>
    public string? Origin { get; init; }

    public int? OriginPort { get; init; }

    /// <summary>Subject of the client's TLS certificate, when the connection presented one.</summary>
    public string? TlsClientSubject { get; init; }

    /// <summary>The creator's MSP id (as claimed, when its identity was refused).</summary>
    public string? MspId { get; init; }

    /// <summary>The creator's certificate subject, when its identity validated.</summary>
    public string? Subject { get; init; }

    public string? TxId { get; init; }

    public string? Channel { get; init; }

    public string? Chaincode { get; init; }

    /// <summary>The chaincode function name (the first argument), never the other arguments.</summary>
    public string? Function { get; init; }

    /// <summary>The gRPC status the request ended with (<c>OK</c> for a stream message answered in-band).</summary>
    public required string GrpcStatus { get; init; }

    /// <summary>The status answered in the protocol: <c>common.Status</c> of Broadcast/Deliver, a proposal response's status.</summary>
    public int? ProtocolStatus { get; init; }

    /// <summary>The reason given with a refusal or failure (bounded, printable).</summary>
    public string? Reason { get; init; }

    /// <summary>Why the creator did not authenticate, when it did not (<c>BadSignature</c>, <c>UnknownMsp</c>, <c>Revoked</c>, …).</summary>
    public string? AuthenticationFailure { get; init; }

    public required double DurationMs { get; init; }
}
