using FnzChain.Protos.Common;
using FnzChain.Protos.Orderer;
using FnzChain.Protos.Peer;
using Grpc.Core;
using DeliverResponse = FnzChain.Protos.Peer.DeliverResponse;

namespace FnzChain.Client;

/// <summary>
/// Follows one channel's committed blocks on the gateway's peer over a single filtered Deliver stream (ids and
/// validation codes only), shared by every commit wait of a <see cref="Gateway"/>: each waiting transaction is
/// resolved by the first block that carries its id, or given up once the peer has committed its block limit of
/// blocks without it. A broken stream is reopened from the next block, so no block is missed.
/// </summary>
internal sealed class CommitWatcher : IDisposable
{
    private readonly Gateway _gateway;
    private readonly string _channel;
    private readonly CancellationTokenSource _stopping = new();
    private TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _lock = new();
    private readonly Dictionary<string, List<Waiter>> _waiting = new(StringComparer.Ordinal);
    private ulong _height;

    public CommitWatcher(Gateway gateway, string channel)
    {
        _gateway = gateway;
        _channel = channel;
        _ = Task.Run(() => FollowAsync(_stopping.Token));
    }

    /// <summary>The peer's height as last seen (0 before the first block arrived).</summary>
    public ulong Height
    {
        get
        {
            lock (_lock)
            {
                return _height;
            }
        }
    }

    /// <summary>
    /// Completes once the peer's current height is known: a wait registered after it misses no later block.
    /// A refusal (the identity may not read the channel, the channel is unknown) fails the waits begun before it.</summary>
    public Task ReadyAsync(CancellationToken cancellationToken) => Volatile.Read(ref _ready).Task.WaitAsync(cancellationToken);

    /// <summary>
    /// Starts waiting for <paramref name="transactionId"/> in blocks from the current height on (call
    /// <see cref="ReadyAsync"/> first). The task ends with the transaction's status, or with a
    /// <see cref="TransactionNotCommittedException"/> once <paramref name="maxBlocks"/> blocks were committed without it.
    /// </summary>
    public Waiter Register(string transactionId, int maxBlocks, SignedTransaction? transaction)
    {
        lock (_lock)
        {
            var waiter = new Waiter(this, transactionId, _height, maxBlocks, transaction);
            if (!_waiting.TryGetValue(transactionId, out var list))
            {
                _waiting[transactionId] = list = [];
            }

            list.Add(waiter);
            return waiter;
        }
    }

    /// <summary>Stops following blocks; the loop ends on its own (the token source is not disposed under it: it holds no timer).</summary>
    public void Dispose() => _stopping.Cancel();

    private void Unregister(Waiter waiter)
    {
        lock (_lock)
        {
            if (_waiting.TryGetValue(waiter.TransactionId, out var list) && list.Remove(waiter) && list.Count == 0)
            {
                _waiting.Remove(waiter.TransactionId);
            }
        }
    }

