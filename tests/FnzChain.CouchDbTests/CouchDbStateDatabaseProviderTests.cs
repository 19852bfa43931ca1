using FnzChain.Ledger.State.CouchDb;

namespace FnzChain.CouchDbTests;

/// <summary>The provider a CouchDB peer uses: its start-up check, and the probe behind the peer's /healthz.</summary>
[Category("CouchDb")]
public sealed class CouchDbStateDatabaseProviderTests
{
    [Test]
    public async Task The_probe_reports_couchdb_down_naming_it_and_clears_when_it_returns()
    {
        await using var server = await CouchDbTestServer.StartAsync();
        if (server.IsExternal)
        {
            Assert.Ignore("stops and restarts the server: only with the local pouchdb-server");
        }

        using var provider = new CouchDbStateDatabaseProvider(server.NewOptions());
        await provider.CheckAsync();
        provider.StartMonitoring(TimeSpan.FromMilliseconds(100));
        await UntilAsync(() => provider.Problem is null, "healthy while the server answers");

        await server.StopAsync();
        await UntilAsync(() => provider.Problem is not null, "the probe notices the server is gone");
        Assert.That(provider.Problem, Does.StartWith($"CouchDB at {server.Options.Address} does not answer: ").And.Not.Contain("\n"));

        await server.RestartAsync();
        await UntilAsync(() => provider.Problem is null, "healthy again once the server is back");
    }

    [Test]
    public void A_server_that_does_not_answer_stops_the_check_in_one_line()
    {
        using var provider = new CouchDbStateDatabaseProvider(new CouchDbOptions { Address = "http://127.0.0.1:9", MaxRetries = 0 });

        var e = Assert.ThrowsAsync<CouchDbException>(() => provider.CheckAsync());

        Assert.That(e!.Message, Does.Contain("http://127.0.0.1:9").And.Not.Contain("\n"));
    }

    private static async Task UntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!condition())
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), what);
            await Task.Delay(50);
        }
    }
}
