using FnzChain.Ledger.State.CouchDb;

namespace FnzChain.CouchDbTests.State;

/// <summary>The commit lock behind CouchDB snapshots: shared readers, an exclusive writer that is not starved, cancellation.</summary>
[Category("CouchDb")]
public sealed class AsyncReaderWriterLockTests
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(10);

    [Test]
    public async Task Readers_share_and_a_writer_waits_for_all_of_them()
    {
        var rw = new AsyncReaderWriterLock();
        var first = await rw.EnterReadAsync(CancellationToken.None);
        var second = await rw.EnterReadAsync(CancellationToken.None);

        var writer = rw.EnterWriteAsync(CancellationToken.None).AsTask();
        first.Dispose();
        Assert.That(writer.IsCompleted, Is.False);
        second.Dispose();

        using var lease = await writer.WaitAsync(s_wait);
        Assert.That(rw.ActiveReaders, Is.Zero);
    }

    [Test]
    public async Task Waiting_writer_holds_back_new_readers_until_it_is_done()
    {
        var rw = new AsyncReaderWriterLock();
        var reader = await rw.EnterReadAsync(CancellationToken.None);
        var writer = rw.EnterWriteAsync(CancellationToken.None).AsTask();

        var lateReader = rw.EnterReadAsync(CancellationToken.None).AsTask();
        Assert.That(lateReader.IsCompleted, Is.False, "a reader overtook a waiting writer");
        reader.Dispose();
        var writeLease = await writer.WaitAsync(s_wait);
        Assert.That(lateReader.IsCompleted, Is.False);
        writeLease.Dispose();

        using var late = await lateReader.WaitAsync(s_wait);
        Assert.That(rw.ActiveReaders, Is.EqualTo(1));
    }

    [Test]
    public async Task Cancelled_writer_leaves_the_queue_and_lets_held_back_readers_in()
    {
        var rw = new AsyncReaderWriterLock();
        using var reader = await rw.EnterReadAsync(CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        var writer = rw.EnterWriteAsync(cancel.Token).AsTask();
        var lateReader = rw.EnterReadAsync(CancellationToken.None).AsTask();

        await cancel.CancelAsync();

        Assert.CatchAsync<OperationCanceledException>(async () => await writer.WaitAsync(s_wait));
        using var late = await lateReader.WaitAsync(s_wait);
        Assert.That(rw.ActiveReaders, Is.EqualTo(2));
    }

    [Test]
    public async Task Disposing_a_lease_twice_releases_it_once()
    {
        var rw = new AsyncReaderWriterLock();
        var a = await rw.EnterReadAsync(CancellationToken.None);
        using var b = await rw.EnterReadAsync(CancellationToken.None);

        a.Dispose();
        a.Dispose();

        Assert.That(rw.ActiveReaders, Is.EqualTo(1));
        Assert.That(rw.EnterWriteAsync(CancellationToken.None).IsCompleted, Is.False, "the second reader still holds the lock");
    }
}
