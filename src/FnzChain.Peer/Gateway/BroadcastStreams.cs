using FnzChain.Protos.Common;
using FnzChain.Protos.Orderer;
using Grpc.Core;

namespace FnzChain.Peer.Gateway;

/// <summary>
/// One long-lived Broadcast stream per orderer, shared by all Submit calls: the orderer answers a stream's
/// envelopes in order, so each write queues a completion that the stream's reader resolves in turn. Opening a
/// stream per transaction costs a round of HTTP/2 stream set-up each time; this does not.
/// </summary>
/// <remarks>
/// A stream that breaks (the orderer went away, a write failed or was abandoned half-way) is broken for good: every
/// submission waiting on it and every later one that still holds it fails with <see cref="StatusCode.Unavailable"/>
/// naming the orderer and the cause, and the pool opens a new stream on next use. A broken stream is never
/// disposed under a submission still using it: its call is cancelled, but its lock and token source stay usable
/// until the garbage collector takes them (neither holds a timer or a wait handle, so nothing leaks).
/// </remarks>
public sealed class BroadcastStreams(Connections connections) : IAsyncDisposable
{
    /// <summary>How long a submission waits for the orderer's answer on a stream that is still open.</summary>
    public static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(30);

    /// <summary>How long an orderer that failed a submission is tried last (after the others).</summary>
    public static readonly TimeSpan FailedOrdererBackOff = TimeSpan.FromSeconds(5);

    private readonly Lock _lock = new();
    private readonly Dictionary<string, Stream> _streams = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _failedAt = new(StringComparer.Ordinal);
    private int _next;
    private bool _disposed;

    /// <summary>
    /// The order in which a submission tries <paramref name="orderers"/>: starting at the next one in turn (so that
    /// submissions spread over the channel's orderers), with those that failed in the last
    /// <see cref="FailedOrdererBackOff"/> moved to the end — a dead orderer costs one failed attempt per back-off, not
    /// one per submission.
    /// </summary>
    public IReadOnlyList<string> Order(IReadOnlyList<string> orderers)
    {
        ArgumentNullException.ThrowIfNull(orderers);
        if (orderers.Count <= 1)
        {
            return orderers;
        }

        var start = (int)((uint)Interlocked.Increment(ref _next) % (uint)orderers.Count);
        var rotated = orderers.Skip(start).Concat(orderers.Take(start));
        var now = Environment.TickCount64;
        lock (_lock)
        {
            if (_failedAt.Count == 0)
            {
                return [.. rotated];
            }

            bool RecentlyFailed(string address) => _failedAt.TryGetValue(address, out var at) && now - at < (long)FailedOrdererBackOff.TotalMilliseconds;
            return [.. rotated.OrderBy(RecentlyFailed)]; // stable: healthy ones first, each group in turn order
        }
    }

    /// <summary>Records that <paramref name="address"/> failed a submission (unreachable, broken stream, SERVICE_UNAVAILABLE).</summary>
    public void Failed(string address)
    {
        lock (_lock)
        {
            _failedAt[address] = Environment.TickCount64;
        }
    }

    /// <summary>Records that <paramref name="address"/> accepted a submission.</summary>
    public void Succeeded(string address)
    {
        lock (_lock)
        {
            _failedAt.Remove(address);
        }
    }

