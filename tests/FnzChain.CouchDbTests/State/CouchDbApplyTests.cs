using System.Diagnostics;
using System.Text;
using FnzChain.Ledger.State;
using FnzChain.Ledger.State.CouchDb;
using Version = FnzChain.Ledger.State.Version;

namespace FnzChain.CouchDbTests.State;

/// <summary>
/// Applying blocks to CouchDB: a half-applied block is repaired by applying it again (the ledger's recovery replay),
/// prefetched revisions make a block cost O(1) requests, snapshots are bounded in time.
/// </summary>
[Category("CouchDb")]
public sealed class CouchDbApplyTests
{
    private const string Ns = "ta";
    private static readonly TxInfo Tx = new("tx", DateTimeOffset.UnixEpoch);
    private string _channel = null!;
    private readonly List<IDisposable> _open = [];

    [SetUp]
    public void NewChannel() => _channel = TestServers.NewChannel("ap");

    [TearDown]
    public async Task CloseAsync()
    {
        foreach (var d in _open)
        {
            d.Dispose();
        }

        _open.Clear();
        await ChannelDatabases.DeleteAsync(_channel);
    }

    private async Task<CouchDbStateDatabase> OpenAsync(CouchDbOptions? options = null)
    {
        var db = await CouchDbStateDatabase.OpenAsync(options ?? TestServers.Shared.NewOptions(), _channel);
        _open.Add(db);
        return db;
    }

    private static UpdateBatch Block(ulong block, int keys, string valuePrefix, int deleteEvery = 0)
    {
        var batch = new UpdateBatch(keys);
        for (var i = 0; i < keys; i++)
        {
            var version = new Version(block, (ulong)i);
            if (deleteEvery > 0 && i % deleteEvery == 0)
            {
                batch.Delete(Ns, $"k{i:D4}", version, Tx);
            }
            else
            {
                batch.Put(Ns, $"k{i:D4}", Encoding.UTF8.GetBytes($$"""{"v":"{{valuePrefix}}{{i}}","block":{{block}}}"""), version, Tx);
            }
        }

        return batch;
    }

    private static Version Last(ulong block, int keys) => new(block, (ulong)keys - 1);

    [Test]
    public async Task Applying_a_half_applied_block_again_completes_it_and_moves_the_savepoint()
    {
        var db = await OpenAsync();
        await db.ApplyUpdatesAsync(Block(1, 40, "one"), Last(1, 40));
        _ = await db.GetStatesAsync([.. Enumerable.Range(0, 40).Select(i => new StateKey(Ns, $"k{i:D4}"))]); // revisions cached

        // A crash mid-block: the first half of block 2's documents reached CouchDB (written here by another
        // instance, which also rewrites savepoint 1), the rest and the savepoint did not. db's cached revisions of
        // that half are now stale, as after an error in the middle of _bulk_docs.
        var block2 = Block(2, 40, "two", deleteEvery: 5);
        var half = new UpdateBatch();
        foreach (var write in block2.Writes.Take(20))
        {
            if (write.IsDelete)
            {
                half.Delete(write.Namespace, write.Key, write.Version, write.Tx);
            }
            else
            {
                half.Put(write.Namespace, write.Key, write.Value, write.Version, write.Tx);
            }
        }

        var crashed = await OpenAsync();
        await crashed.ApplyUpdatesAsync(half, Last(1, 40));
        Assert.That(await (await OpenAsync()).GetLatestSavepointAsync(), Is.EqualTo(Last(1, 40)), "the savepoint must not move before the whole block is written");

        await db.ApplyUpdatesAsync(block2, Last(2, 40));
        var replayed = await OpenAsync();
        await replayed.ApplyUpdatesAsync(block2, Last(2, 40)); // recovery replays the current savepoint: idempotent

        var values = await replayed.GetStatesAsync([.. Enumerable.Range(0, 40).Select(i => new StateKey(Ns, $"k{i:D4}"))]);
        for (var i = 0; i < 40; i++)
        {
            if (i % 5 == 0)
            {
                Assert.That(values[i], Is.Null, $"k{i:D4} should be deleted");
            }
            else
            {
                Assert.That(Encoding.UTF8.GetString(values[i]!.Value.Span), Is.EqualTo($$"""{"v":"two{{i}}","block":2}"""));
                Assert.That(values[i]!.Version, Is.EqualTo(new Version(2, (ulong)i)));
            }
        }

        Assert.That(await replayed.GetLatestSavepointAsync(), Is.EqualTo(Last(2, 40)));
        Assert.That((await replayed.GetStateRangeAsync(Ns, "", "", 100)).Results, Has.Count.EqualTo(32));
    }

