using Grpc.Core;
using Grpc.Core.Interceptors;

namespace FnzChain.Node;

/// <summary>
/// A streaming call whose client went away (reset the stream, closed the connection) ends quietly: that is how
/// Deliver and event streams normally finish, not a server error worth a stack trace in the log.
/// </summary>
public sealed class ClientGoneInterceptor : Interceptor
{
    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        ArgumentNullException.ThrowIfNull(context);
        try
        {
            await continuation(requestStream, responseStream, context).ConfigureAwait(false);
        }
        catch (Exception e) when (ClientLeft(e, context))
        {
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        ArgumentNullException.ThrowIfNull(context);
        try
        {
            await continuation(request, responseStream, context).ConfigureAwait(false);
        }
        catch (Exception e) when (ClientLeft(e, context))
        {
        }
    }

    private static bool ClientLeft(Exception e, ServerCallContext context) =>
        context.CancellationToken.IsCancellationRequested && e is IOException or OperationCanceledException or InvalidOperationException;
}
