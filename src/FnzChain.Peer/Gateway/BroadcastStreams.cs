using System.Collections.Concurrent;
using FnzChain.Protos.Common;
using FnzChain.Protos.Orderer;
using Grpc.Core;

namespace FnzChain.Peer.Gateway;

/// <summary>
/// One long-lived Broadcast stream per orderer, shared by all Submit calls: the orderer answers a stream's
/// envelopes in order, so each write queues a completion that the stream's reader resolves in turn. Opening a
/// stream per transaction costs a round of HTTP/2 stream set-up each time; this does not. A broken stream fails
/// the submissions waiting on it (the gateway retries them elsewhere) and is replaced on next use.
/// </summary>
public sealed class BroadcastStreams(Connections connections) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<Stream>> _streams = new(StringComparer.Ordinal);

    public async Task<BroadcastResponse> SendAsync(string address, Envelope envelope, CancellationToken cancellationToken)
    {
        var stream = _streams.GetOrAdd(address, a => new Lazy<Stream>(() => new Stream(connections, a))).Value;
        try
        {
            return await stream.SendAsync(envelope, cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException)
        {
            if (_streams.TryGetValue(address, out var current) && current.IsValueCreated && current.Value == stream)
            {
                _streams.TryRemove(new KeyValuePair<string, Lazy<Stream>>(address, current));
                await stream.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var stream in _streams.Values.Where(s => s.IsValueCreated))
        {
            await stream.Value.DisposeAsync().ConfigureAwait(false);
        }

        _streams.Clear();
    }

    private sealed class Stream : IAsyncDisposable
    {
        private readonly AsyncDuplexStreamingCall<Envelope, BroadcastResponse> _call;
        private readonly SemaphoreSlim _writing = new(1, 1);
        private readonly ConcurrentQueue<TaskCompletionSource<BroadcastResponse>> _pending = new();
        private readonly Task _reader;
        private readonly CancellationTokenSource _closing = new();

        public Stream(Connections connections, string address)
        {
            _call = new AtomicBroadcast.AtomicBroadcastClient(connections.To(address)).Broadcast(cancellationToken: _closing.Token);
            _reader = Task.Run(ReadAsync);
        }

        public async Task<BroadcastResponse> SendAsync(Envelope envelope, CancellationToken cancellationToken)
        {
            var completion = new TaskCompletionSource<BroadcastResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
            await _writing.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (_reader.IsCompleted)
                {
                    throw new RpcException(new Grpc.Core.Status(StatusCode.Unavailable, "broadcast stream closed"));
                }

                _pending.Enqueue(completion);
                await _call.RequestStream.WriteAsync(envelope, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                _writing.Release();
            }

            try
            {
                return await completion.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                throw new RpcException(new Grpc.Core.Status(StatusCode.DeadlineExceeded, "the orderer did not answer within 30 s"));
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _closing.CancelAsync().ConfigureAwait(false);
            try
            {
                await _reader.ConfigureAwait(false);
            }
            catch (Exception e) when (e is RpcException or OperationCanceledException)
            {
            }

            _call.Dispose();
            _writing.Dispose();
            _closing.Dispose();
        }

        private async Task ReadAsync()
        {
            Exception failure = new RpcException(new Grpc.Core.Status(StatusCode.Unavailable, "broadcast stream ended"));
            try
            {
                while (await _call.ResponseStream.MoveNext(_closing.Token).ConfigureAwait(false))
                {
                    if (_pending.TryDequeue(out var completion))
                    {
                        completion.TrySetResult(_call.ResponseStream.Current);
                    }
                }
            }
            catch (Exception e) when (e is RpcException or OperationCanceledException)
            {
                failure = e is RpcException ? e : new RpcException(new Grpc.Core.Status(StatusCode.Unavailable, "broadcast stream closed"));
            }

            while (_pending.TryDequeue(out var waiting))
            {
                waiting.TrySetException(failure);
            }
        }
    }
}
