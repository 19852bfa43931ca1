using Grpc.Core;
using Grpc.Net.Client;

namespace FnzChain.HostileInputTests.Wire;

/// <summary>How a gRPC method streams, as far as a raw caller cares.</summary>
internal enum CallShape
{
    Unary,
    ServerStreaming,
    DuplexStreaming,
}

/// <summary>
/// What one raw call came back with: the final status and every response message's bytes. <paramref name="Hung"/> is
/// true when the call had not ended well after its deadline (a client or transport hang, judged as a failure).
/// </summary>
internal sealed record CallOutcome(StatusCode Code, string Detail, IReadOnlyList<byte[]> Responses, bool Hung = false);

/// <summary>
/// Calls a gRPC method with bytes exactly as given: a pass-through marshaller, so undecodable bytes reach the
/// server's own decoder (a generated client would refuse to build them).
/// </summary>
internal static class RawCall
{
    private static readonly Marshaller<byte[]> s_bytes = Marshallers.Create(b => b, b => b);

    public static Method<byte[], byte[]> Method(CallShape shape, string service, string name) => new(
        shape switch
        {
            CallShape.Unary => MethodType.Unary,
            CallShape.ServerStreaming => MethodType.ServerStreaming,
            _ => MethodType.DuplexStreaming,
        },
        service,
        name,
        s_bytes,
        s_bytes);

    /// <summary>How long after its deadline a call that has not ended counts as hung.</summary>
    private static readonly TimeSpan s_hangGrace = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Sends <paramref name="request"/> (for a duplex method: as the only request message, then completes) and reads
    /// until the server ends the call or <paramref name="timeout"/> passes (then the outcome is DEADLINE_EXCEEDED).
    /// A call still running well after its deadline is abandoned and reported as hung, so a hang fails the case
    /// instead of stopping the suite.
    /// </summary>
    public static async Task<CallOutcome> InvokeAsync(GrpcChannel channel, Method<byte[], byte[]> method, byte[] request, TimeSpan timeout)
    {
        var call = InvokeUntilEndAsync(channel, method, request, timeout);
        try
        {
            return await call.WaitAsync(timeout + s_hangGrace).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            var detail = $"{method.FullName}: the call had not ended {s_hangGrace.TotalSeconds:F0} s after its {timeout.TotalSeconds:F1} s deadline";
            NUnit.Framework.TestContext.Progress.WriteLine($"hung call: {detail}");
            return new CallOutcome(StatusCode.DeadlineExceeded, detail, [], Hung: true);
        }
    }

    private static async Task<CallOutcome> InvokeUntilEndAsync(GrpcChannel channel, Method<byte[], byte[]> method, byte[] request, TimeSpan timeout)
    {
        var invoker = channel.CreateCallInvoker();
        var options = new CallOptions(deadline: DateTime.UtcNow + timeout);
        var responses = new List<byte[]>();
        try
        {
            switch (method.Type)
            {
                case MethodType.Unary:
                    responses.Add(await invoker.AsyncUnaryCall(method, null, options, request).ResponseAsync.ConfigureAwait(false));
                    return new CallOutcome(StatusCode.OK, string.Empty, responses);
                case MethodType.ServerStreaming:
                {
                    using var call = invoker.AsyncServerStreamingCall(method, null, options, request);
                    while (await call.ResponseStream.MoveNext(CancellationToken.None).ConfigureAwait(false))
                    {
                        responses.Add(call.ResponseStream.Current);
                    }

                    var status = call.GetStatus();
                    return new CallOutcome(status.StatusCode, status.Detail, responses);
                }

                default:
                {
                    using var call = invoker.AsyncDuplexStreamingCall(method, null, options);
                    try
                    {
                        await call.RequestStream.WriteAsync(request).ConfigureAwait(false);
                        await call.RequestStream.CompleteAsync().ConfigureAwait(false);
                    }
                    catch (Exception e) when (e is RpcException or InvalidOperationException or IOException)
                    {
                        // The server may end the call before it has read the whole request (e.g. over its receive
                        // limit); its status is read below.
                    }

                    while (await call.ResponseStream.MoveNext(CancellationToken.None).ConfigureAwait(false))
                    {
                        responses.Add(call.ResponseStream.Current);
                    }

                    var status = call.GetStatus();
                    return new CallOutcome(status.StatusCode, status.Detail, responses);
                }
            }
        }
        catch (RpcException e)
        {
            return new CallOutcome(e.StatusCode, e.Status.Detail, responses);
        }
    }
}