    /// <summary>
    /// Sends <paramref name="envelope"/> to the orderer at <paramref name="address"/> and returns its answer. Any
    /// failure to reach it is an <see cref="RpcException"/> naming the orderer: <see cref="StatusCode.Unavailable"/>
    /// when the stream could not be used, <see cref="StatusCode.DeadlineExceeded"/> when the orderer did not answer
    /// within <see cref="AnswerTimeout"/>. Cancelling <paramref name="cancellationToken"/> throws
    /// <see cref="OperationCanceledException"/>.
    /// </summary>
    public async Task<BroadcastResponse> SendAsync(string address, Envelope envelope, CancellationToken cancellationToken)
    {
        var stream = Acquire(address);
        try
        {
            return await stream.SendAsync(envelope, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (stream.IsBroken)
            {
                await RetireAsync(address, stream).ConfigureAwait(false);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        List<Stream> open;
        lock (_lock)
        {
            _disposed = true;
            open = [.. _streams.Values];
            _streams.Clear();
        }

        foreach (var stream in open)
        {
            await stream.DisposeAsync().ConfigureAwait(false);
        }
    }

    private Stream Acquire(string address)
    {
        lock (_lock)
        {
            if (_disposed)
            {
                throw Unavailable(address, "the peer is shutting down");
            }

            if (!_streams.TryGetValue(address, out var stream) || stream.IsBroken)
            {
                stream = new Stream(connections, address);
                _streams[address] = stream;
            }

            return stream;
        }
    }

    /// <summary>Removes a broken stream from the pool (unless already replaced) and releases its call.</summary>
    private async ValueTask RetireAsync(string address, Stream stream)
    {
        lock (_lock)
        {
            if (!_streams.TryGetValue(address, out var current) || current != stream)
            {
                return; // another submission retired it already
            }

            _streams.Remove(address);
        }

        await stream.DisposeAsync().ConfigureAwait(false);
    }

    private static RpcException Unavailable(string address, string cause) =>
        new(new Grpc.Core.Status(StatusCode.Unavailable, $"orderer {address}: {cause}"));

    /// <summary>One line naming what went wrong on the transport, without a stack trace.</summary>
    private static string CauseOf(Exception e) => e switch
    {
        RpcException rpc => $"{rpc.StatusCode}: {rpc.Status.Detail}",
        _ when e.InnerException is { } inner && e.Message.Length == 0 => CauseOf(inner),
        _ => $"{e.GetType().Name}: {e.Message}",
    };

    private sealed class Stream : IAsyncDisposable
    {
        private readonly string _address;
        private readonly SemaphoreSlim _writing = new(1, 1);
        private readonly System.Collections.Concurrent.ConcurrentQueue<TaskCompletionSource<BroadcastResponse>> _pending = new();
        private readonly CancellationTokenSource _closing = new();
        private readonly AsyncDuplexStreamingCall<Envelope, BroadcastResponse>? _call;
        private readonly Task _reader;
        private RpcException? _failure;
        private int _disposed;

        public Stream(Connections connections, string address)
        {
            _address = address;
            try
            {
                _call = new AtomicBroadcast.AtomicBroadcastClient(connections.To(address)).Broadcast(cancellationToken: _closing.Token);
                _reader = Task.Run(ReadAsync);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                Break($"could not open a broadcast stream: {CauseOf(e)}");
                _reader = Task.CompletedTask;
            }
        }

        public bool IsBroken => Volatile.Read(ref _failure) is not null;

        public async Task<BroadcastResponse> SendAsync(Envelope envelope, CancellationToken cancellationToken)
        {
            var completion = new TaskCompletionSource<BroadcastResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
            await _writing.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (Volatile.Read(ref _failure) is { } failure)
                {
                    throw failure;
                }

                _pending.Enqueue(completion);
                try
                {
                    // Not the caller's token: a write abandoned half-way would leave the stream's answers out of step
                    // with its waiting submissions. A write only blocks while the orderer reads nothing; Break ends it.
                    await _call!.RequestStream.WriteAsync(envelope, _closing.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    Break($"broadcast stream failed: {CauseOf(e)}");
                }

                // The reader may have drained the queue just before this submission joined it.
                if (Volatile.Read(ref _failure) is { } broken)
                {
                    completion.TrySetException(broken);
                }
            }
            finally
            {
                _writing.Release();
            }

            try
            {
                return await completion.Task.WaitAsync(AnswerTimeout, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // The answer may still come (and resolves this completion, keeping the queue in step); the gateway tries
                // again, which at worst orders the transaction twice: the second copy commits as DUPLICATE_TXID.
                throw new RpcException(new Grpc.Core.Status(StatusCode.DeadlineExceeded, $"orderer {_address} did not answer within {AnswerTimeout.TotalSeconds:0} s"));
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0)
            {
                return;
            }

            Break("broadcast stream closed");
            await _reader.ConfigureAwait(false); // ReadAsync never throws
            _call?.Dispose();
        }

        private async Task ReadAsync()
        {
            var cause = "the orderer ended the broadcast stream";
            try
            {
                while (await _call!.ResponseStream.MoveNext(_closing.Token).ConfigureAwait(false))
                {
                    if (_pending.TryDequeue(out var completion))
                    {
                        completion.TrySetResult(_call.ResponseStream.Current);
                    }
                }
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                cause = $"broadcast stream failed: {CauseOf(e)}";
            }

            Break(cause);
        }

        /// <summary>Marks the stream broken (the first cause wins), ends its call and fails every waiting submission.</summary>
        private void Break(string cause)
        {
            Interlocked.CompareExchange(ref _failure, Unavailable(_address, cause), null);
            try
            {
                _closing.Cancel();
            }
            catch (AggregateException)
            {
                // a registration callback of the ended call threw; the call is over either way
            }

            var failure = Volatile.Read(ref _failure)!;
            while (_pending.TryDequeue(out var waiting))
            {
                waiting.TrySetException(failure);
            }
        }
    }
}
