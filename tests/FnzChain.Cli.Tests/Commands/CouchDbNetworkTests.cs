namespace FnzChain.Cli.Tests.Commands;

/// <summary>
/// Local networks whose peers keep their public state in CouchDB. <c>network up --state-db couchdb</c>: a server per
/// peer, the chaincode package's index deployed, no private namespace in CouchDB, servers stopped by
/// <c>network down</c>. <c>fnzchain demo --state-db couchdb</c>: the transfer-agency day on peers whose public state is in CouchDB (a local
/// pouchdb-server per peer, installed with npm on first use), with the same results as on RocksDB, and the erasure
/// evidence extended to every CouchDB server's files — private data never reaches them (decision 0017), while the
/// same scan does find a public record there.
/// </summary>
[Category("CouchDb")]
[Category("Integration")]
public sealed class CouchDbNetworkTests
{
    [Test]
    public async Task The_day_runs_on_couchdb_peers_and_no_personal_data_is_in_any_couchdb_servers_files()
    {
        using var folder = new TempFolder();
        var result = await ProcessRunner.FnzchainAsync(folder.Path, "demo", "--state-db", "couchdb");

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(result.StandardError, Is.Empty);
        var output = result.StandardOutput;
        Assert.That(output, Does.Contain("a solo orderer, peers' public state in CouchDB"));
        Assert.That(System.Text.RegularExpressions.Regex.Matches(output, @"public state in a local CouchDB-compatible server \(pouchdb-server\) on http://127\.0\.0\.1:\d+, pid \d+").Count,
            Is.EqualTo(3), "one server per peer of the three organisations");
        Assert.That(output, Does.Contain("ORD-1 ACC-1 priced: 98.765 units for EUR 10,000.00, settles 2026-11-25"));
        Assert.That(output, Does.Contain("2 orders settled, 0 failed"));
        Assert.That(output, Does.Match(@"total\s+345\.678"), "the register adds up as on RocksDB");
        Assert.That(output, Does.Contain("searches on the transfer agent's peer, answered by couchdb-query (a CouchDB Mango query using the package's indexes):\n" + DemoCommandTests.SearchAnswers),
            "the same answers as the RocksDB demo's key-index walk");
        Assert.That(output, Does.Contain("in no file of the other peers or the orderer, of any peer's CouchDB server (4) and in no log"),
            "before erasure: the applicant's values are in the members' RocksDB files only, none in the four CouchDB servers (Dist3's peer has one too)");
        Assert.That(output, Does.Match(@"byte scan of 9 data folders and 5 node logs \(\d+ files, [\d,]+ bytes\): no trace of the applicant's name, address, tax id or bank account"));
        foreach (var peer in new[] { "TransferAgent", "Dist1", "Dist2", "Dist3" })
        {
            Assert.That(output, Does.Match($@"ledger verify \({peer} peer\): ok, \d+ blocks, (\d+) transactions \(\1 valid\)"));
        }

        Assert.That(output.TrimEnd(), Does.Match(@"demo: done in [\d.]+ s$"));
    }

    [Test]
    public async Task Network_up_gives_each_peer_a_server_deploys_the_packages_index_and_down_stops_them()
    {
        using var folder = new TempFolder();
        var up = await ProcessRunner.FnzchainAsync(folder.Path, "network", "up", "--dir", "net", "--state-db", "couchdb");
        Assert.That(up.ExitCode, Is.Zero, up.ToString());
        using var connection = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(folder.Path, "net", "connection.json")));
        var servers = connection.RootElement.GetProperty("organizations").EnumerateArray()
            .Select(o => (Address: o.GetProperty("couchDb").GetString()!, Pid: o.GetProperty("couchDbPid").GetInt32())).ToList();
        try
        {
            Assert.That(servers, Has.Count.EqualTo(2));
            using var http = new HttpClient();
            foreach (var (address, _) in servers)
            {
                // The index ships in the sample's package; the peer deploys it in the background once defined and installed.
                string indexes = "";
                for (var attempt = 0; attempt < 100 && !indexes.Contains("indexCurrency", StringComparison.Ordinal); attempt++)
                {
                    indexes = await http.GetStringAsync(new Uri($"{address}/funds_funds/_index"));
                    await Task.Delay(100);
                }

                Assert.That(indexes, Does.Contain("\"name\":\"indexCurrency\"").And.Contain("{\"currency\":\"asc\"}"));
                var databases = await http.GetStringAsync(new Uri($"{address}/_all_dbs"));
                Assert.That(databases, Does.Contain("\"funds_funds\"").And.Not.Contain("$$"), "public state only: no private, hashed or key-index database");
            }
        }
        finally
        {
            var down = await ProcessRunner.FnzchainAsync(folder.Path, "network", "down", "--dir", "net");
            Assert.That(down.ExitCode, Is.Zero, down.ToString());
            Assert.That(down.StandardOutput, Does.Contain("with their CouchDB-compatible servers"));
        }

        foreach (var (_, pid) in servers)
        {
            Assert.That(() => System.Diagnostics.Process.GetProcessById(pid).HasExited, Throws.ArgumentException.Or.True, $"server {pid} stopped");
        }
    }
}
