using System.Security.Cryptography;
using FnzChain.Identity.Msp;
using FnzChain.Identity.Policies;
using FnzChain.Node.Rpc;
using FnzChain.Node.Security;
using FnzChain.Protos.Msp;
using Google.Protobuf;
using Grpc.AspNetCore.Server;
using Grpc.Core;

namespace FnzChain.Node.Audit;

/// <summary>
/// What is known of one request while it runs, and its record when it ends: the transport facts the node fills in
/// (time, method, origin, TLS client), the facts the service fills in from what it parsed anyway (channel, tx id,
/// creator, chaincode and function — never arguments, transient or private data), and the outcome. Completing it
/// writes the record and, when the creator failed to authenticate, counts the failure against the origin address
/// and the claimed identity: the one place that feeds <see cref="AuthenticationThrottle"/>.
/// </summary>
public sealed class AuditEntry
{
    private readonly RequestAuditor _auditor;
    private readonly long _started;
    private int _completed;
    private string? _channel;
    private string? _txId;
    private string? _chaincode;
    private string? _function;
    private string? _mspId;
    private string? _subject;
    private IdentityRejection _failure;
    private string? _claimedKey;
    private bool _chaincodeFailed;
    private int? _protocolStatus;
    private string? _protocolReason;

    internal AuditEntry(RequestAuditor auditor, string method, string? origin, int? port, string? tlsClientSubject)
    {
        _auditor = auditor;
        Method = method;
        Origin = origin;
        OriginPort = port;
        TlsClientSubject = tlsClientSubject;
        Time = auditor.Time.GetUtcNow();
        _started = auditor.Time.GetTimestamp();
    }

    /// <summary>The reason recorded for a chaincode error.</summary>
    public const string ChaincodeReason = "the chaincode returned an error (its message is not recorded: it may quote arguments)";

    public string Method { get; }

    public string? Origin { get; }

    public int? OriginPort { get; }

    public string? TlsClientSubject { get; }

    public DateTimeOffset Time { get; }

    /// <summary>Whether the record has been written.</summary>
    public bool IsCompleted => Volatile.Read(ref _completed) != 0;

    /// <summary>The entry of the request <paramref name="context"/> is serving (for a stream: of the message read last), or null outside a node.</summary>
    public static AuditEntry? Of(ServerCallContext context) =>
        context?.GetHttpContext().Items.TryGetValue(RequestAuditor.ItemKey, out var call) == true ? (call as AuditedCall)?.Current : null;

    /// <summary>Channel, tx id, chaincode and function as the service read them (null leaves a fact as it is).</summary>
    public void Describe(string? channel, string? txId = null, string? chaincode = null, string? function = null)
    {
        _channel = Bounded(channel) ?? _channel;
        _txId = Bounded(txId) ?? _txId;
        _chaincode = Bounded(chaincode) ?? _chaincode;
        _function = Bounded(function) ?? _function;
    }

    /// <summary>The creator authenticated (identity valid, signature verified).</summary>
    public void Authenticated(ValidatedIdentity identity)
    {
        ArgumentNullException.ThrowIfNull(identity);
        _mspId = identity.MspId;
        _subject = identity.Subject;
    }

    /// <summary>The creator claiming <paramref name="claimedCreator"/> (a serialized identity) did not authenticate.</summary>
    public void AuthenticationFailed(IdentityRejection kind, ReadOnlySpan<byte> claimedCreator)
    {
        _failure = kind;
        _claimedKey = IdentityKey(claimedCreator);
        if (_mspId is null && !claimedCreator.IsEmpty)
        {
            try
            {
                _mspId = Bounded(SerializedIdentity.Parser.ParseFrom(claimedCreator).Mspid);
            }
            catch (InvalidProtocolBufferException)
            {
                // not even a serialized identity: no MSP to name
            }
        }
    }

    /// <summary>The outcome of checking a single-signer request's signature set (its creator).</summary>
    public void Signers(SignatureSet signers)
    {
        ArgumentNullException.ThrowIfNull(signers);
        if (signers.Identities.Count > 0)
        {
            Authenticated(signers.Identities[0]);
        }
        else if (signers.Rejected.Count > 0)
        {
            AuthenticationFailed(signers.Rejected[0].Kind, signers.Rejected[0].Identity.Span);
        }
    }

