namespace FnzChain.Ledger.State.CouchDb;

/// <summary>
/// A small asynchronous reader/writer lock: CouchDB has no snapshots, so (as Fabric does) an open snapshot holds the
/// shared side and a block commit the exclusive side — a snapshot never sees a block applied after it opened. Writers
/// are preferred: once a commit waits, new snapshots queue behind it, so a stream of endorsements cannot starve
/// commits. Waiters are completed asynchronously (never inline on the releasing thread).
/// </summary>
internal sealed class AsyncReaderWriterLock
{
    private readonly object _gate = new();
    private readonly Queue<TaskCompletionSource<Lease>> _writers = new();
    private readonly Queue<TaskCompletionSource<Lease>> _readers = new();
    private int _activeReaders;
    private bool _writerActive;

    /// <summary>Snapshots holding the shared side now.</summary>
    public int ActiveReaders
    {
        get
        {
            lock (_gate)
            {
                return _activeReaders;
            }
        }
    }

    public ValueTask<Lease> EnterReadAsync(CancellationToken cancellationToken) => Enter(write: false, cancellationToken);

    public ValueTask<Lease> EnterWriteAsync(CancellationToken cancellationToken) => Enter(write: true, cancellationToken);

    private ValueTask<Lease> Enter(bool write, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        TaskCompletionSource<Lease> waiter;
        lock (_gate)
        {
            if (write ? !_writerActive && _activeReaders == 0 : !_writerActive && _writers.Count == 0)
            {
                if (write)
                {
                    _writerActive = true;
                }
                else
                {
                    _activeReaders++;
                }

                return ValueTask.FromResult(new Lease(this, write));
            }

            waiter = new TaskCompletionSource<Lease>(TaskCreationOptions.RunContinuationsAsynchronously);
            (write ? _writers : _readers).Enqueue(waiter);
        }

        return new ValueTask<Lease>(WaitAsync(waiter, write, cancellationToken));
    }

    private async Task<Lease> WaitAsync(TaskCompletionSource<Lease> waiter, bool write, CancellationToken cancellationToken)
    {
        using (cancellationToken.Register(() => Abandon(waiter, write, cancellationToken)))
        {
            return await waiter.Task.ConfigureAwait(false);
        }
    }

    private void Abandon(TaskCompletionSource<Lease> waiter, bool write, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var queue = write ? _writers : _readers;
            if (!queue.Contains(waiter))
            {
                return; // already granted: the caller's await returns the lease and disposes it on cancellation paths
            }

            var rest = queue.Where(w => w != waiter).ToArray();
            queue.Clear();
            foreach (var w in rest)
            {
                queue.Enqueue(w);
            }

            waiter.TrySetCanceled(cancellationToken);
            if (write)
            {
                GrantLocked(); // readers held back by this writer may go now
            }
        }
    }

    private void Release(bool write)
    {
        lock (_gate)
        {
            if (write)
            {
                _writerActive = false;
            }
            else
            {
                _activeReaders--;
            }

            GrantLocked();
        }
    }

    private void GrantLocked()
    {
        if (_writerActive)
        {
            return;
        }

        if (_writers.Count > 0)
        {
            if (_activeReaders == 0)
            {
                _writerActive = true;
                _writers.Dequeue().TrySetResult(new Lease(this, write: true));
            }

            return;
        }

        while (_readers.Count > 0)
        {
            _activeReaders++;
            _readers.Dequeue().TrySetResult(new Lease(this, write: false));
        }
    }

    /// <summary>One hold of the lock; disposing it (once, from any thread) releases it.</summary>
    public sealed class Lease : IDisposable
    {
        private AsyncReaderWriterLock? _owner;
        private readonly bool _write;

        internal Lease(AsyncReaderWriterLock owner, bool write)
        {
            _owner = owner;
            _write = write;
        }

        public void Dispose() => Interlocked.Exchange(ref _owner, null)?.Release(_write);
    }
}
