using System.Globalization;
using System.Net;
using FnzChain.Identity.Msp;
using FnzChain.Node.Rpc;
using FnzChain.Node.Security;
using Grpc.AspNetCore.Server;
using Grpc.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace FnzChain.Node.Audit;

/// <summary>
/// The node's first middleware for gRPC calls: refuses an origin address locked out by the
/// <see cref="AuthenticationThrottle"/>, reserves room for the call's audit record (refusing with <c>UNAVAILABLE</c>
/// when the trail has none), and when the call ends writes its record with the gRPC status actually sent — also for
/// requests refused before any service ran (undecodable, too large). Stream messages get their own entries from
/// <see cref="AuditInterceptor"/>; a stream that carried none gets one record for the call.
/// </summary>
public sealed class RequestAuditor(AuditTrail trail, AuthenticationThrottle throttle, TimeProvider time)
{
    internal const string ItemKey = "fnzchain.audit";

    public AuditTrail Trail => trail;

    public AuthenticationThrottle Throttle => throttle;

    public TimeProvider Time => time;

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var method = context.GetEndpoint()?.Metadata.GetMetadata<GrpcMethodMetadata>()?.Method;
        if (method is null)
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        var connection = context.Connection;
        var origin = connection.RemoteIpAddress is { } address ? OriginOf(address) : null;
        if (!await trail.TryReserveAsync(context.RequestAborted).ConfigureAwait(false))
        {
            Refuse(context, StatusCode.Unavailable, $"{method.FullName}: {trail.RefusalReason}", null);
            return;
        }

        var entry = new AuditEntry(this, method.FullName, origin, connection.RemoteIpAddress is null ? null : connection.RemotePort, connection.ClientCertificate?.Subject);
        if (origin is not null && throttle.RetryAfter(ThrottleScope.Address, origin) is { } wait)
        {
            RpcMetrics.AuthenticationThrottled.Add(1, new KeyValuePair<string, object?>("scope", "address"));
            var message = $"{method.FullName}: too many failed authentications from {origin}; retry after {Seconds(wait)} s";
            Refuse(context, StatusCode.ResourceExhausted, message, wait);
            entry.Complete(StatusCode.ResourceExhausted, message);
            return;
        }