    [Test]
    public async Task Block_whose_keys_were_prefetched_costs_a_constant_number_of_requests()
    {
        const int keys = 500;
        var writer = await OpenAsync();
        await writer.ApplyUpdatesAsync(Block(1, keys, "one"), Last(1, keys));
        var readSet = Enumerable.Range(0, keys).Select(i => new StateKey(Ns, $"k{i:D4}")).ToArray();

        var db = await OpenAsync(); // another instance: nothing cached yet
        _ = await db.GetLatestSavepointAsync();
        var beforeRead = db.Client.RequestsSent;
        var read = Stopwatch.StartNew();
        _ = await db.GetStatesAsync(readSet); // the MVCC check's bulk read of the block's read set
        read.Stop();
        var beforeAgain = db.Client.RequestsSent;
        _ = await db.GetStatesAsync(readSet); // an endorsement reading the same keys: all cached
        var beforeApply = db.Client.RequestsSent;
        var apply = Stopwatch.StartNew();
        await db.ApplyUpdatesAsync(Block(2, keys, "two"), Last(2, keys));
        apply.Stop();
        var applyRequests = db.Client.RequestsSent - beforeApply;
        var beforeAfterApply = db.Client.RequestsSent;
        var afterApply = await db.GetStatesAsync(readSet); // the block's own writes were cached as CouchDB now holds them
        var readAfterApply = db.Client.RequestsSent - beforeAfterApply;

        var cold = await OpenAsync(); // nothing cached: one bulk revision lookup for the block's keys
        var beforeCold = cold.Client.RequestsSent;
        await cold.ApplyUpdatesAsync(Block(3, keys, "three"), Last(3, keys));
        var coldRequests = cold.Client.RequestsSent - beforeCold;

        TestContext.Out.WriteLine($"server: {(TestServers.Shared.IsExternal ? TestServers.Shared.Options.Address : "pouchdb-server (LevelDB)")}");
        TestContext.Out.WriteLine($"bulk read of {keys} keys: {read.Elapsed.TotalMilliseconds:0.0} ms, {beforeAgain - beforeRead} request(s); again: {beforeApply - beforeAgain}");
        TestContext.Out.WriteLine($"apply of a {keys}-write block, read set prefetched: {apply.Elapsed.TotalMilliseconds:0.0} ms, {applyRequests} request(s)");
        TestContext.Out.WriteLine($"apply of a {keys}-write block, nothing cached: {coldRequests} request(s)");
        Assert.That(beforeAgain - beforeRead, Is.EqualTo(1));
        Assert.That(beforeApply - beforeAgain, Is.Zero, "keys read before are answered from the cache");
        Assert.That(applyRequests, Is.EqualTo(3), "once per instance: create-if-missing the namespace database; per block: one _bulk_docs and the savepoint, no revision lookups");
        Assert.That(readAfterApply, Is.Zero, "the block's writes are cached");
        Assert.That(afterApply.Select(v => Encoding.UTF8.GetString(v!.Value.Span)), Is.All.Contains("\"two"));
        Assert.That(coldRequests, Is.EqualTo(5), "once per instance: read the savepoint, create-if-missing the namespace database; per block: one revision lookup, one _bulk_docs, the savepoint");
    }