    private async Task FollowAsync(CancellationToken cancellationToken)
    {
        var failures = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await StreamAsync(cancellationToken).ConfigureAwait(false);
                failures = 0;
            }
            catch (Exception) when (cancellationToken.IsCancellationRequested)
            {
                return; // the gateway is closing (its channel may be disposed already)
            }
            catch (RpcException e) when (e.StatusCode is StatusCode.PermissionDenied or StatusCode.NotFound or StatusCode.InvalidArgument)
            {
                var refused = new GatewayException(e);
                if (Height == 0)
                {
                    // Not ready yet: fail those waiting to start, and let later callers wait for the next attempt.
                    Interlocked.Exchange(ref _ready, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetException(refused);
                }

                FailAll(refused);
                failures++;
            }
            catch (RpcException)
            {
                failures++; // the peer is restarting or unreachable: waits continue until their limit or deadline
            }

            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(5_000, 100 * Math.Pow(2, Math.Min(failures, 10)))), cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Follows blocks from the newest (first time) or the next unseen one, until the stream breaks.</summary>
    private async Task StreamAsync(CancellationToken cancellationToken)
    {
        var next = Height;
        var seek = new SeekInfo
        {
            Start = next == 0 ? new SeekPosition { Newest = new SeekNewest() } : new SeekPosition { Specified = new SeekSpecified { Number = next } },
            Stop = new SeekPosition { Specified = new SeekSpecified { Number = ulong.MaxValue } },
            Behavior = SeekInfo.Types.SeekBehavior.BlockUntilReady,
        };
        using var call = new Deliver.DeliverClient(_gateway.Channel).DeliverFiltered(cancellationToken: cancellationToken);
        await call.RequestStream.WriteAsync(_gateway.SeekEnvelope(_channel, seek), cancellationToken).ConfigureAwait(false);
        while (await call.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false))
        {
            var response = call.ResponseStream.Current;
            if (response.TypeCase != DeliverResponse.TypeOneofCase.FilteredBlock)
            {
                var code = response.Status is Protos.Common.Status.Forbidden ? StatusCode.PermissionDenied
                    : response.Status is Protos.Common.Status.NotFound ? StatusCode.NotFound
                    : StatusCode.Unavailable;
                throw new RpcException(new Grpc.Core.Status(code, $"the peer ended commit notifications on channel {_channel} with {response.Status}"));
            }

            Observe(response.FilteredBlock);
        }
    }

    private void Observe(FilteredBlock block)
    {
        var resolved = new List<(Waiter Waiter, CommitStatus Status)>();
        var expired = new List<Waiter>();
        lock (_lock)
        {
            if (block.Number + 1 <= _height)
            {
                return; // already seen (a reopened stream)
            }

            _height = block.Number + 1;
            foreach (var tx in block.FilteredTransactions)
            {
                if (_waiting.Remove(tx.Txid, out var list))
                {
                    resolved.AddRange(list.Select(w => (w, new CommitStatus(tx.Txid, tx.TxValidationCode, block.Number))));
                }
            }

            foreach (var list in _waiting.Values)
            {
                expired.AddRange(list.Where(w => _height >= w.StartHeight + (ulong)w.MaxBlocks));
            }

            foreach (var waiter in expired)
            {
                _waiting[waiter.TransactionId].Remove(waiter);
                if (_waiting[waiter.TransactionId].Count == 0)
                {
                    _waiting.Remove(waiter.TransactionId);
                }
            }
        }

        Volatile.Read(ref _ready).TrySetResult();
        foreach (var (waiter, status) in resolved)
        {
            waiter.Completion.TrySetResult(status);
        }

        foreach (var waiter in expired)
        {
            waiter.Completion.TrySetException(waiter.NotCommitted(block.Number + 1, TransactionNotCommittedException.Limit.Blocks));
        }
    }

    private void FailAll(Exception failure)
    {
        List<Waiter> all;
        lock (_lock)
        {
            all = [.. _waiting.Values.SelectMany(l => l)];
            _waiting.Clear();
        }

        foreach (var waiter in all)
        {
            waiter.Completion.TrySetException(failure);
        }
    }

    /// <summary>One transaction being waited for, from <see cref="StartHeight"/> on.</summary>
    internal sealed class Waiter(CommitWatcher watcher, string transactionId, ulong startHeight, int maxBlocks, SignedTransaction? transaction)
    {
        public string TransactionId { get; } = transactionId;

        public ulong StartHeight { get; } = startHeight;

        public int MaxBlocks { get; } = maxBlocks;

        public TaskCompletionSource<CommitStatus> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>The status, or <see cref="TransactionNotCommittedException"/> when the block limit or <paramref name="timeout"/> is reached first.</summary>
        public async Task<CommitStatus> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
        {
            try
            {
                return await Completion.Task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                throw NotCommitted(watcher.Height, TransactionNotCommittedException.Limit.Time, timeout);
            }
            finally
            {
                Stop();
            }
        }

        /// <summary>Stops waiting (the submission failed, or the caller gave up).</summary>
        public void Stop() => watcher.Unregister(this);

        public TransactionNotCommittedException NotCommitted(ulong height, TransactionNotCommittedException.Limit reached, TimeSpan? waited = null) =>
            new(TransactionId, StartHeight, Math.Max(height, StartHeight), MaxBlocks, reached, waited, transaction);
    }
}
