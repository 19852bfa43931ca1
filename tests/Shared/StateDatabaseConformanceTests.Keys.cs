using FnzChain.Ledger.State;
using Version = FnzChain.Ledger.State.Version;

namespace FnzChain.Tests.Shared;

/// <summary>
/// Keys and values a backend must store without loss or reordering even where its storage has rules of its own:
/// keys starting with '_' (reserved document ids in CouchDB), JSON and near-JSON values byte for byte (a document
/// store re-prints JSON), and the derived namespaces of private data collections.
/// </summary>
public abstract partial class StateDatabaseConformanceTests
{
    [Test]
    public async Task Keys_starting_with_underscore_round_trip_and_keep_utf8_order_in_ranges()
    {
        // CouchDB reserves document ids starting with '_'; the ledger does not reserve such keys.
        await PutAsync(1, ("_b", "1"), ("^", "2"), ("_", "3"), ("`", "4"), ("^\U0010FFFF", "5"), ("_design/x", "6"));

        var page = await Db.GetStateRangeAsync(Ns, "", "", 100);
        var underscores = await Db.GetStateRangeAsync(Ns, "_", "`", 100);

        Assert.That(Keys(page), Is.EqualTo(new[] { "^", "^\U0010FFFF", "_", "_b", "_design/x", "`" }));
        Assert.That(page.Results.Select(r => Text(r.Value)), Is.EqualTo(new[] { "2", "5", "3", "1", "6", "4" }));
        Assert.That(Keys(underscores), Is.EqualTo(new[] { "_", "_b", "_design/x" }));
        Assert.That(Text(await Db.GetStateAsync(Ns, "_design/x")), Is.EqualTo("6"));
    }

    [TestCase("""{"owner":"alice","n":1}""")]
    [TestCase("""{"b":{"z":[1,2,{"y":null}],"a":true},"a":"x"}""")]
    [TestCase("""{ "spaced" : 1 }""")]
    [TestCase(""" 	{"leading":"whitespace"}""")]
    [TestCase("""{"price":12.50,"big":12345678901234567890,"neg":-0}""")]
    [TestCase("""{"10":"integer-like name","2":"first?"}""")]
    [TestCase("""{"dup":1,"dup":2}""")]
    [TestCase("""{"_id":"reserved","~version":"x"}""")]
    [TestCase("""{"text":"caf\u00e9 é <&> \ud83d\ude00 \u0000"}""")]
    [TestCase("""[1,2,3]""")]
    [TestCase("""{}""")]
    [TestCase("""{"unterminated":""")]
    public async Task Json_and_near_json_values_read_back_byte_for_byte(string value)
    {
        await PutAsync(1, ("k", value));

        var read = await Db.GetStateAsync(Ns, "k");
        var ranged = await Db.GetStateRangeAsync(Ns, "", "", 10);

        Assert.That(Text(read), Is.EqualTo(value));
        Assert.That(Text(ranged.Results.Single().Value), Is.EqualTo(value));
    }

    [Test]
    public async Task Collection_namespaces_are_isolated_from_their_chaincode_and_each_other()
    {
        var hashed = PrivateNamespaces.Hashed(Ns, "coll");
        var plain = PrivateNamespaces.Private(Ns, "coll");
        var keyIndex = PrivateNamespaces.KeyIndex(Ns, "coll");
        var hashKey = PrivateNamespaces.HashKey(PrivateNamespaces.HashOf("k"));
        var batch = new UpdateBatch()
            .Put(Ns, "k", Bytes("public"), new Version(1, 0), Tx)
            .Put(plain, "k", Bytes("private"), new Version(1, 1), Tx)
            .Put(hashed, hashKey, Bytes("hash-of-value"), new Version(1, 1), Tx)
            .Put(keyIndex, hashKey, Bytes("k"), new Version(1, 1), Tx);
        await Db.ApplyUpdatesAsync(batch, new Version(1, 1));

        var values = await Db.GetStatesAsync([new(Ns, "k"), new(plain, "k"), new(hashed, hashKey), new(keyIndex, hashKey), new(hashed, "k")]);

        Assert.That(values.Select(Text), Is.EqualTo(new[] { "public", "private", "hash-of-value", "k", "<none>" }));
        Assert.That(Keys(await Db.GetStateRangeAsync(plain, "", "", 10)), Is.EqualTo(new[] { "k" }));
        Assert.That(Keys(await Db.GetStateRangeAsync(hashed, "", "", 10)), Is.EqualTo(new[] { hashKey }));
    }
}