    [Test]
    public async Task What_the_cache_answers_is_byte_for_byte_what_couchdb_answers_a_peer_that_has_nothing_cached()
    {
        // Endorsers compare results byte for byte: a peer reading from its cache must see what a peer that just started
        // reads from CouchDB — for every way a value is stored (inline object, raw-kept object, not JSON, metadata, deletes).
        var values = new (string Key, byte[] Value, byte[] Metadata)[]
        {
            ("object", """{"fund":"F1","units":125,"nested":{"a":[1,2,3]}}"""u8.ToArray(), []),
            ("spaced", """{ "fund" : "F1" }"""u8.ToArray(), []),
            ("bigint", """{"n":12345678901234567890}"""u8.ToArray(), []),
            ("digits", """{"10":"x","2":"y"}"""u8.ToArray(), []),
            ("array", "[1,2,3]"u8.ToArray(), []),
            ("binary", [0, 1, 2, 255, 254], []),
            ("with-metadata", """{"v":1}"""u8.ToArray(), [8, 1, 18, 3, 97, 98, 99]),
            ("reserved", """{"_id":"x","~version":"y"}"""u8.ToArray(), []),
        };
        var batch = new UpdateBatch();
        for (var i = 0; i < values.Length; i++)
        {
            batch.Put(Ns, values[i].Key, values[i].Value, new Version(1, (ulong)i), Tx, values[i].Metadata);
        }

        batch.Delete(Ns, "deleted", new Version(1, (ulong)values.Length), Tx);
        var warm = await OpenAsync();
        await warm.ApplyUpdatesAsync(new UpdateBatch().Put(Ns, "deleted", "x"u8.ToArray(), new Version(0, 0), Tx), new Version(0, 0));
        await warm.ApplyUpdatesAsync(batch, new Version(1, (ulong)values.Length));
        var keys = values.Select(v => new StateKey(Ns, v.Key)).Append(new StateKey(Ns, "deleted")).ToArray();

        var before = warm.Client.RequestsSent;
        var cached = await warm.GetStatesAsync(keys);
        Assert.That(warm.Client.RequestsSent - before, Is.Zero, "answered from the cache");
        var fromServer = await (await OpenAsync()).GetStatesAsync(keys);

        for (var i = 0; i < keys.Length; i++)
        {
            Assert.That(cached[i] is null, Is.EqualTo(fromServer[i] is null), keys[i].Key);
            if (cached[i] is { } c && fromServer[i] is { } s)
            {
                Assert.That(c.Value.ToArray(), Is.EqualTo(s.Value.ToArray()), keys[i].Key);
                Assert.That(c.Version, Is.EqualTo(s.Version), keys[i].Key);
                Assert.That(c.Metadata.ToArray(), Is.EqualTo(s.Metadata.ToArray()), keys[i].Key);
            }
        }

        Assert.That(cached[^1], Is.Null, "the deleted key");
    }

    [Test]
    public async Task A_read_from_a_snapshot_fills_the_cache_for_the_commit_that_follows()
    {
        const int keys = 20;
        var writer = await OpenAsync();
        await writer.ApplyUpdatesAsync(Block(1, keys, "one"), Last(1, keys));
        var db = await OpenAsync();
        var readSet = Enumerable.Range(0, keys).Select(i => new StateKey(Ns, $"k{i:D4}")).ToArray();
        using (var snapshot = await db.OpenSnapshotAsync())
        {
            _ = await snapshot.GetStatesAsync(readSet); // an endorsement
        }

        var before = db.Client.RequestsSent;
        _ = await db.GetStatesAsync(readSet); // the MVCC check at commit
        Assert.That(db.Client.RequestsSent - before, Is.Zero);
        Assert.That(db.CacheReads.Hits, Is.EqualTo(keys));
    }

    [Test]
    public async Task Apply_looks_up_revisions_while_a_snapshot_is_open_and_writes_no_document_until_it_closes()
    {
        const int keys = 50;
        var db = await OpenAsync();
        await db.ApplyUpdatesAsync(Block(1, keys, "one"), Last(1, keys));
        var cold = await OpenAsync(); // nothing cached: the apply below must look its revisions up
        _ = await cold.GetLatestSavepointAsync();
        var snapshot = await cold.OpenSnapshotAsync();
        var before = cold.Client.RequestsSent;

        var apply = cold.ApplyUpdatesAsync(Block(2, keys, "two"), Last(2, keys)).AsTask();
        var deadline = Stopwatch.StartNew();
        while (cold.Client.RequestsSent < before + 2 && !apply.IsCompleted && deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(10);
        }

        Assert.That(cold.Client.RequestsSent - before, Is.EqualTo(2), "create-if-missing the namespace database and the revision lookup ran while the snapshot was open");
        Assert.That(apply.IsCompleted, Is.False, "the document writes wait for the snapshot");
        var seen = await snapshot.GetStateAsync(Ns, "k0001");
        Assert.That(Encoding.UTF8.GetString(seen!.Value.Span), Does.Contain("one1"), "the snapshot still sees the block before");
        snapshot.Dispose();
        await apply;

        Assert.That(Encoding.UTF8.GetString((await cold.GetStateAsync(Ns, "k0001"))!.Value.Span), Does.Contain("two1"), "what the snapshot cached was replaced by the block's write");
        Assert.That(Encoding.UTF8.GetString((await (await OpenAsync()).GetStateAsync(Ns, "k0001"))!.Value.Span), Does.Contain("two1"));
        Assert.That(await cold.GetLatestSavepointAsync(), Is.EqualTo(Last(2, keys)));
    }

