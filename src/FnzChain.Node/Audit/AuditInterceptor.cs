using Grpc.AspNetCore.Server;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Google.Protobuf;
using OrdererDeliverResponse = FnzChain.Protos.Orderer.DeliverResponse;
using PeerDeliverResponse = FnzChain.Protos.Peer.DeliverResponse;

namespace FnzChain.Node.Audit;

/// <summary>
/// The audit's view inside a call (outermost interceptor, so it sees the status the error interceptor chose): for a
/// request stream (Broadcast, Deliver) it opens one entry per message read — refusing the message when the trail has
/// no room or the address has been locked out since the stream opened — and completes it when its answer is
/// written (a <c>BroadcastResponse</c>, a Deliver status), with the protocol status; for a unary call it takes the
/// protocol status of a proposal response. The records are written by <see cref="RequestAuditor"/> and the entries.
/// </summary>
public sealed class AuditInterceptor(RequestAuditor auditor) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        var response = await continuation(request, context).ConfigureAwait(false);
        if (response is FnzChain.Protos.Peer.ProposalResponse { Response: { } answer })
        {
            AuditEntry.Of(context)?.Answered(answer.Status, answer.Message);
        }

        return response;
    }

    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        return Call(context) is { } call ? continuation(new Reader<TRequest>(requestStream, call, auditor, context), context) : continuation(requestStream, context);
    }

    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        return Call(context) is { } call
            ? continuation(new Reader<TRequest>(requestStream, call, auditor, context), new Writer<TResponse>(responseStream, call), context)
            : continuation(requestStream, responseStream, context);
    }

    private static AuditedCall? Call(ServerCallContext context) =>
        context.GetHttpContext().Items.TryGetValue(RequestAuditor.ItemKey, out var call) ? call as AuditedCall : null;

    /// <summary>The protocol status an answer carries when it ends a stream message's request, or null for other answers (blocks).</summary>
    private static (int Status, string? Reason)? Outcome(object? response) => response switch
    {
        FnzChain.Protos.Orderer.BroadcastResponse broadcast => ((int)broadcast.Status, broadcast.Info),
        OrdererDeliverResponse { TypeCase: OrdererDeliverResponse.TypeOneofCase.Status } deliver => ((int)deliver.Status, null),
        PeerDeliverResponse { TypeCase: PeerDeliverResponse.TypeOneofCase.Status } deliver => ((int)deliver.Status, null),
        _ => null,
    };

    private sealed class Reader<T>(IAsyncStreamReader<T> inner, AuditedCall call, RequestAuditor auditor, ServerCallContext context) : IAsyncStreamReader<T>
    {
        public T Current => inner.Current;

        public async Task<bool> MoveNext(CancellationToken cancellationToken)
        {
            if (!await inner.MoveNext(cancellationToken).ConfigureAwait(false))
            {
                return false;
            }

            var callEntry = call.Call;
            if (!await auditor.Trail.TryReserveAsync(cancellationToken).ConfigureAwait(false))
            {
                throw new RpcException(new Status(StatusCode.Unavailable, $"{context.Method}: {auditor.Trail.RefusalReason}"));
            }

            var entry = new AuditEntry(auditor, callEntry.Method, callEntry.Origin, callEntry.OriginPort, callEntry.TlsClientSubject);
            call.Opened(entry);
            if (auditor.AddressLockout(entry) is { } refusal)
            {
                throw refusal; // the entry is completed with this status when the call ends
            }

            return true;
        }
    }

    private sealed class Writer<T>(IServerStreamWriter<T> inner, AuditedCall call) : IServerStreamWriter<T>
    {
        public WriteOptions? WriteOptions
        {
            get => inner.WriteOptions;
            set => inner.WriteOptions = value;
        }

        public async Task WriteAsync(T message)
        {
            await inner.WriteAsync(message).ConfigureAwait(false);
            Answered(message);
        }

        public async Task WriteAsync(T message, CancellationToken cancellationToken)
        {
            await inner.WriteAsync(message, cancellationToken).ConfigureAwait(false);
            Answered(message);
        }

        private void Answered(T message)
        {
            if (Outcome(message) is { } outcome && call.NextToAnswer() is { } entry)
            {
                entry.Answered(outcome.Status, outcome.Reason);
                entry.Complete(StatusCode.OK, null);
            }
        }
    }
}
