using System.Net;
using System.Text;
using System.Text.Json;
using FnzChain.Ledger;
using FnzChain.Ledger.Blocks;
using FnzChain.Ledger.State;
using FnzChain.Ledger.State.CouchDb;
using FnzChain.Ledger.Storage;
using FnzChain.Ledger.Tests;
using FnzChain.Protos.Ledger.Rwset;

namespace FnzChain.CouchDbTests;

/// <summary>
/// A channel ledger whose public state is in CouchDB (the peer's <c>stateDatabase: couchdb</c>): public writes become
/// CouchDB documents that Mango queries find; private data collections stay in the channel's RocksDB database — no
/// CouchDB database is ever created for them — and their rich queries are answered by the peer itself; the state
/// survives a reopen.
/// </summary>
[Category("CouchDb")]
public sealed class ChannelLedgerOnCouchDbTests
{
    private const string Cc = "fund";
    private const string Pii = "pii";
    private string _root = null!;
    private string _channel = null!;
    private CouchDbStateDatabaseProvider _provider = null!;

    [SetUp]
    public void SetUp()
    {
        _root = Directory.CreateTempSubdirectory("fnzchain-couch-ledger-").FullName;
        _channel = TestServers.NewChannel("ledger");
        _provider = new CouchDbStateDatabaseProvider(TestServers.Shared.NewOptions());
    }

    [TearDown]
    public void TearDown()
    {
        _provider.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    private Task<ChannelLedger> OpenAsync() =>
        ChannelLedger.OpenAsync(Path.Combine(_root, _channel), new LedgerOptions { Durability = CommitDurability.Buffered, StateDatabase = _provider });

    private static async Task CommitAsync(ChannelLedger ledger, int n)
    {
        var tx = TestTx.Id($"t{n}")
            .Write(Cc, $"order{n}", $$"""{"fund":"{{(n % 2 == 0 ? "F2" : "F1")}}","units":{{n}}}""")
            .PrivateWrite(Cc, Pii, $"investor{n}", $$"""{"name":"Investor Number {{n}}","age":{{20 + n}}}""");
        var block = BlockFactory.Create(ledger.Height, ledger.Blocks.LastBlockHash, [tx.Build()]);
        var result = await ledger.CommitAsync(ChannelLedger.Prepare(block), verdicts: null, new Dictionary<int, TxPvtReadWriteSet> { [0] = tx.PrivateData() });
        Assert.That(result.Codes, Is.All.EqualTo(Protos.Peer.TxValidationCode.Valid));
    }

    [Test]
    public async Task Public_state_is_queried_in_couchdb_private_state_stays_out_of_it_and_is_queried_by_the_peer()
    {
        using (var ledger = await OpenAsync())
        {
            for (var n = 0; n < 6; n++)
            {
                await CommitAsync(ledger, n);
            }

            var publicPage = await ledger.State.ExecuteQueryAsync(Cc, """{"selector":{"fund":"F1","units":{"$gte":3}}}""", 100);
            Assert.That(publicPage.Results.Select(r => r.Key), Is.EquivalentTo(new[] { "order3", "order5" }), "Mango on CouchDB");

            var privatePage = await ledger.State.ExecuteQueryAsync(PrivateNamespaces.Private(Cc, Pii), """{"selector":{"age":{"$gt":22}},"sort":[{"age":"desc"}],"fields":["name"]}""", 2);
            Assert.That(privatePage.Results.Select(r => r.Key), Is.EqualTo(new[] { "investor5", "investor4" }), "the peer's own evaluation, sorted, first page of 2");
            Assert.That(Encoding.UTF8.GetString(privatePage.Results[0].Value.Value.Span), Is.EqualTo("""{"name":"Investor Number 5"}"""));
            Assert.That(privatePage.HasMore, Is.True);
        }

        using var http = new HttpClient { BaseAddress = new Uri(TestServers.Shared.Options.Address) };
        var databases = JsonSerializer.Deserialize<string[]>(await http.GetStringAsync("/_all_dbs"))!.Where(d => d.StartsWith(_channel, StringComparison.Ordinal)).ToList();
        Assert.That(databases, Does.Contain(CouchDbNames.NamespaceDatabase(_channel, Cc)), "the public namespace is a CouchDB database");
        Assert.That(databases, Has.None.Contains("$$"), "no database for private, hashed or key-index namespaces: private data never reaches CouchDB");
        using var order = await http.GetAsync($"/{CouchDbNames.NamespaceDatabase(_channel, Cc)}/order5");
        Assert.That(order.StatusCode, Is.EqualTo(HttpStatusCode.OK), "a public value is a document");

        using var reopened = await OpenAsync();
        Assert.That(Encoding.UTF8.GetString((await reopened.State.GetStateAsync(Cc, "order4"))!.Value.Span), Is.EqualTo("""{"fund":"F2","units":4}"""));
        Assert.That(Encoding.UTF8.GetString((await reopened.State.GetStateAsync(PrivateNamespaces.Private(Cc, Pii), "investor4"))!.Value.Span), Does.Contain("Investor Number 4"));
        Assert.That(await reopened.State.GetLatestSavepointAsync(), Is.EqualTo(new Ledger.State.Version(5, 0)));
    }

    [Test]
    public async Task Commits_wait_while_couchdb_is_down_say_why_and_resume_when_it_returns()
    {
        await using var server = await CouchDbTestServer.StartAsync();
        if (server.IsExternal)
        {
            Assert.Ignore("stops and restarts the server: only with the local pouchdb-server");
        }

        using var provider = new CouchDbStateDatabaseProvider(server.NewOptions());
        using var ledger = await ChannelLedger.OpenAsync(Path.Combine(_root, _channel), new LedgerOptions { Durability = CommitDurability.Buffered, StateDatabase = provider });
        for (var n = 0; n < 3; n++)
        {
            await CommitAsync(ledger, n);
        }

        await server.StopAsync();
        var commit = CommitAsync(ledger, 3);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (ledger.StorageProblem is null && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        TestContext.Out.WriteLine($"problem: {ledger.StorageProblem}; commit {commit.Status} {commit.Exception?.InnerException?.Message}");
        // CouchDB is first needed to validate the block (its reads), before anything of it is written.
        Assert.That(ledger.StorageProblem, Does.StartWith("the public state database cannot be read to validate block 3 (").And.Contain("unreachable").And.Contain("retrying"));
        Assert.That(commit.IsCompleted, Is.False, "the commit waits for CouchDB instead of failing");

        await server.RestartAsync();
        await commit.WaitAsync(TimeSpan.FromSeconds(90));
        Assert.That(ledger.StorageProblem, Is.Null);
        Assert.That(Encoding.UTF8.GetString((await ledger.State.GetStateAsync(Cc, "order3"))!.Value.Span), Is.EqualTo("""{"fund":"F1","units":3}"""));
        Assert.That(await ledger.State.GetLatestSavepointAsync(), Is.EqualTo(new Ledger.State.Version(3, 0)));
    }
}
