using System.Text;
using System.Text.Json;
using FnzChain.Ledger.State;
using FnzChain.Ledger.State.CouchDb;
using Version = FnzChain.Ledger.State.Version;

namespace FnzChain.CouchDbTests.State;

/// <summary>Mango queries over JSON values: selectors, sort on an index, projections, paging, and bad input.</summary>
[Category("CouchDb")]
public sealed class CouchDbRichQueryTests
{
    private const string Ns = "ta";
    private static readonly TxInfo Tx = new("tx", DateTimeOffset.UnixEpoch);
    private string _channel = null!;
    private CouchDbStateDatabase _db = null!;

    [SetUp]
    public async Task OpenAsync()
    {
        _channel = TestServers.NewChannel("rq");
        _db = await CouchDbStateDatabase.OpenAsync(TestServers.Shared.NewOptions(), _channel);
        var batch = new UpdateBatch();
        for (var i = 0; i < 12; i++)
        {
            var order = $$"""{"docType":"order","fund":"{{(i % 3 == 0 ? "F2" : "F1")}}","status":"{{(i % 2 == 0 ? "PENDING" : "SETTLED")}}","seq":{{i}}}""";
            batch.Put(Ns, $"order{i:D2}", Encoding.UTF8.GetBytes(order), new Version(1, (ulong)i), Tx);
        }

        batch.Put(Ns, "blob", new byte[] { 0xFF, 0x00, 0x01 }, new Version(1, 12), Tx);
        await _db.ApplyUpdatesAsync(batch, new Version(1, 12));
    }

    [TearDown]
    public async Task CloseAsync()
    {
        _db.Dispose();
        await ChannelDatabases.DeleteAsync(_channel);
    }

    private static string[] Keys(QueryPage page) => [.. page.Results.Select(r => r.Key)];

    [Test]
    public async Task Selector_returns_exactly_the_matching_documents_with_their_versions()
    {
        var page = await _db.ExecuteQueryAsync(Ns, """{"selector":{"docType":"order","fund":"F1","status":"PENDING"}}""", 100);

        Assert.That(Keys(page), Is.EquivalentTo(new[] { "order02", "order04", "order08", "order10" }));
        Assert.That(page.Results.Single(r => r.Key == "order04").Value.Version, Is.EqualTo(new Version(1, 4)));
        Assert.That(page.Bookmark, Is.Empty);
    }

    [Test]
    public async Task Sort_on_an_indexed_field_orders_the_results()
    {
        var created = await _db.DeployIndexAsync(Ns, """{"index":{"fields":["seq"]},"ddoc":"indexSeqDoc","name":"indexSeq","type":"json"}""");
        var again = await _db.DeployIndexAsync(Ns, """{"index":{"fields":["seq"]},"ddoc":"indexSeqDoc","name":"indexSeq","type":"json"}""");

        var page = await _db.ExecuteQueryAsync(Ns, """{"selector":{"seq":{"$gt":6}},"sort":[{"seq":"desc"}],"use_index":["_design/indexSeqDoc","indexSeq"]}""", 100);

        Assert.That(created, Is.EqualTo("created"));
        Assert.That(again, Is.EqualTo("exists"));
        Assert.That(Keys(page), Is.EqualTo(new[] { "order11", "order10", "order09", "order08", "order07" }));
    }

    [Test]
    public async Task Index_does_not_appear_as_a_key_in_range_scans()
    {
        await _db.DeployIndexAsync(Ns, """{"index":{"fields":["seq"]},"ddoc":"indexSeqDoc","name":"indexSeq","type":"json"}""");

        var all = await _db.GetStateRangeAsync(Ns, "", "", 100);

        Assert.That(all.Results, Has.Count.EqualTo(13));
        Assert.That(Keys(all), Has.None.StartsWith("_"));
    }

    [Test]
    public async Task Range_page_is_filled_past_more_design_documents_than_one_request_reads()
    {
        for (var i = 0; i < 8; i++)
        {
            await _db.DeployIndexAsync(Ns, $$"""{"index":{"fields":["seq","f{{i}}"]},"ddoc":"idx{{i}}","name":"idx{{i}}","type":"json"}""");
        }

        var first = await _db.GetStateRangeAsync(Ns, "", "", 2);
        var second = await _db.GetStateRangeAsync(Ns, "", "", 2, first.Bookmark);

        Assert.That(Keys(first), Is.EqualTo(new[] { "blob", "order00" }));
        Assert.That(Keys(second), Is.EqualTo(new[] { "order01", "order02" }));
    }

    [Test]
    public async Task Fields_projection_returns_only_the_named_fields()
    {
        var page = await _db.ExecuteQueryAsync(Ns, """{"selector":{"seq":3},"fields":["fund","seq"]}""", 10);

        var value = page.Results.Single().Value;
        Assert.That(Encoding.UTF8.GetString(value.Value.Span), Is.EqualTo("""{"fund":"F2","seq":3}"""));
        Assert.That(value.Version, Is.EqualTo(new Version(1, 3)));
    }

    [Test]
    public async Task Pages_return_every_match_once_and_the_last_page_has_no_bookmark()
    {
        var seen = new List<string>();
        string? bookmark = null;
        var pages = 0;
        do
        {
            var page = await _db.ExecuteQueryAsync(Ns, """{"selector":{"docType":"order"},"limit":1}""", 5, bookmark);
            Assert.That(page.Results, Has.Count.EqualTo(pages < 2 ? 5 : 2), "the page size governs; the query's limit of 1 is not honoured");
            seen.AddRange(Keys(page));
            bookmark = page.Bookmark;
            pages++;
            Assert.That(pages, Is.LessThanOrEqualTo(4), "paging did not end");
        }
        while (bookmark.Length > 0);

        Assert.That(seen, Is.Unique);
        Assert.That(seen, Is.EquivalentTo(Enumerable.Range(0, 12).Select(i => $"order{i:D2}")));
    }