    /// <summary>
    /// Null when <paramref name="claimedCreator"/> may proceed; otherwise the refusal (<c>RESOURCE_EXHAUSTED</c> with a
    /// <c>retry-after</c> trailer) for an identity locked out after repeated failed authentication.
    /// </summary>
    public RpcException? IdentityLockout(ReadOnlySpan<byte> claimedCreator)
    {
        if (_auditor.Throttle.RetryAfter(ThrottleScope.Identity, IdentityKey(claimedCreator)) is not { } wait)
        {
            return null;
        }

        RpcMetrics.AuthenticationThrottled.Add(1, new KeyValuePair<string, object?>("scope", "identity"));
        return RequestAuditor.Throttled($"{Method}: too many failed authentications claiming this identity", wait);
    }

    /// <summary>
    /// The chaincode answered with an error: the record keeps its status but not its message (the chaincode's own text,
    /// which may quote arguments or private data), and neither the gateway's status detail that repeats it.
    /// </summary>
    public void ChaincodeFailed() => _chaincodeFailed = true;

    /// <summary>The status answered in the protocol (Broadcast/Deliver <c>common.Status</c>, a proposal response's status).</summary>
    public void Answered(int status, string? reason)
    {
        _protocolStatus = status;
        _protocolReason = string.IsNullOrEmpty(reason) ? null : reason;
    }

    /// <summary>Writes the record (once) with the gRPC status the request ended with.</summary>
    internal void Complete(StatusCode code, string? detail)
    {
        if (Interlocked.Exchange(ref _completed, 1) != 0)
        {
            return;
        }

        var reason = _chaincodeFailed
            ? ChaincodeReason
            : code != StatusCode.OK && !string.IsNullOrEmpty(detail) ? detail : _protocolReason;
        _auditor.Trail.Append(new AuditRecord
        {
            Time = Time,
            Method = Method,
            Origin = Origin,
            OriginPort = OriginPort,
            TlsClientSubject = TlsClientSubject,
            MspId = _mspId,
            Subject = _subject,
            TxId = _txId,
            Channel = _channel,
            Chaincode = _chaincode,
            Function = _function,
            GrpcStatus = code.ToString(),
            ProtocolStatus = _protocolStatus,
            Reason = reason is null ? null : RpcErrorInterceptor.Printable(reason),
            AuthenticationFailure = _failure == IdentityRejection.None ? null : _failure.ToString(),
            DurationMs = _auditor.Time.GetElapsedTime(_started).TotalMilliseconds,
        });
        if (_failure != IdentityRejection.None)
        {
            _auditor.AuthenticationFailed(ForwardedByNodes(Method) ? null : Origin, _claimedKey, _failure);
        }
    }

    /// <summary>
    /// Methods that gateways call on behalf of their clients (endorsement on other organisations' peers, Broadcast to
    /// the orderers): the origin is the forwarding peer, not the signer, so a failure there counts against the claimed
    /// identity only — otherwise one client sending forged proposals through a gateway would lock that peer out of
    /// the other peers and the orderers. With mutual TLS a node's connection can be told from a client's.
    /// </summary>
    internal static bool ForwardedByNodes(string method) => method is "/protos.Endorser/ProcessProposal" or "/orderer.AtomicBroadcast/Broadcast";

    /// <summary>Gives back the room reserved for this entry when the call carries no record of its own (a stream whose messages have theirs).</summary>
    internal void ReleaseUnused()
    {
        if (Interlocked.Exchange(ref _completed, 1) == 0)
        {
            _auditor.Trail.Release();
        }
    }

    /// <summary>The throttle's key for a claimed identity: the start of the SHA-256 of its serialized bytes.</summary>
    internal static string IdentityKey(ReadOnlySpan<byte> claimedCreator)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(claimedCreator, hash);
        return Convert.ToHexStringLower(hash[..16]);
    }

    /// <summary>Request-supplied names are kept, but bounded and printable.</summary>
    private static string? Bounded(string? value) =>
        string.IsNullOrEmpty(value) ? null : value.Length <= 256 ? RpcErrorInterceptor.Printable(value) : RpcErrorInterceptor.Printable(value[..256]) + "…";
}