    [Test]
    public async Task Snapshot_open_longer_than_its_lifetime_is_released_and_its_reads_fail()
    {
        var options = TestServers.Shared.NewOptions();
        options.MaxSnapshotLifetime = TimeSpan.FromMilliseconds(300);
        var db = await OpenAsync(options);
        await db.ApplyUpdatesAsync(Block(1, 3, "one"), Last(1, 3));
        var stuck = await db.OpenSnapshotAsync(); // never disposed, like a stuck endorsement

        await db.ApplyUpdatesAsync(Block(2, 3, "two"), Last(2, 3)).AsTask().WaitAsync(TimeSpan.FromSeconds(30));

        var e = Assert.ThrowsAsync<InvalidOperationException>(async () => await stuck.GetStateAsync(Ns, "k0001"));
        Assert.That(e!.Message, Does.Contain("expired"));
        Assert.That(e.Message, Does.Contain("couchDb.maxSnapshotLifetime"));
        Assert.That(await db.GetLatestSavepointAsync(), Is.EqualTo(Last(2, 3)));
    }

    [Test]
    public async Task Deleting_keys_that_never_existed_writes_nothing_and_succeeds()
    {
        var db = await OpenAsync();
        var batch = new UpdateBatch().Delete("nowhere", "k", new Version(1, 0), Tx).Delete(Ns, "k", new Version(1, 1), Tx);

        await db.ApplyUpdatesAsync(batch, new Version(1, 1));

        using var client = new CouchDbClient(TestServers.Shared.NewOptions());
        Assert.That(await client.DatabaseExistsAsync(CouchDbNames.NamespaceDatabase(_channel, "nowhere")), Is.False);
        Assert.That(await db.GetLatestSavepointAsync(), Is.EqualTo(new Version(1, 1)));
    }

    [Test]
    public async Task Key_deleted_then_written_again_reads_back_the_new_value()
    {
        var db = await OpenAsync();
        await db.ApplyUpdatesAsync(new UpdateBatch().Put(Ns, "k", "1"u8.ToArray(), new Version(1, 0), Tx), new Version(1, 0));
        await db.ApplyUpdatesAsync(new UpdateBatch().Delete(Ns, "k", new Version(2, 0), Tx), new Version(2, 0));
        var fresh = await OpenAsync(); // no cached revision: the tombstone must not block the write

        await fresh.ApplyUpdatesAsync(new UpdateBatch().Put(Ns, "k", "3"u8.ToArray(), new Version(3, 0), Tx), new Version(3, 0));

        Assert.That(Encoding.UTF8.GetString((await fresh.GetStateAsync(Ns, "k"))!.Value.Span), Is.EqualTo("3"));
    }

    [Test]
    public async Task Block_larger_than_one_bulk_request_is_written_in_chunks()
    {
        var options = TestServers.Shared.NewOptions();
        options.MaxBatchUpdateSize = 7;
        var db = await OpenAsync(options);
        var before = db.Client.RequestsSent;

        await db.ApplyUpdatesAsync(Block(1, 30, "one"), Last(1, 30));

        var page = await db.GetStateRangeAsync(Ns, "", "", 100);
        Assert.That(page.Results, Has.Count.EqualTo(30));
        Assert.That(db.Client.RequestsSent - before, Is.GreaterThanOrEqualTo(5 + 5), "30 documents in chunks of 7: 5 lookups and 5 writes");
    }
}
