using System.Net.Http;
using System.Net.Sockets;
using System.Text;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Logging;

namespace FnzChain.Node.Rpc;

/// <summary>
/// The one place where an RPC's failure becomes its status and its log line, for every service of a node:
/// <list type="bullet">
/// <item>an <see cref="RpcException"/> from a service keeps its status (the service named the cause);</item>
/// <item>undecodable input (a request stream message that does not parse, a field that is not what it claims) is
/// <c>INVALID_ARGUMENT</c> naming the method and the message;</item>
/// <item>trouble reaching another node, or this node stopping, is <c>UNAVAILABLE</c>; a timeout <c>DEADLINE_EXCEEDED</c>;</item>
/// <item>a client that went away ends its call quietly;</item>
/// <item>anything else is a bug: <c>INTERNAL</c>, and the only case logged with a stack trace (a status a service
/// chose itself — Fabric's gateway answers a chaincode's error with <c>UNKNOWN</c> — is logged like a refusal).</item>
/// </list>
/// Client faults are logged through <see cref="ClientFaultLog"/> (one line, no trace, budget per origin). Details are
/// made printable and bounded before they leave, whatever a request put in them.
/// </summary>
public sealed partial class RpcErrorInterceptor(ClientFaultLog faults, ILogger<RpcErrorInterceptor> logger) : Interceptor
{
    /// <summary>Longest status detail sent.</summary>
    public const int MaxDetailLength = 1024;

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        try
        {
            return await continuation(request, context).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw Map(e, context);
        }
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        try
        {
            return await continuation(requestStream, context).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw Map(e, context);
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        try
        {
            await continuation(request, responseStream, context).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            if (Map(e, context) is { StatusCode: not StatusCode.Cancelled } mapped)
            {
                throw mapped;
            }
        }
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        try
        {
            await continuation(requestStream, responseStream, context).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            if (Map(e, context) is { StatusCode: not StatusCode.Cancelled } mapped)
            {
                throw mapped;
            }
        }
    }

    /// <summary>The status <paramref name="e"/> ends the call with (logged as its kind deserves).</summary>
    private RpcException Map(Exception e, ServerCallContext context)
    {
        var method = context.Method;
        if (ClientLeft(e, context))
        {
            return new RpcException(new Status(StatusCode.Cancelled, $"{method}: the client went away"));
        }

        var (code, detail) = e switch
        {
            RpcException rpc => (rpc.StatusCode, rpc.Status.Detail),
            InvalidProtocolBufferException => (StatusCode.InvalidArgument, $"{method}: a request message does not parse: {e.Message}"),
            FormatException or (ArgumentException and not ArgumentNullException) => (StatusCode.InvalidArgument, $"{method}: {e.Message}"),
            TimeoutException => (StatusCode.DeadlineExceeded, $"{method}: {e.Message}"),
            HttpRequestException or HttpIOException or SocketException => (StatusCode.Unavailable, $"{method}: a connection failed: {e.Message}"),
            OperationCanceledException or ObjectDisposedException => (StatusCode.Unavailable, $"{method}: the node is stopping"),
            _ => (StatusCode.Internal, $"{method}: internal error ({e.GetType().Name}); the node's log has the details"),
        };

        detail = Printable(detail);
        RpcMetrics.Errors.Add(1, new KeyValuePair<string, object?>("method", method), new KeyValuePair<string, object?>("code", code.ToString()));
        // A status a service chose (Fabric's gateway answers a chaincode's own error with UNKNOWN) is its answer, not a
        // fault of this node: one line within the origin's budget. Only an exception no rule maps is a bug.
        if (e is not RpcException && code is StatusCode.Internal)
        {
            LogServerFault(logger, e, method, context.Peer, code, detail);
        }
        else
        {
            faults.Refused(method, context.Peer, code, detail);
        }

        return e is RpcException original && original.Status.Detail == detail
            ? original
            : new RpcException(new Status(code, detail), (e as RpcException)?.Trailers ?? Metadata.Empty);
    }

    /// <summary>
    /// The client reset its stream or closed its connection: how Deliver and event streams normally end. Kestrel
    /// reports it as an <see cref="IOException"/> from the request stream, sometimes before the call's token is set.
    /// </summary>
    private static bool ClientLeft(Exception e, ServerCallContext context) =>
        (context.CancellationToken.IsCancellationRequested && e is IOException or OperationCanceledException or InvalidOperationException)
        || (e is IOException && e.GetType() != typeof(HttpIOException) && e.StackTrace?.Contains("Microsoft.AspNetCore.Server.Kestrel", StringComparison.Ordinal) == true)
        || e.GetType().Namespace?.StartsWith("Microsoft.AspNetCore.Connections", StringComparison.Ordinal) == true;

    /// <summary><paramref name="text"/> with control characters escaped and its length bounded (a detail may quote request bytes).</summary>
    public static string Printable(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        var clean = true;
        foreach (var c in text)
        {
            if (char.IsControl(c) || char.IsSurrogate(c))
            {
                clean = false;
                break;
            }
        }

        if (clean && text.Length <= MaxDetailLength)
        {
            return text;
        }

        var builder = new StringBuilder(Math.Min(text.Length, MaxDetailLength) + 16);
        var i = 0;
        for (; i < text.Length && builder.Length < MaxDetailLength; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                builder.Append(c).Append(text[++i]);
            }
            else if (char.IsControl(c) || char.IsSurrogate(c))
            {
                builder.Append($"\\u{(int)c:x4}");
            }
            else
            {
                builder.Append(c);
            }
        }

        return i < text.Length ? builder.Append(" …(truncated)").ToString() : builder.ToString();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{Method} from {Peer} failed: {Code} {Detail}")]
    private static partial void LogServerFault(ILogger logger, Exception exception, string method, string peer, StatusCode code, string detail);
}