        var call = new AuditedCall(entry, method.Type is MethodType.ClientStreaming or MethodType.DuplexStreaming);
        context.Items[ItemKey] = call;
        try
        {
            await next(context).ConfigureAwait(false);
        }
        finally
        {
            var (code, detail) = SentStatus(context);
            call.End(code, detail);
        }
    }

    /// <summary>Refuses a stream message from an address locked out since the stream opened; null when it may proceed.</summary>
    internal RpcException? AddressLockout(AuditEntry entry)
    {
        if (entry.Origin is null || throttle.RetryAfter(ThrottleScope.Address, entry.Origin) is not { } wait)
        {
            return null;
        }

        RpcMetrics.AuthenticationThrottled.Add(1, new KeyValuePair<string, object?>("scope", "address"));
        return Throttled($"{entry.Method}: too many failed authentications from {entry.Origin}", wait);
    }

    /// <summary><c>RESOURCE_EXHAUSTED</c> naming the cause and the wait, with the wait in seconds in a <c>retry-after</c> trailer.</summary>
    internal static RpcException Throttled(string cause, TimeSpan wait) =>
        new(new Status(StatusCode.ResourceExhausted, $"{cause}; retry after {Seconds(wait)} s"), new Metadata { { "retry-after", Seconds(wait) } });

    /// <summary>Counts a failed authentication against the origin address and the claimed identity.</summary>
    internal void AuthenticationFailed(string? origin, string? claimedIdentity, IdentityRejection kind)
    {
        if (origin is not null)
        {
            throttle.Failed(ThrottleScope.Address, origin, kind.ToString());
        }

        if (claimedIdentity is not null)
        {
            throttle.Failed(ThrottleScope.Identity, claimedIdentity, kind.ToString());
        }
    }

    /// <summary>The throttle's and the audit's key for a client address (an IPv4 client of a dual-stack socket as IPv4).</summary>
    public static string OriginOf(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString();
    }

    /// <summary>The pseudo-method of the audit records of refused TLS handshakes (no gRPC method was reached).</summary>
    public const string TlsHandshakeMethod = "tls-handshake";

    /// <summary>
    /// A connection from <paramref name="origin"/> whose TLS handshake failed (client certificate refused or missing,
    /// not TLS, TLS &lt; 1.2, closed mid-handshake): one audit record (when the trail has room: nothing was served, so
    /// nothing waits for it) and one failed authentication of the address, like a bad signature.
    /// </summary>
    public async ValueTask TlsHandshakeFailedAsync(string origin, int port, string reason, string? clientSubject, DateTimeOffset started, TimeSpan duration)
    {
        ArgumentNullException.ThrowIfNull(origin);
        if (await trail.TryReserveAsync(CancellationToken.None).ConfigureAwait(false))
        {
            trail.Append(new AuditRecord
            {
                Time = started,
                Method = TlsHandshakeMethod,
                Origin = origin,
                OriginPort = port,
                TlsClientSubject = clientSubject,
                GrpcStatus = nameof(StatusCode.Unauthenticated),
                Reason = RpcErrorInterceptor.Printable(reason),
                AuthenticationFailure = "TlsHandshake",
                DurationMs = duration.TotalMilliseconds,
            });
        }

        throttle.Failed(ThrottleScope.Address, origin, "TlsHandshake");
    }

    private static string Seconds(TimeSpan wait) => Math.Max(1, (long)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);

    /// <summary>The status the call ended with: trailers, or headers of a trailers-only answer; CANCELLED when nothing was sent (the client went away).</summary>
    private static (StatusCode Code, string? Detail) SentStatus(HttpContext context)
    {
        var trailers = context.Features.Get<IHttpResponseTrailersFeature>()?.Trailers;
        var status = trailers?["grpc-status"].ToString();
        var message = trailers?["grpc-message"].ToString();
        if (string.IsNullOrEmpty(status))
        {
            status = context.Response.Headers["grpc-status"].ToString();
            message = context.Response.Headers["grpc-message"].ToString();
        }

        if (!int.TryParse(status, NumberStyles.None, CultureInfo.InvariantCulture, out var code))
        {
            return (StatusCode.Cancelled, "the call ended without a status (the client went away)");
        }

        return ((StatusCode)code, string.IsNullOrEmpty(message) ? null : Uri.UnescapeDataString(message));
    }

    /// <summary>A trailers-only gRPC answer (HTTP 200, status in the headers), as gRPC sends one.</summary>
    private static void Refuse(HttpContext context, StatusCode code, string message, TimeSpan? retryAfter)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/grpc";
        context.Response.Headers["grpc-status"] = ((int)code).ToString(CultureInfo.InvariantCulture);
        context.Response.Headers["grpc-message"] = LargeRequestLimiter.PercentEncode(message);
        if (retryAfter is { } wait)
        {
            context.Response.Headers["retry-after"] = Seconds(wait);
        }
    }
}

/// <summary>
/// One gRPC call's audit entries: the call's own, and for a client or duplex stream one per message read, completed
/// in order as their answers are written (Broadcast and Deliver answer in order); those still open when the call
/// ends take its status.
/// </summary>
internal sealed class AuditedCall(AuditEntry call, bool streamsRequests)
{
    private readonly Queue<AuditEntry> _open = new();
    private readonly Lock _lock = new();
    private int _messages;
    private volatile AuditEntry _current = call;

    public AuditEntry Call { get; } = call;

    public bool StreamsRequests => streamsRequests;

    /// <summary>The entry of the message read last (the call's for a unary or server-streaming call).</summary>
    public AuditEntry Current => _current;

    public void Opened(AuditEntry message)
    {
        lock (_lock)
        {
            _open.Enqueue(message);
            _messages++;
        }

        _current = message;
    }

    /// <summary>The oldest message not yet answered, or null.</summary>
    public AuditEntry? NextToAnswer()
    {
        lock (_lock)
        {
            return _open.TryDequeue(out var entry) ? entry : null;
        }
    }

    public void End(StatusCode code, string? detail)
    {
        List<AuditEntry> open;
        int messages;
        lock (_lock)
        {
            open = [.. _open];
            _open.Clear();
            messages = _messages;
        }

        foreach (var entry in open)
        {
            entry.Complete(code, detail);
        }

        if (messages == 0)
        {
            Call.Complete(code, detail);
        }
        else
        {
            Call.ReleaseUnused();
        }
    }
}
