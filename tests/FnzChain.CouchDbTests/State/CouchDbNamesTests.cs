using System.Text;
using System.Text.RegularExpressions;
using FnzChain.Ledger.State.CouchDb;

namespace FnzChain.CouchDbTests.State;

/// <summary>Database names per Fabric's statecouchdb rules, and document ids that keep keys' UTF-8 order.</summary>
[Category("CouchDb")]
public sealed partial class CouchDbNamesTests
{
    [GeneratedRegex("^[a-z][a-z0-9_$()+/-]*$")]
    private static partial Regex CouchDbName();

    [TestCase("mychannel", "basic", "mychannel_basic")]
    [TestCase("mychannel", "Basic", "mychannel_$basic")]
    [TestCase("my.channel", "cc$$pcoll", "my$channel_cc$$pcoll")]
    [TestCase("ch", "cc$$hColl", "ch_cc$$h$coll")]
    [TestCase("ch", "cc$$kcoll", "ch_cc$$kcoll")]
    [TestCase("ch", "a.b", "ch_a+2eb")]
    [TestCase("ch", "$a", "ch_+24a")]
    [TestCase("ch", "资产", "ch_+e8+b5+84+e4+ba+a7")]
    [TestCase("ch", "cc$$p$$x", "ch_cc$$p+24+24x")]
    public void Namespace_database_is_named_as_fabric_names_it_with_other_characters_escaped(string channel, string ns, string expected)
    {
        var name = CouchDbNames.NamespaceDatabase(channel, ns);

        Assert.That(name, Is.EqualTo(expected));
        Assert.That(CouchDbName().IsMatch(name), Is.True, name);
    }

    [Test]
    public void Names_that_differ_only_in_escaped_characters_get_different_databases()
    {
        string[] namespaces = ["A", "$a", "a", "+41", "a.b", "a+2eb", "a_b", "a-b", "cc$$pA", "cc$$p$a", "cc$$pa"];

        var names = namespaces.Select(ns => CouchDbNames.NamespaceDatabase("ch", ns)).ToArray();

        Assert.That(names, Is.Unique);
    }

    [Test]
    public void Too_long_name_is_cut_per_part_and_suffixed_with_the_hash_of_the_full_name()
    {
        var channel = "c" + new string('h', 99);
        var ns = new string('n', 120) + "$$p" + new string('c', 100);

        var name = CouchDbNames.NamespaceDatabase(channel, ns);
        var other = CouchDbNames.NamespaceDatabase(channel, ns[..^1] + "d");

        Assert.That(name, Does.StartWith(channel[..50] + "_" + new string('n', 50) + "$$" + "p" + new string('c', 49) + "("));
        Assert.That(name, Does.EndWith(")"));
        Assert.That(name.Length, Is.LessThanOrEqualTo(CouchDbNames.MaxDatabaseNameLength));
        Assert.That(CouchDbName().IsMatch(name), Is.True, name);
        Assert.That(other, Is.Not.EqualTo(name));
    }

    [Test]
    public void Metadata_database_is_the_channel_with_a_trailing_underscore()
    {
        Assert.That(CouchDbNames.MetadataDatabase("mychannel"), Is.EqualTo("mychannel_"));
        Assert.That(CouchDbNames.MetadataDatabase("my.channel"), Is.EqualTo("my$channel_"));
    }

    [TestCase("MyChannel")]
    [TestCase("1channel")]
    [TestCase("my_channel")]
    [TestCase("")]
    public void Invalid_channel_name_is_refused_in_one_line(string channel)
    {
        var e = Assert.Throws<ArgumentException>(() => CouchDbNames.NamespaceDatabase(channel, "cc"));

        Assert.That(e!.Message, Does.Contain("[a-z][a-z0-9.-]*"));
        Assert.That(e.Message, Does.Not.Contain('\n'));
    }

    private static readonly string[] s_keys =
    [
        "a", "^", "^~", "^\uFFFF", "^\U0010FFFE", "^\U0010FFFF", "^\U0010FFFFA", "^\U0010FFFFB", "^\U0010FFFF\U0010FFFF",
        "_", "_design/x", "__", "_\U0010FFFF", "`", "\u0000type\u0000a\u0000", "z", "\uFFFD", "\U0001F600",
    ];

    [Test]
    public void Document_ids_round_trip_and_sort_like_their_keys_in_utf8_order()
    {
        foreach (var key in s_keys)
        {
            var id = CouchDbNames.ToDocumentId(key);
            Assert.That(id, Does.Not.StartWith("_"), key);
            Assert.That(CouchDbNames.ToKey(id), Is.EqualTo(key));
        }

        var byKey = s_keys.OrderBy(k => Encoding.UTF8.GetBytes(k), ByteOrder.Instance).ToArray();
        var byId = s_keys.OrderBy(k => Encoding.UTF8.GetBytes(CouchDbNames.ToDocumentId(k)), ByteOrder.Instance).ToArray();
        Assert.That(byId, Is.EqualTo(byKey));
    }

    [TestCase("_design/idx")]
    [TestCase("_local/x")]
    [TestCase("^\U0010FFFF")]
    [TestCase("^\U0010FFFFC")]
    public void Ids_no_key_maps_to_are_not_keys(string id)
    {
        Assert.That(CouchDbNames.ToKey(id), Is.Null);
    }

    private sealed class ByteOrder : IComparer<byte[]>
    {
        public static readonly ByteOrder Instance = new();

        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }
}
