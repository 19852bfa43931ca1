using System.Text;
using FnzChain.Ledger.State;
using Version = FnzChain.Ledger.State.Version;

namespace FnzChain.Tests.Shared;

/// <summary>
/// Behaviour every <see cref="IStateDatabase"/> must show — the kit both backends run (RocksDB in
/// FnzChain.Ledger.Tests, CouchDB in FnzChain.CouchDbTests; linked from tests/Shared). A backend's test fixture
/// subclasses this and supplies a fresh, empty database per test and a way to reopen it on the same storage. Where
/// backends legitimately differ (rich queries; whether a commit waits for open snapshots) a virtual property says
/// which behaviour to hold the backend to, and each variant is checked in full.
/// </summary>
public abstract partial class StateDatabaseConformanceTests
{
    protected const string Ns = "asset";
    private static readonly TxInfo Tx = new("tx-1", new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero));

    protected IStateDatabase Db { get; set; } = null!;

    /// <summary>Creates a new, empty database on fresh storage.</summary>
    protected abstract Task<IStateDatabase> CreateDatabaseAsync();

    /// <summary>Disposes <paramref name="db"/> and opens the same storage again.</summary>
    protected abstract Task<IStateDatabase> ReopenAsync(IStateDatabase db);

    /// <summary>Removes the storage of the current test.</summary>
    protected abstract Task DeleteStorageAsync();

    /// <summary>True for a backend that answers Mango rich queries (CouchDB); others must refuse them clearly.</summary>
    protected virtual bool SupportsRichQueries => false;

    /// <summary>
    /// True for a backend without storage snapshots (CouchDB), where an open snapshot holds commits back until it is
    /// disposed; false for one whose snapshots are point-in-time views that commits do not wait for (RocksDB).
    /// </summary>
    protected virtual bool CommitWaitsForOpenSnapshots => false;

    [SetUp]
    public async Task CreateDb() => Db = await CreateDatabaseAsync();

    [TearDown]
    public async Task DisposeDb()
    {
        Db.Dispose();
        await DeleteStorageAsync();
    }

    protected static byte[] Bytes(string s) => Encoding.UTF8.GetBytes(s);

    protected static string Text(VersionedValue? v) => v is null ? "<none>" : Encoding.UTF8.GetString(v.Value.Span);

    protected async Task PutAsync(ulong block, params (string Key, string Value)[] writes)
    {
        var batch = new UpdateBatch();
        for (var i = 0; i < writes.Length; i++)
        {
            batch.Put(Ns, writes[i].Key, Bytes(writes[i].Value), new Version(block, (ulong)i), Tx);
        }

        await Db.ApplyUpdatesAsync(batch, new Version(block, (ulong)Math.Max(0, writes.Length - 1)));
    }

    private static string[] Keys(QueryPage page) => [.. page.Results.Select(r => r.Key)];

    [Test]
    public async Task Get_returns_value_version_and_metadata_of_put()
    {
        var batch = new UpdateBatch().Put(Ns, "k1", Bytes("v1"), new Version(3, 7), Tx, Bytes("policy"));
        await Db.ApplyUpdatesAsync(batch, new Version(3, 7));

        var value = await Db.GetStateAsync(Ns, "k1");

        Assert.That(value, Is.Not.Null);
        Assert.That(Text(value), Is.EqualTo("v1"));
        Assert.That(value!.Version, Is.EqualTo(new Version(3, 7)));
        Assert.That(value.Metadata.ToArray(), Is.EqualTo(Bytes("policy")));
    }

    [Test]
    public async Task Get_of_missing_key_returns_null()
    {
        Assert.That(await Db.GetStateAsync(Ns, "nope"), Is.Null);
    }

    [Test]
    public async Task Put_without_metadata_reads_back_empty_metadata()
    {
        await PutAsync(1, ("k", "v"));

        var value = await Db.GetStateAsync(Ns, "k");

        Assert.That(value!.Metadata.IsEmpty, Is.True);
    }

    [Test]
    public async Task Put_of_empty_value_is_stored_as_empty_value()
    {
        await Db.ApplyUpdatesAsync(new UpdateBatch().Put(Ns, "k", ReadOnlyMemory<byte>.Empty, new Version(1, 0), Tx), new Version(1, 0));

        var value = await Db.GetStateAsync(Ns, "k");

        Assert.That(value, Is.Not.Null);
        Assert.That(value!.Value.IsEmpty, Is.True);
    }

    [Test]
    public async Task Later_write_in_same_batch_wins()
    {
        var batch = new UpdateBatch()
            .Put(Ns, "k", Bytes("first"), new Version(1, 0), Tx)
            .Put(Ns, "k", Bytes("second"), new Version(1, 1), Tx);
        await Db.ApplyUpdatesAsync(batch, new Version(1, 1));

        var value = await Db.GetStateAsync(Ns, "k");

        Assert.That(Text(value), Is.EqualTo("second"));
        Assert.That(value!.Version, Is.EqualTo(new Version(1, 1)));
    }

    [Test]
    public async Task Delete_removes_key()
    {
        await PutAsync(1, ("k", "v"));
        await Db.ApplyUpdatesAsync(new UpdateBatch().Delete(Ns, "k", new Version(2, 0), Tx), new Version(2, 0));

        Assert.That(await Db.GetStateAsync(Ns, "k"), Is.Null);
    }

    [Test]
    public async Task Namespaces_are_isolated()
    {
        var batch = new UpdateBatch()
            .Put("a", "k", Bytes("in a"), new Version(1, 0), Tx)
            .Put("ab", "k", Bytes("in ab"), new Version(1, 1), Tx);
        await Db.ApplyUpdatesAsync(batch, new Version(1, 1));

        Assert.That(Text(await Db.GetStateAsync("a", "k")), Is.EqualTo("in a"));
        Assert.That(Text(await Db.GetStateAsync("ab", "k")), Is.EqualTo("in ab"));
        var rangeOfA = await Db.GetStateRangeAsync("a", "", "", 100);
        Assert.That(rangeOfA.Results.Select(r => (r.Namespace, r.Key)), Is.EqualTo(new[] { ("a", "k") }));
    }

    [Test]
    public async Task Bulk_read_returns_results_in_request_order_with_nulls_for_missing()
    {
        await PutAsync(1, ("k1", "v1"), ("k3", "v3"));

        var values = await Db.GetStatesAsync([new(Ns, "k3"), new(Ns, "k2"), new(Ns, "k1"), new("other", "k1")]);

        Assert.That(values.Select(Text), Is.EqualTo(new[] { "v3", "<none>", "v1", "<none>" }));
    }

    [Test]
    public async Task Range_scan_returns_keys_in_order_from_start_inclusive_to_end_exclusive()
    {
        await PutAsync(1, ("d", "4"), ("b", "2"), ("a", "1"), ("c", "3"), ("e", "5"));

        var page = await Db.GetStateRangeAsync(Ns, "b", "e", 100);

        Assert.That(Keys(page), Is.EqualTo(new[] { "b", "c", "d" }));
        Assert.That(page.Results.Select(r => Text(r.Value)), Is.EqualTo(new[] { "2", "3", "4" }));
        Assert.That(page.Bookmark, Is.Empty);
    }

    [Test]
    public async Task Range_scan_with_empty_bounds_covers_the_whole_namespace_only()
    {
        await PutAsync(1, ("b", "2"), ("a", "1"));
        await Db.ApplyUpdatesAsync(new UpdateBatch().Put("asset2", "0", Bytes("x"), new Version(2, 0), Tx), new Version(2, 0));

        var page = await Db.GetStateRangeAsync(Ns, "", "", 100);

        Assert.That(Keys(page), Is.EqualTo(new[] { "a", "b" }));
    }

    [Test]
    public async Task Range_scan_orders_by_utf8_bytes()
    {
        await PutAsync(1, ("\uFFFD", "bmp"), ("\U0001F600", "astral"), ("z", "ascii"));

        var page = await Db.GetStateRangeAsync(Ns, "", "", 100);

        Assert.That(Keys(page), Is.EqualTo(new[] { "z", "\uFFFD", "\U0001F600" }));
    }

    [Test]
    public async Task Pagination_returns_every_key_once_across_pages()
    {
        var keys = Enumerable.Range(0, 25).Select(i => $"key{i:D3}").ToArray();
        await PutAsync(1, [.. keys.Select(k => (k, k))]);

        var seen = new List<string>();
        string? bookmark = null;
        var pages = 0;
        do
        {
            var page = await Db.GetStateRangeAsync(Ns, "", "", 10, bookmark);
            seen.AddRange(Keys(page));
            bookmark = page.Bookmark;
            pages++;
        }
        while (bookmark.Length > 0);

        Assert.That(seen, Is.EqualTo(keys));
        Assert.That(pages, Is.EqualTo(3));
    }

    [Test]
    public async Task Page_that_ends_exactly_at_the_range_end_has_empty_bookmark()
    {
        await PutAsync(1, ("a", "1"), ("b", "2"), ("c", "3"), ("d", "4"));

        var first = await Db.GetStateRangeAsync(Ns, "a", "d", 2);
        var second = await Db.GetStateRangeAsync(Ns, "a", "d", 2, first.Bookmark);
        var twoOfTwo = await Db.GetStateRangeAsync(Ns, "a", "c", 2);

        Assert.That(first.HasMore, Is.True);
        Assert.That(Keys(second), Is.EqualTo(new[] { "c" }));
        Assert.That(second.Bookmark, Is.Empty);
        Assert.That(twoOfTwo.Bookmark, Is.Empty);
    }

    [Test]
    public async Task Pagination_continues_correctly_when_keys_change_between_pages()
    {
        await PutAsync(1, ("a", "1"), ("b", "2"), ("c", "3"), ("d", "4"), ("e", "5"));
        var first = await Db.GetStateRangeAsync(Ns, "", "", 2);
        Assert.That(Keys(first), Is.EqualTo(new[] { "a", "b" }));

        // The next page starts at "c": delete it, add a key before the bookmark and one after it.
        var change = new UpdateBatch()
            .Delete(Ns, "c", new Version(2, 0), Tx)
            .Put(Ns, "aa", Bytes("new"), new Version(2, 1), Tx)
            .Put(Ns, "cc", Bytes("new"), new Version(2, 2), Tx);
        await Db.ApplyUpdatesAsync(change, new Version(2, 2));
        var second = await Db.GetStateRangeAsync(Ns, "", "", 2, first.Bookmark);
        var third = await Db.GetStateRangeAsync(Ns, "", "", 2, second.Bookmark);

        Assert.That(Keys(second), Is.EqualTo(new[] { "cc", "d" }));
        Assert.That(Keys(third), Is.EqualTo(new[] { "e" }));
        Assert.That(third.HasMore, Is.False);
    }

    [Test]
    public void Bookmark_that_is_not_a_bookmark_is_rejected()
    {
        var e = Assert.ThrowsAsync<ArgumentException>(async () => await Db.GetStateRangeAsync(Ns, "", "", 10, "%%not-a-bookmark%%"));
        Assert.That(e!.Message, Does.Contain("invalid bookmark"));
    }

    [Test]
    public async Task Bookmark_from_another_range_is_rejected()
    {
        await PutAsync(1, ("a", "1"), ("b", "2"), ("x", "3"), ("y", "4"));
        var page = await Db.GetStateRangeAsync(Ns, "x", "", 1);

        var e = Assert.ThrowsAsync<ArgumentException>(async () => await Db.GetStateRangeAsync(Ns, "a", "c", 1, page.Bookmark));

        Assert.That(e!.Message, Does.Contain("outside the queried range"));
    }

    [TestCase(0)]
    [TestCase(-1)]
    [TestCase(StateLimits.MaxPageSize + 1)]
    public void Page_size_out_of_bounds_is_rejected(int pageSize)
    {
        Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await Db.GetStateRangeAsync(Ns, "", "", pageSize));
    }

    [Test]
    public void Composite_key_round_trips_through_split()
    {
        var key = CompositeKey.Create("owner~asset", "alice", "car1");

        var (objectType, attributes) = CompositeKey.Split(key);

        Assert.That(key, Is.EqualTo("\u0000owner~asset\u0000alice\u0000car1\u0000"));
        Assert.That(CompositeKey.IsComposite(key), Is.True);
        Assert.That(objectType, Is.EqualTo("owner~asset"));
        Assert.That(attributes, Is.EqualTo(new[] { "alice", "car1" }));
    }

    [TestCase("a\u0000b", "U+0000")]
    [TestCase("a\U0010FFFF", "U+10FFFF")]
    [TestCase("lone-surrogate", "UTF-8")]
    public void Composite_key_attribute_with_forbidden_character_is_rejected(string attribute, string reason)
    {
        attribute = attribute == "lone-surrogate" ? "a" + LoneHighSurrogate : attribute;
        var e = Assert.Throws<ArgumentException>(() => CompositeKey.Create("type", "ok", attribute));
        Assert.That(e!.Message, Does.Contain(reason));
    }

    [TestCase("")]
    [TestCase("abc")]
    [TestCase("\u0000abc")]
    public void Splitting_a_key_that_is_not_composite_is_rejected(string key)
    {
        Assert.Throws<ArgumentException>(() => CompositeKey.Split(key));
    }

    [Test]
    public async Task Partial_composite_key_query_returns_exactly_the_matching_objects()
    {
        var batch = new UpdateBatch();
        var tx = 0UL;
        foreach (var (owner, asset) in new[] { ("alice", "car1"), ("alice", "car2"), ("alicia", "car3"), ("bob", "car4"), ("ali", "car5") })
        {
            batch.Put(Ns, CompositeKey.Create("owner~asset", owner, asset), Bytes(asset), new Version(1, tx++), Tx);
        }

        batch.Put(Ns, CompositeKey.Create("owner~assetx", "alice", "car9"), Bytes("other type"), new Version(1, tx++), Tx);
        batch.Put(Ns, "alice", Bytes("plain key"), new Version(1, tx), Tx);
        await Db.ApplyUpdatesAsync(batch, new Version(1, tx));

        var alice = await Db.GetStateByPartialCompositeKeyAsync(Ns, "owner~asset", ["alice"], 100);
        var all = await Db.GetStateByPartialCompositeKeyAsync(Ns, "owner~asset", [], 100);

        Assert.That(alice.Results.Select(r => CompositeKey.Split(r.Key).Attributes[1]), Is.EqualTo(new[] { "car1", "car2" }));
        Assert.That(all.Results.Select(r => Text(r.Value)), Is.EquivalentTo(new[] { "car1", "car2", "car3", "car4", "car5" }));
    }

    [Test]
    public async Task Partial_composite_key_query_pages_with_bookmarks()
    {
        var batch = new UpdateBatch();
        for (var i = 0UL; i < 5; i++)
        {
            batch.Put(Ns, CompositeKey.Create("color~name", "blue", $"n{i}"), Bytes($"n{i}"), new Version(1, i), Tx);
        }

        await Db.ApplyUpdatesAsync(batch, new Version(1, 4));

        var first = await Db.GetStateByPartialCompositeKeyAsync(Ns, "color~name", ["blue"], 3);
        var second = await Db.GetStateByPartialCompositeKeyAsync(Ns, "color~name", ["blue"], 3, first.Bookmark);

        Assert.That(first.Results.Concat(second.Results).Select(r => Text(r.Value)), Is.EqualTo(new[] { "n0", "n1", "n2", "n3", "n4" }));
        Assert.That(second.HasMore, Is.False);
    }

    [Test]
    public async Task Rich_query_is_answered_or_rejected_with_a_clear_message()
    {
        await PutAsync(1, ("car1", """{"owner":"alice","n":1}"""), ("car2", """{"owner":"bob","n":2}"""), ("car3", "not json"));
        const string query = """{"selector":{"owner":"alice"}}""";

        if (!SupportsRichQueries)
        {
            var e = Assert.CatchAsync<NotSupportedException>(async () => await Db.ExecuteQueryAsync(Ns, query, 10));
            Assert.That(e, Is.TypeOf<RichQueryNotSupportedException>());
            Assert.That(e!.Message, Is.EqualTo("rich queries (CouchDB Mango selectors) are not supported by the RocksDB state database; configure CouchDB state"));
            return;
        }

        var page = await Db.ExecuteQueryAsync(Ns, query, 10);

        Assert.That(page.Results.Select(r => (r.Namespace, r.Key, Text(r.Value))), Is.EqualTo(new[] { (Ns, "car1", """{"owner":"alice","n":1}""") }));
        Assert.That(page.Results[0].Value.Version, Is.EqualTo(new Version(1, 0)));
        Assert.That(page.Bookmark, Is.Empty);
    }

    [Test]
    public async Task New_database_has_no_savepoint()
    {
        Assert.That(await Db.GetLatestSavepointAsync(), Is.Null);
    }

    [Test]
    public async Task Savepoint_persists_across_reopen()
    {
        await PutAsync(5, ("k", "v"), ("k2", "v2"));

        Db = await ReopenAsync(Db);

        Assert.That(await Db.GetLatestSavepointAsync(), Is.EqualTo(new Version(5, 1)));
    }

    [Test]
    public async Task Applied_batch_is_fully_visible_after_reopen()
    {
        var batch = new UpdateBatch();
        for (var i = 0UL; i < 200; i++)
        {
            batch.Put(Ns, $"k{i:D3}", Bytes($"v{i}"), new Version(7, i), Tx);
        }

        batch.Delete(Ns, "k000", new Version(7, 200), Tx);
        await Db.ApplyUpdatesAsync(batch, new Version(7, 200));

        Db = await ReopenAsync(Db);
        var page = await Db.GetStateRangeAsync(Ns, "", "", 1000);

        Assert.That(page.Results, Has.Count.EqualTo(199));
        Assert.That(Text(await Db.GetStateAsync(Ns, "k199")), Is.EqualTo("v199"));
        Assert.That(await Db.GetStateAsync(Ns, "k000"), Is.Null);
    }

    [Test]
    public async Task Batch_with_invalid_savepoint_writes_nothing()
    {
        await PutAsync(5, ("k", "old"));
        var stale = new UpdateBatch().Put(Ns, "k", Bytes("new"), new Version(4, 0), Tx).Put(Ns, "k2", Bytes("new"), new Version(4, 1), Tx);

        Assert.ThrowsAsync<InvalidOperationException>(async () => await Db.ApplyUpdatesAsync(stale, new Version(4, 1)));

        Db = await ReopenAsync(Db);
        Assert.That(Text(await Db.GetStateAsync(Ns, "k")), Is.EqualTo("old"));
        Assert.That(await Db.GetStateAsync(Ns, "k2"), Is.Null);
        Assert.That(await Db.GetLatestSavepointAsync(), Is.EqualTo(new Version(5, 0)));
    }

    [Test]
    public async Task Reapplying_the_current_savepoint_is_allowed_for_recovery_replay()
    {
        await PutAsync(3, ("k", "v"));

        await PutAsync(3, ("k", "v"));

        Assert.That(await Db.GetLatestSavepointAsync(), Is.EqualTo(new Version(3, 0)));
        Assert.That(Text(await Db.GetStateAsync(Ns, "k")), Is.EqualTo("v"));
    }

    [Test]
    public async Task Snapshot_does_not_see_writes_applied_after_it_was_opened()
    {
        await PutAsync(1, ("a", "old"), ("b", "old"));
        var snapshot = await Db.OpenSnapshotAsync();

        var later = new UpdateBatch()
            .Put(Ns, "a", Bytes("new"), new Version(2, 0), Tx)
            .Delete(Ns, "b", new Version(2, 1), Tx)
            .Put(Ns, "c", Bytes("new"), new Version(2, 2), Tx);
        var apply = Db.ApplyUpdatesAsync(later, new Version(2, 2)).AsTask();
        if (CommitWaitsForOpenSnapshots)
        {
            // The commit must be held back while the snapshot is open (give it time to get wrongly ahead).
            await Task.WhenAny(apply, Task.Delay(200));
            Assert.That(apply.IsCompleted, Is.False, "a commit went ahead while a snapshot was open");
        }
        else
        {
            // A point-in-time snapshot: the commit completes first, the snapshot must still read the old state.
            await apply;
        }

        Assert.That(Text(await snapshot.GetStateAsync(Ns, "a")), Is.EqualTo("old"));
        Assert.That((await snapshot.GetStatesAsync([new(Ns, "b"), new(Ns, "c")])).Select(Text), Is.EqualTo(new[] { "old", "<none>" }));
        Assert.That(Keys(await snapshot.GetStateRangeAsync(Ns, "", "", 10)), Is.EqualTo(new[] { "a", "b" }));
        snapshot.Dispose();
        await apply;
        Assert.That(Keys(await Db.GetStateRangeAsync(Ns, "", "", 10)), Is.EqualTo(new[] { "a", "c" }));
    }

    [Test]
    public async Task Disposed_snapshot_rejects_reads()
    {
        var snapshot = await Db.OpenSnapshotAsync();
        snapshot.Dispose();

        Assert.ThrowsAsync<ObjectDisposedException>(async () => await snapshot.GetStateAsync(Ns, "a"));
    }

    // Lone surrogates are built at run time: attribute arguments cannot carry them (the compiler replaces them).
    private static readonly string LoneHighSurrogate = ((char)0xD800).ToString();
    private static readonly string LoneLowSurrogate = ((char)0xDC00).ToString();

    private static IEnumerable<TestCaseData> InvalidNames()
    {
        yield return new TestCaseData("", "k", "namespace must not be empty", "namespace \"").SetArgDisplayNames("empty namespace");
        yield return new TestCaseData("a\u0000b", "k", "must not contain U+0000", "namespace \"a\\u0000b\"").SetArgDisplayNames("namespace with U+0000");
        yield return new TestCaseData("bad" + LoneHighSurrogate, "k", "not valid UTF-8", "namespace \"bad\\ud800\"").SetArgDisplayNames("namespace not UTF-8");
        yield return new TestCaseData(Ns, "", "key must not be empty", "key \"\"").SetArgDisplayNames("empty key");
        yield return new TestCaseData(Ns, "bad" + LoneLowSurrogate, "not valid UTF-8", "key \"bad\\udc00\" in namespace \"asset\"").SetArgDisplayNames("key not UTF-8");
    }

    [TestCaseSource(nameof(InvalidNames))]
    public void Invalid_namespace_or_key_is_rejected_with_one_line_error_naming_it(string ns, string key, string reason, string names)
    {
        var put = Assert.Throws<ArgumentException>(() => new UpdateBatch().Put(ns, key, Bytes("v"), new Version(1, 0), Tx));
        var get = Assert.ThrowsAsync<ArgumentException>(async () => await Db.GetStateAsync(ns, key));

        foreach (var e in new[] { put!, get! })
        {
            Assert.That(e.Message, Does.Contain(reason));
            Assert.That(e.Message, Does.Contain(names));
            Assert.That(e.Message, Does.Not.Contain('\n'));
        }
    }

    [Test]
    public void Oversized_key_and_namespace_are_rejected()
    {
        var longKey = new string('k', StateLimits.MaxKeyBytes + 1);
        var longNs = new string('n', StateLimits.MaxNamespaceBytes + 1);

        var keyError = Assert.Throws<ArgumentException>(() => new UpdateBatch().Put(Ns, longKey, Bytes("v"), new Version(1, 0), Tx));
        var nsError = Assert.ThrowsAsync<ArgumentException>(async () => await Db.GetStateAsync(longNs, "k"));

        Assert.That(keyError!.Message, Does.Contain($"exceeds the limit of {StateLimits.MaxKeyBytes}"));
        Assert.That(nsError!.Message, Does.Contain($"exceeds the limit of {StateLimits.MaxNamespaceBytes}"));
    }

    [Test]
    public async Task Keys_at_the_length_limit_and_with_multibyte_characters_are_accepted()
    {
        var longest = new string('k', StateLimits.MaxKeyBytes);
        var batch = new UpdateBatch()
            .Put(Ns, longest, Bytes("long"), new Version(1, 0), Tx)
            .Put("资产", "ключ", Bytes("unicode"), new Version(1, 1), Tx);
        await Db.ApplyUpdatesAsync(batch, new Version(1, 1));

        Assert.That(Text(await Db.GetStateAsync(Ns, longest)), Is.EqualTo("long"));
        Assert.That(Text(await Db.GetStateAsync("资产", "ключ")), Is.EqualTo("unicode"));
    }
}
