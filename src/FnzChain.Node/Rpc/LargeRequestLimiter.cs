using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using Grpc.AspNetCore.Server;
using Grpc.Core;
using Microsoft.AspNetCore.Http;

namespace FnzChain.Node.Rpc;

/// <summary>
/// Bounds the memory that requests can pin before anyone has checked a signature: a gRPC request message is
/// buffered whole before it is decoded, so N concurrent messages of M bytes cost about N × M × 2. The limiter reads
/// each unary or server-streaming call's 5-byte gRPC message header (nothing of the message itself) and lets at most
/// <see cref="PerNode"/> calls with a message of <see cref="LargeBytes"/> or more run at once on the node, and
/// <see cref="PerConnection"/> on one connection; the rest are answered <c>RESOURCE_EXHAUSTED</c> at once, before
/// their bytes are read. Messages over the node's receive limit are refused by gRPC from the same header.
/// </summary>
/// <remarks>
/// Requests of the services whose messages carry one transaction or proposal (<c>gateway.Gateway</c>,
/// <c>protos.Endorser</c>) are also held to the channels' own bound: a message over the largest AbsoluteMaxBytes of
/// the node's channels plus <see cref="ChannelBoundHeadroomBytes"/> is refused from its header, whatever
/// <c>maxMessageBytes</c> allows (which stays the bound for admin requests such as chaincode installs).
/// Streaming requests (Broadcast, Deliver) are not counted: a stream's messages are read one at a time, so each
/// stream holds at most one message, and HTTP/2 bounds the streams of a connection.
/// </remarks>
public sealed class LargeRequestLimiter(int perNode, int perConnection, int largeBytes, int maxMessageBytes, Func<ulong?>? largestEnvelopeBytes = null)
{
    private readonly ConcurrentDictionary<string, int> _byConnection = new(StringComparer.Ordinal);
    private int _inFlight;

    /// <summary>
    /// What a Gateway or Endorser request may carry beyond one envelope of AbsoluteMaxBytes: 1 MiB of wrapping and
    /// signatures, and a proposal's transient data (the endorser accepts up to 1 MiB), which never reaches a block.
    /// </summary>
    public const int ChannelBoundHeadroomBytes = 2 * 1024 * 1024;

    public int PerNode { get; } = perNode;

    public int PerConnection { get; } = perConnection;

    public int LargeBytes { get; } = largeBytes;

    /// <summary>Large requests running now.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var method = context.GetEndpoint()?.Metadata.GetMetadata<GrpcMethodMetadata>()?.Method;
        if (method is null || method.Type is MethodType.ClientStreaming or MethodType.DuplexStreaming)
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        // Over the receive limit: gRPC refuses it from the same header without reading it, so it takes no slot.
        var length = await PeekMessageLengthAsync(context).ConfigureAwait(false);
        if (length <= maxMessageBytes && CarriesOneTransaction(method) && largestEnvelopeBytes?.Invoke() is { } envelope
            && (ulong)length > envelope + ChannelBoundHeadroomBytes)
        {
            RpcMetrics.LargeRequestsRefused.Add(1, new KeyValuePair<string, object?>("method", method.FullName));
            RefuseAsResourceExhausted(context, $"{method.FullName}: a message of {length} bytes is more than this node's channels order (AbsoluteMaxBytes {envelope} + {ChannelBoundHeadroomBytes} bytes of headroom)");
            return;
        }

        if (length < LargeBytes || length > maxMessageBytes)
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        var connection = context.Connection.Id;
        if (!TryEnter(connection))
        {
            RpcMetrics.LargeRequestsRefused.Add(1, new KeyValuePair<string, object?>("method", method.FullName));
            RefuseAsResourceExhausted(context, $"{method.FullName}: {PerNode} requests of {LargeBytes / 1024} KiB or more are in progress on this node ({PerConnection} per connection); retry later");
            return;
        }

        try
        {
            await next(context).ConfigureAwait(false);
        }
        finally
        {
            Exit(connection);
        }
    }

    private static bool CarriesOneTransaction(IMethod method) => method.ServiceName is "gateway.Gateway" or "protos.Endorser";

    private bool TryEnter(string connection)
    {
        if (Interlocked.Increment(ref _inFlight) > PerNode)
        {
            Interlocked.Decrement(ref _inFlight);
            return false;
        }

        var mine = _byConnection.AddOrUpdate(connection, 1, (_, n) => n + 1);
        if (mine > PerConnection)
        {
            Exit(connection);
            return false;
        }

        return true;
    }

    private void Exit(string connection)
    {
        Interlocked.Decrement(ref _inFlight);
        if (_byConnection.AddOrUpdate(connection, 0, (_, n) => n - 1) <= 0)
        {
            _byConnection.TryRemove(new KeyValuePair<string, int>(connection, 0));
        }
    }

    /// <summary>The declared length of the request's first gRPC message, or -1 when the body ends first; nothing is consumed.</summary>
    private static async Task<long> PeekMessageLengthAsync(HttpContext context)
    {
        var reader = context.Request.BodyReader;
        var result = await reader.ReadAtLeastAsync(5, context.RequestAborted).ConfigureAwait(false);
        var buffer = result.Buffer;
        try
        {
            if (buffer.Length < 5)
            {
                return -1;
            }

            Span<byte> header = stackalloc byte[5];
            buffer.Slice(0, 5).CopyTo(header);
            return BinaryPrimitives.ReadUInt32BigEndian(header[1..]);
        }
        finally
        {
            reader.AdvanceTo(buffer.Start, buffer.Start);
        }
    }

    /// <summary>A trailers-only gRPC response: HTTP 200 with <c>grpc-status</c> in the headers.</summary>
    private static void RefuseAsResourceExhausted(HttpContext context, string message)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/grpc";
        context.Response.Headers["grpc-status"] = ((int)StatusCode.ResourceExhausted).ToString(System.Globalization.CultureInfo.InvariantCulture);
        context.Response.Headers["grpc-message"] = PercentEncode(message);
    }

    /// <summary>gRPC's encoding of <c>grpc-message</c>: UTF-8, with bytes outside printable ASCII and '%' as %XX.</summary>
    internal static string PercentEncode(string message)
    {
        var builder = new System.Text.StringBuilder(message.Length);
        foreach (var b in System.Text.Encoding.UTF8.GetBytes(message))
        {
            if (b is >= 0x20 and <= 0x7e and not (byte)'%')
            {
                builder.Append((char)b);
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }
}
