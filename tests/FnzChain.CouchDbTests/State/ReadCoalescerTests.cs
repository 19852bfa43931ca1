using System.Text;
using System.Text.Json;
using FnzChain.Ledger.State;
using FnzChain.Ledger.State.CouchDb;
using Version = FnzChain.Ledger.State.Version;

namespace FnzChain.CouchDbTests.State;

/// <summary>Concurrent reads of one database share requests: against the real server, and step by step with a held request.</summary>
[Category("CouchDb")]
public sealed class ReadCoalescerTests
{
    private const string Ns = "ta";
    private static readonly TxInfo Tx = new("tx", DateTimeOffset.UnixEpoch);

    [Test]
    public async Task Concurrent_endorsement_reads_of_different_keys_share_requests_and_each_gets_its_own_value()
    {
        const int keys = 200;
        var channel = TestServers.NewChannel("rc");
        try
        {
            using var writer = await CouchDbStateDatabase.OpenAsync(TestServers.Shared.NewOptions(), channel);
            var batch = new UpdateBatch();
            for (var i = 0; i < keys; i++)
            {
                batch.Put(Ns, $"k{i:D3}", Encoding.UTF8.GetBytes($$"""{"n":{{i}}}"""), new Version(1, (ulong)i), Tx);
            }

            await writer.ApplyUpdatesAsync(batch, new Version(1, keys - 1));
            using var cold = await CouchDbStateDatabase.OpenAsync(TestServers.Shared.NewOptions(), channel); // nothing cached
            using var snapshot = await cold.OpenSnapshotAsync();

            // Each endorsement reads one key of its own (plus one that does not exist), all at once.
            var reads = Enumerable.Range(0, keys).Select(async i =>
                (Found: await snapshot.GetStateAsync(Ns, $"k{i:D3}"), Missing: await snapshot.GetStateAsync(Ns, $"new{i:D3}"))).ToList();
            var values = await Task.WhenAll(reads);

            TestContext.Out.WriteLine($"{2 * keys} reads by {keys} concurrent readers: {cold.ReadRequests} request(s)");
            for (var i = 0; i < keys; i++)
            {
                Assert.That(Encoding.UTF8.GetString(values[i].Found!.Value.Span), Is.EqualTo($$"""{"n":{{i}}}"""));
                Assert.That(values[i].Found!.Version, Is.EqualTo(new Version(1, (ulong)i)));
                Assert.That(values[i].Missing, Is.Null);
            }

            Assert.That(cold.ReadRequests, Is.LessThan(keys / 4), "readers that arrive while a request is in flight share the next one");
        }
        finally
        {
            await ChannelDatabases.DeleteAsync(channel);
        }
    }

    [Test]
    public async Task Reads_arriving_while_a_request_is_in_flight_go_together_in_the_next_one()
    {
        var requests = new List<string[]>();
        var held = new TaskCompletionSource();
        var coalescer = new ReadCoalescer(
            async (_, ids) =>
            {
                lock (requests)
                {
                    requests.Add(ids);
                }

                if (requests.Count == 1)
                {
                    await held.Task;
                }

                return Rows(ids);
            },
            maxKeys: 1000);

        var first = coalescer.ReadAsync("db", ["a"], CancellationToken.None);
        await WaitUntilAsync(() => requests.Count == 1);
        var later = Enumerable.Range(0, 10).Select(i => coalescer.ReadAsync("db", [$"k{i}", "shared"], CancellationToken.None)).ToList();
        var other = coalescer.ReadAsync("other-db", ["x"], CancellationToken.None); // another database does not wait
        Assert.That((await other)[0].Revision, Is.EqualTo("1-x"));
        held.SetResult();

        Assert.That((await first)[0].Revision, Is.EqualTo("1-a"));
        for (var i = 0; i < 10; i++)
        {
            var rows = await later[i];
            Assert.That(rows.Select(r => r.Revision), Is.EqualTo(new[] { $"1-k{i}", "1-shared" }));
            Assert.That(Encoding.UTF8.GetString(rows[0].Value!.Value.Span), Is.EqualTo($$"""{"id":"k{{i}}"}"""));
        }

        Assert.That(requests.Where(r => !r.Contains("x")).Select(r => r.Length), Is.EqualTo(new[] { 1, 11 }), "the ten waiting reads in one request, the shared key once");
    }

    [Test]
    public async Task A_failed_request_fails_every_read_in_it_and_the_next_reads_are_sent_again()
    {
        var calls = 0;
        var held = new TaskCompletionSource();
        var coalescer = new ReadCoalescer(
            async (database, ids) =>
            {
                var call = Interlocked.Increment(ref calls);
                if (call == 1)
                {
                    await held.Task;
                }

                return call <= 2 ? throw new CouchDbException("all_docs", database, null, $"CouchDB all_docs on database \"{database}\" failed: unreachable") : Rows(ids);
            },
            maxKeys: 1000);

        var first = coalescer.ReadAsync("db", ["a"], CancellationToken.None);
        await WaitUntilAsync(() => Volatile.Read(ref calls) == 1);
        var waiting = Enumerable.Range(0, 5).Select(i => coalescer.ReadAsync("db", [$"k{i}"], CancellationToken.None)).ToList();
        held.SetResult();

        Assert.ThrowsAsync<CouchDbException>(async () => await first);
        foreach (var read in waiting)
        {
            var e = Assert.ThrowsAsync<CouchDbException>(async () => await read);
            Assert.That(e!.Message, Does.Contain("unreachable"));
        }

        Assert.That((await coalescer.ReadAsync("db", ["again"], CancellationToken.None))[0].Revision, Is.EqualTo("1-again"));
        Assert.That(calls, Is.EqualTo(3));
    }

    [Test]
    public async Task A_reader_that_gives_up_does_not_cancel_the_request_the_others_wait_for()
    {
        var held = new TaskCompletionSource();
        var coalescer = new ReadCoalescer(async (_, ids) => { await held.Task; return Rows(ids); }, maxKeys: 1000);
        using var cancel = new CancellationTokenSource();

        var impatient = coalescer.ReadAsync("db", ["a"], cancel.Token);
        var patient = coalescer.ReadAsync("db", ["b"], CancellationToken.None);
        await cancel.CancelAsync();
        held.SetResult();

        Assert.That(async () => await impatient, Throws.InstanceOf<OperationCanceledException>());
        Assert.That((await patient)[0].Revision, Is.EqualTo("1-b"));
    }

    /// <summary>An <c>_all_docs</c> answer in CouchDB's shape: one row per id, each a document holding its id.</summary>
    private static JsonDocument Rows(string[] ids) => JsonDocument.Parse(
        "{\"rows\":[" + string.Join(',', ids.Select(id =>
            $$$"""{"id":"{{{id}}}","key":"{{{id}}}","value":{"rev":"1-{{{id}}}"},"doc":{"_id":"{{{id}}}","_rev":"1-{{{id}}}","~version":"1:0","id":"{{{id}}}"}}""")) + "]}");

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(5);
        }

        Assert.That(condition(), Is.True);
    }
}