    [Test]
    public async Task Query_of_a_namespace_never_written_is_empty()
    {
        var page = await _db.ExecuteQueryAsync("other", """{"selector":{"docType":"order"}}""", 10);

        Assert.That(page.Results, Is.Empty);
        Assert.That(page.Bookmark, Is.Empty);
    }

    private static IEnumerable<TestCaseData> BadQueries()
    {
        yield return new TestCaseData("""{"selector":{"fund":{"$bad":1}}}""", "CouchDB refused it").SetArgDisplayNames("unknown operator");
        yield return new TestCaseData("""{"selector":{"fund":"F1"},"sort":[{"status":"asc"}]}""", "CouchDB refused it").SetArgDisplayNames("sort without index");
        yield return new TestCaseData("""{"selector":""", "not JSON").SetArgDisplayNames("truncated JSON");
        yield return new TestCaseData("""["selector"]""", "must be a JSON object").SetArgDisplayNames("array");
        yield return new TestCaseData("""{"fields":["a"]}""", "\"selector\" must be a JSON object").SetArgDisplayNames("no selector");
        yield return new TestCaseData("""{"selector":{},"skip":3}""", "\"skip\" is not supported").SetArgDisplayNames("skip");
        yield return new TestCaseData("""{"selector":{},"fields":"fund"}""", "\"fields\" must be an array").SetArgDisplayNames("fields not array");
    }

    [TestCaseSource(nameof(BadQueries))]
    public void Bad_query_is_refused_in_one_line_naming_the_namespace(string query, string cause)
    {
        var e = Assert.ThrowsAsync<ArgumentException>(async () => await _db.ExecuteQueryAsync(Ns, query, 10));

        Assert.That(e!.Message, Does.StartWith($"invalid rich query for namespace \"{Ns}\""));
        Assert.That(e.Message, Does.Contain(cause));
        Assert.That(e.Message, Does.Not.Contain('\n'));
    }

    [Test]
    public void Bookmark_this_database_did_not_return_is_refused()
    {
        var e = Assert.ThrowsAsync<ArgumentException>(async () => await _db.ExecuteQueryAsync(Ns, """{"selector":{}}""", 10, "nonsense"));

        Assert.That(e!.Message, Does.Contain("invalid bookmark"));
    }

    [TestCase("""{"index":{"fields":["a"]""", "not JSON")]
    [TestCase("""{"index":{"fields":[]},"type":"json"}""", "\"index.fields\" must be a non-empty array")]
    [TestCase("""{"ddoc":"d","name":"n"}""", "\"index\" must be an object")]
    [TestCase("""{"index":{"fields":["a"]},"type":"text"}""", "\"type\" must be \"json\"")]
    public void Bad_index_definition_is_refused_in_one_line(string definition, string cause)
    {
        var e = Assert.ThrowsAsync<ArgumentException>(async () => await _db.DeployIndexAsync(Ns, definition));

        Assert.That(e!.Message, Does.StartWith($"invalid CouchDB index definition for namespace \"{Ns}\""));
        Assert.That(e.Message, Does.Contain(cause));
        Assert.That(e.Message, Does.Not.Contain('\n'));
    }

    [Test]
    public async Task A_value_that_is_not_json_matches_no_field_selector_and_an_empty_selector_returns_its_exact_bytes()
    {
        var byField = await _db.ExecuteQueryAsync(Ns, """{"selector":{"docType":{"$exists":true}}}""", 100);
        var all = await _db.ExecuteQueryAsync(Ns, """{"selector":{}}""", 100);

        Assert.That(Keys(byField), Has.None.EqualTo("blob"), "a non-JSON value has no queryable field");
        var blob = all.Results.Single(r => r.Key == "blob").Value;
        Assert.That(blob.Value.ToArray(), Is.EqualTo(new byte[] { 0xFF, 0x00, 0x01 }), "returned as stored, as Fabric returns a binary value");
        Assert.That(blob.Version, Is.EqualTo(new Version(1, 12)));
    }

    [Test]
    public async Task Json_object_values_are_stored_as_queryable_fields_and_others_as_base64()
    {
        using var client = new CouchDbClient(TestServers.Shared.NewOptions());
        var database = CouchDbNames.NamespaceDatabase(_channel, Ns);

        using var order = await client.GetDocumentAsync(database, "order01");
        using var blob = await client.GetDocumentAsync(database, "blob");

        Assert.That(order!.RootElement.GetProperty("fund").GetString(), Is.EqualTo("F1"));
        Assert.That(order.RootElement.GetProperty("~version").GetString(), Is.EqualTo("1:1"));
        Assert.That(order.RootElement.TryGetProperty("~value", out _), Is.False, "an exactly re-printable object needs no raw copy");
        Assert.That(blob!.RootElement.GetProperty("~value").GetBytesFromBase64(), Is.EqualTo(new byte[] { 0xFF, 0x00, 0x01 }));
        Assert.That(blob.RootElement.EnumerateObject().Select(p => p.Name), Is.EquivalentTo(new[] { "_id", "_rev", "~version", "~value" }));
    }
}
