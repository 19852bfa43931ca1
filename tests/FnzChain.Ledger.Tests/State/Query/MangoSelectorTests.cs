using System.Text.Json;
using FnzChain.Ledger.State.Query;

namespace FnzChain.Ledger.Tests.State.Query;

public sealed class MangoSelectorTests
{
    private static readonly (string Id, string Json)[] s_documents =
    [
        ("o1", """{"type":"order","fund":"F1","status":"PENDING","units":100,"tags":["a","b"],"investor":{"country":"IE","age":40}}"""),
        ("o2", """{"type":"order","fund":"F1","status":"SETTLED","units":250.5,"tags":["b"],"investor":{"country":"LU","age":67}}"""),
        ("o3", """{"type":"order","fund":"F2","status":"PENDING","units":7,"tags":[],"investor":{"country":"IE"}}"""),
        ("h1", """{"type":"holding","fund":"F1","units":1000,"note":null,"a.b":"dotted"}"""),
    ];

    [TestCase("""{"type":"order"}""", "o1,o2,o3")]
    [TestCase("""{"type":"order","fund":"F1"}""", "o1,o2")]
    [TestCase("""{"units":{"$gt":100}}""", "o2,h1")]
    [TestCase("""{"units":{"$gte":100,"$lt":1000}}""", "o1,o2")]
    [TestCase("""{"units":{"$eq":100.0}}""", "o1")]
    [TestCase("""{"status":{"$ne":"PENDING"}}""", "o2")]
    [TestCase("""{"status":{"$exists":false}}""", "h1")]
    [TestCase("""{"note":{"$exists":true}}""", "h1")]
    [TestCase("""{"note":{"$type":"null"}}""", "h1")]
    [TestCase("""{"units":{"$type":"number"},"type":"holding"}""", "h1")]
    [TestCase("""{"status":{"$in":["SETTLED","CANCELLED"]}}""", "o2")]
    [TestCase("""{"status":{"$nin":["SETTLED"]}}""", "o1,o3")]
    [TestCase("""{"tags":{"$size":0}}""", "o3")]
    [TestCase("""{"tags":{"$all":["a","b"]}}""", "o1")]
    [TestCase("""{"tags":{"$elemMatch":{"$eq":"b"}}}""", "o1,o2")]
    [TestCase("""{"tags":{"$allMatch":{"$eq":"b"}}}""", "o2")]
    [TestCase("""{"tags":"b"}""", "")]
    [TestCase("""{"tags":["b"]}""", "o2")]
    [TestCase("""{"investor.country":"IE"}""", "o1,o3")]
    [TestCase("""{"investor":{"country":"LU"}}""", "o2")]
    [TestCase("""{"investor.age":{"$gt":50}}""", "o2")]
    [TestCase("""{"a\\.b":"dotted"}""", "h1")]
    [TestCase("""{"$or":[{"fund":"F2"},{"units":{"$gt":500}}]}""", "o3,h1")]
    [TestCase("""{"$and":[{"type":"order"},{"$not":{"fund":"F1"}}]}""", "o3")]
    [TestCase("""{"$nor":[{"type":"holding"},{"fund":"F2"}]}""", "o1,o2")]
    [TestCase("""{"fund":{"$not":{"$eq":"F1"}}}""", "o3")]
    [TestCase("""{"status":{"$regex":"^PEN"}}""", "o1,o3")]
    [TestCase("""{"status":{"$beginsWith":"SET"}}""", "o2")]
    [TestCase("""{"units":{"$mod":[2,1]}}""", "o3")]
    [TestCase("""{"investor":{"$keyMapMatch":{"$eq":"age"}}}""", "o1,o2")]
    [TestCase("""{"units":{"$gt":"0"}}""", "")]
    [TestCase("""{"units":{"$lt":"0"}}""", "o1,o2,o3,h1")]
    [TestCase("""{"type":{"$gt":null}}""", "o1,o2,o3,h1")]
    public void A_selector_matches_exactly_the_documents_couchdb_would(string selector, string expected)
    {
        using var parsed = JsonDocument.Parse(selector);
        var mango = MangoSelector.Parse(parsed.RootElement);

        var matched = s_documents.Where(d =>
        {
            using var document = JsonDocument.Parse(d.Json);
            return mango.Matches(document.RootElement);
        }).Select(d => d.Id);

        Assert.That(string.Join(",", matched), Is.EqualTo(expected));
    }

    [TestCase("""[]""", "selector: a selector must be a JSON object, not a JSON array")]
    [TestCase("""{"$where":"1"}""", "selector.$where: unknown operator")]
    [TestCase("""{"units":{"$between":[1,2]}}""", "selector.units.$between: unknown operator")]
    [TestCase("""{"units":{"$gt":1,"x":2}}""", "selector.units: mixes operators and field names in one object")]
    [TestCase("""{"$or":[]}""", "selector.$or: needs a non-empty array of selectors")]
    [TestCase("""{"tags":{"$size":-1}}""", "selector.tags.$size: needs a non-negative integer")]
    [TestCase("""{"units":{"$mod":[0,1]}}""", "selector.units.$mod: needs [divisor, remainder], two integers, divisor not 0")]
    [TestCase("""{"s":{"$regex":"("}}""", "selector.s.$regex: not a valid regular expression")]
    [TestCase("""{"s":{"$type":"date"}}""", "selector.s.$type: needs one of")]
    [TestCase("""{"s":{"$exists":1}}""", "selector.s.$exists: needs true or false")]
    [TestCase("""{"a..b":1}""", "selector.a..b: \"a..b\" has an empty path step")]
    public void A_bad_selector_is_refused_in_one_line_naming_where(string selector, string expected)
    {
        using var parsed = JsonDocument.Parse(selector);

        var e = Assert.Throws<FormatException>(() => MangoSelector.Parse(parsed.RootElement));

        Assert.That(e!.Message, Does.StartWith(expected).And.Not.Contain("\n"));
    }

    [Test]
    public void A_selector_nested_deeper_than_the_limit_is_refused()
    {
        var selector = string.Concat(Enumerable.Repeat("""{"$not":""", 40)) + """{"a":1}""" + new string('}', 40);
        using var parsed = JsonDocument.Parse(selector);

        Assert.That(() => MangoSelector.Parse(parsed.RootElement), Throws.TypeOf<FormatException>().With.Message.Contains("nested more than 32 levels"));
    }

    [Test]
    public void Collation_orders_types_then_values_as_couchdb()
    {
        string[] ascending = ["null", "false", "true", "-1", "2", "10", "\"\"", "\"A\"", "\"a\"", "\"b\"", "[]", "[1]", "[1,2]", "[2]", "{}", """{"a":1}"""];
        var elements = ascending.Select(j => JsonDocument.Parse(j).RootElement).ToList();

        var shuffled = elements.OrderBy(e => e.GetRawText().GetHashCode(StringComparison.Ordinal)).ToList();
        shuffled.Sort(JsonCollation.Compare);

        Assert.That(shuffled.Select(e => e.GetRawText()), Is.EqualTo(ascending));
    }
}
