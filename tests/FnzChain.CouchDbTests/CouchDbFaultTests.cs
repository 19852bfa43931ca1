using System.Net;
using System.Net.Sockets;
using System.Text;
using FnzChain.Ledger.State;
using FnzChain.Ledger.State.CouchDb;
using Version = FnzChain.Ledger.State.Version;

namespace FnzChain.CouchDbTests;

/// <summary>
/// The server failing under the state database: killed in the middle of a block, unreachable at start, refusing the
/// credentials. Each failure must be one line naming the cause, commit nothing past the savepoint, and heal when the
/// server is back.
/// </summary>
[Category("CouchDb")]
public sealed class CouchDbFaultTests
{
    private const string Ns = "ta";
    private static readonly TxInfo Tx = new("tx", DateTimeOffset.UnixEpoch);

    [Test]
    public async Task Server_killed_mid_block_fails_the_apply_in_one_line_and_reapplying_after_restart_completes_it()
    {
        if (!string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(CouchDbTestServer.EnvironmentVariable)))
        {
            Assert.Ignore("needs a server the test can kill: runs against pouchdb-server only");
        }

        await using var server = await CouchDbTestServer.StartAsync();
        var options = server.NewOptions();
        options.MaxBatchUpdateSize = 10;
        using var db = await CouchDbStateDatabase.OpenAsync(options, "faults");
        await db.ApplyUpdatesAsync(Block(1, 20), new Version(1, 19));
        var block2 = Block(2, 3000);
        _ = await db.GetStatesAsync([.. block2.Writes.Select(w => new StateKey(w.Namespace, w.Key))]); // as the MVCC check does

        var start = db.Client.RequestsSent; // from here on: _bulk_docs requests of 10 documents each
        var apply = db.ApplyUpdatesAsync(block2, new Version(2, 2999)).AsTask();
        while (db.Client.RequestsSent < start + 20 && !apply.IsCompleted)
        {
            await Task.Delay(1);
        }

        await server.StopAsync();
        var e = Assert.ThrowsAsync<CouchDbException>(async () => await apply);
        TestContext.Out.WriteLine(e!.Message);

        Assert.That(e!.Message, Does.Contain(options.Address));
        Assert.That(e.Message, Does.StartWith("CouchDB bulk_docs on database \"faults_ta\" failed"));
        Assert.That(e.Message, Does.Contain("unreachable").Or.Contain("circuit is open"));
        Assert.That(e.Message, Does.Not.Contain('\n'));
        Assert.That(e.IsTransient, Is.True);

        await server.RestartAsync();
        using (var reopened = await CouchDbStateDatabase.OpenAsync(server.NewOptions(), "faults"))
        {
            Assert.That(await reopened.GetLatestSavepointAsync(), Is.EqualTo(new Version(1, 19)), "the savepoint moved although the block was cut short");
            var partial = (await reopened.GetStateRangeAsync(Ns, "", "", 5000)).Results.Count(r => r.Value.Version.BlockNumber == 2);
            Assert.That(partial, Is.InRange(1, 2999), "the kill should land in the middle of the block's writes");
        }

