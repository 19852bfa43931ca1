using System.Text;
using System.Text.Json;
using FnzChain.Ledger.State;
using FnzChain.Ledger.State.Query;
using FnzChain.Ledger.State.RocksDb;
using Version = FnzChain.Ledger.State.Version;

namespace FnzChain.Ledger.Tests.State.Query;

/// <summary>Mango queries answered by reading a namespace of a real RocksDB state database.</summary>
public sealed class ScanningQueryExecutorTests
{
    private const string Ns = "ta$$pDist1";
    private string _folder = null!;
    private RocksDbStateDatabase _db = null!;

    [SetUp]
    public async Task Open()
    {
        _folder = Directory.CreateTempSubdirectory("fnzchain-mango-").FullName;
        _db = RocksDbStateDatabase.Open(_folder);
        var batch = new UpdateBatch();
        var tx = new TxInfo("tx", DateTimeOffset.UnixEpoch);
        for (var i = 0; i < 30; i++)
        {
            var json = $$"""{"investor":"I{{i:D2}}","fund":"{{(i % 3 == 0 ? "F2" : "F1")}}","units":{{(i * 7) % 50}},"name":"Name {{i}}"}""";
            batch.Put(Ns, $"acc{i:D2}", Encoding.UTF8.GetBytes(json), new Version(1, (ulong)i), tx);
        }

        batch.Put(Ns, "binary", new byte[] { 0xff, 0x00, 0x01 }, new Version(1, 30), tx);
        batch.Put(Ns, "array", Encoding.UTF8.GetBytes("""[{"fund":"F1"}]"""), new Version(1, 31), tx);
        batch.Put("other", "acc99", Encoding.UTF8.GetBytes("""{"fund":"F1","units":1}"""), new Version(1, 32), tx);
        await _db.ApplyUpdatesAsync(batch, new Version(1, 32));
    }

    [TearDown]
    public void Close()
    {
        _db.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Test]
    public async Task A_field_selector_matches_json_objects_of_the_namespace_in_key_order()
    {
        var page = await ScanningQueryExecutor.ExecuteAsync(_db, Ns, """{"selector":{"fund":"F1"}}""", 1000, null);

        Assert.That(page.Results.Select(r => r.Key), Is.EqualTo(Enumerable.Range(0, 30).Where(i => i % 3 != 0).Select(i => $"acc{i:D2}")));
        Assert.That(page.Bookmark, Is.Empty);
        Assert.That(page.Results[0].Value.Version, Is.EqualTo(new Version(1, 1)), "results carry their versions");
    }

    [Test]
    public async Task Sort_descending_with_fields_in_pages_of_the_page_size_whatever_the_querys_limit()
    {
        const string query = """{"selector":{"units":{"$gte":10}},"sort":[{"units":"desc"}],"fields":["investor","units"],"limit":7}""";
        var expected = Enumerable.Range(0, 30).Select(i => (Key: $"acc{i:D2}", Units: (i * 7) % 50)).Where(x => x.Units >= 10)
            .OrderByDescending(x => x.Units).ThenBy(x => x.Key, StringComparer.Ordinal).ToList();

        var seen = new List<string>();
        string? bookmark = null;
        var pages = 0;
        do
        {
            var page = await ScanningQueryExecutor.ExecuteAsync(_db, Ns, query, 3, bookmark);
            foreach (var result in page.Results)
            {
                using var document = JsonDocument.Parse(result.Value.Value);
                Assert.That(document.RootElement.EnumerateObject().Select(p => p.Name), Is.EqualTo(new[] { "investor", "units" }), "only the fields asked for");
                seen.Add(result.Key);
            }

            bookmark = page.Bookmark;
            pages++;
        }
        while (bookmark.Length > 0 && pages < 20);

        Assert.That(seen, Is.EqualTo(expected.Select(x => x.Key)), "every match (the query's limit is not honoured, as on CouchDB), by units descending then key");
        Assert.That(pages, Is.EqualTo((expected.Count + 2) / 3), "pages of 3, the page size");
    }

    [Test]
    public async Task A_value_that_is_not_a_json_object_matches_only_a_selector_on_no_field_and_comes_back_as_stored()
    {
        var all = await ScanningQueryExecutor.ExecuteAsync(_db, Ns, """{"selector":{}}""", 1000, null);

        Assert.That(all.Results.Single(r => r.Key == "binary").Value.Value.ToArray(), Is.EqualTo(new byte[] { 0xff, 0x00, 0x01 }), "as the CouchDB state database returns it");
        Assert.That(all.Results.Single(r => r.Key == "array").Value.Value.ToArray(), Is.EqualTo(Encoding.UTF8.GetBytes("""[{"fund":"F1"}]""")));
        Assert.That(all.Results, Has.Count.EqualTo(32));
    }

    [Test]
    public async Task Documents_without_a_sort_field_are_left_out_as_couchdbs_index_leaves_them_out()
    {
        var page = await ScanningQueryExecutor.ExecuteAsync(_db, Ns, """{"selector":{"fund":"F2"},"sort":["missing"]}""", 100, null);

        Assert.That(page.Results, Is.Empty);
    }

    [Test]
    public async Task A_namespace_larger_than_the_scan_limit_is_refused_naming_it()
    {
        var e = Assert.ThrowsAsync<FormatException>(async () => await ScanningQueryExecutor.ExecuteAsync(_db, Ns, """{"selector":{}}""", 10, null, maxScannedKeys: 5));

        Assert.That(e!.Message, Is.EqualTo($"rich query on {Ns}: more than 5 keys to read; narrow the data or keep it in the CouchDB state database"));
    }

    [TestCase("""{"selector":{"fund":"F1"},"skip":2}""", "skip: not supported; page with the bookmark")]
    [TestCase("""{"fund":"F1"}""", "query: unknown field \"fund\"")]
    [TestCase("""{"sort":["units"]}""", "query: has no \"selector\"")]
    [TestCase("""{"selector":{},"sort":[{"a":"asc"},{"b":"desc"}]}""", "sort: every field must sort in the same direction")]
    [TestCase("""not json""", "query: not JSON")]
    public void A_bad_query_is_refused_in_one_line(string query, string expected)
    {
        var e = Assert.ThrowsAsync<FormatException>(async () => await ScanningQueryExecutor.ExecuteAsync(_db, Ns, query, 10, null));

        Assert.That(e!.Message, Does.StartWith(expected).And.Not.Contain("\n"));
    }

    [Test]
    public void A_bookmark_that_is_not_one_is_refused()
    {
        var e = Assert.ThrowsAsync<FormatException>(async () => await ScanningQueryExecutor.ExecuteAsync(_db, Ns, """{"selector":{}}""", 10, "q1!!!"));

        Assert.That(e!.Message, Does.StartWith("bookmark \"q1!!!\" is not a bookmark of this query"));
    }
}