        await ApplyWhenCircuitClosesAsync(db, block2, new Version(2, 2999));
        using var check = await CouchDbStateDatabase.OpenAsync(server.NewOptions(), "faults");
        var page = await check.GetStateRangeAsync(Ns, "", "", 5000);
        Assert.That(page.Results, Has.Count.EqualTo(3000));
        Assert.That(page.Results.All(r => r.Value.Version.BlockNumber == 2), Is.True);
        Assert.That(await check.GetLatestSavepointAsync(), Is.EqualTo(new Version(2, 2999)));
    }

    [Test]
    public async Task Request_too_large_for_the_server_fails_in_one_line_without_moving_the_savepoint()
    {
        if (!string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(CouchDbTestServer.EnvironmentVariable)))
        {
            Assert.Ignore("lowers the server's max_document_size through pouchdb-server's /_config: runs against pouchdb-server only");
        }

        await using var server = await CouchDbTestServer.StartAsync();
        using var db = await CouchDbStateDatabase.OpenAsync(server.NewOptions(), "large");
        await db.ApplyUpdatesAsync(Block(1, 2), new Version(1, 1));
        using (var http = new HttpClient())
        {
            using var limit = await http.PutAsync(server.Options.Address + "/_config/couchdb/max_document_size", new StringContent("\"4096\""));
            limit.EnsureSuccessStatusCode();
        }

        var big = new UpdateBatch()
            .Put(Ns, "small", "{}"u8.ToArray(), new Version(2, 0), Tx)
            .Put(Ns, "big", new byte[10_000], new Version(2, 1), Tx);
        var e = Assert.ThrowsAsync<CouchDbException>(async () => await db.ApplyUpdatesAsync(big, new Version(2, 1)));
        TestContext.Out.WriteLine(e!.Message);

        Assert.That(e.Status, Is.EqualTo(HttpStatusCode.RequestEntityTooLarge));
        Assert.That(e.Message, Does.StartWith("CouchDB bulk_docs on database \"large_ta\" failed: request too large"));
        Assert.That(e.Message, Does.EndWith("the largest value 10000 bytes at key \"big\""));
        Assert.That(e.Message, Does.Not.Contain('\n'));
        Assert.That(e.IsTransient, Is.False);
        Assert.That(await db.GetLatestSavepointAsync(), Is.EqualTo(new Version(1, 1)));
        Assert.That(await db.GetStateAsync(Ns, "small"), Is.Null, "a refused request writes none of its documents");

        await db.ApplyUpdatesAsync(Block(2, 3), new Version(2, 2));
        Assert.That(await db.GetLatestSavepointAsync(), Is.EqualTo(new Version(2, 2)));
    }

    [Test]
    public void Wrong_credentials_are_refused_in_one_line_at_open()
    {
        var options = TestServers.Shared.NewOptions();
        options.Username = "nobody";
        options.Password = "wrong-password";

        var e = Assert.ThrowsAsync<CouchDbException>(async () => await CouchDbStateDatabase.OpenAsync(options, "creds"));
        TestContext.Out.WriteLine(e!.Message);

        Assert.That(e!.Message, Does.Contain("refused the credentials of user \"nobody\""));
        Assert.That(e.Status, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(e.Message, Does.Not.Contain('\n'));
        Assert.That(e.Message, Does.Not.Contain("wrong-password"));
    }

    [Test]
    public void Unreachable_server_is_reported_in_one_line_at_open()
    {
        var options = new CouchDbOptions { Address = $"http://127.0.0.1:{UnusedPort()}", MaxRetries = 1, RetryBaseDelay = TimeSpan.FromMilliseconds(10) };

        var e = Assert.ThrowsAsync<CouchDbException>(async () => await CouchDbStateDatabase.OpenAsync(options, "down"));
        TestContext.Out.WriteLine(e!.Message);

        Assert.That(e!.Message, Does.StartWith($"CouchDB server_info failed: {options.Address} unreachable ("));
        Assert.That(e.Message, Does.EndWith("after 2 attempt(s)"));
        Assert.That(e.Message, Does.Not.Contain('\n'));
    }

    private static async Task ApplyWhenCircuitClosesAsync(CouchDbStateDatabase db, UpdateBatch batch, Version savepoint)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            try
            {
                await db.ApplyUpdatesAsync(batch, savepoint);
                return;
            }
            catch (CouchDbException e) when (e.IsTransient && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100); // the circuit opened while the server was down; it lets a trial through soon
            }
        }
    }

    private static UpdateBatch Block(ulong block, int keys)
    {
        var batch = new UpdateBatch(keys);
        for (var i = 0; i < keys; i++)
        {
            batch.Put(Ns, $"k{i:D5}", Encoding.UTF8.GetBytes($$"""{"block":{{block}},"i":{{i}}}"""), new Version(block, (ulong)i), Tx);
        }

        return batch;
    }

    private static int UnusedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
