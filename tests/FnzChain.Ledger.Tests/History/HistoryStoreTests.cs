using System.Text;
using FnzChain.Ledger.History;
using FnzChain.Ledger.State;
using FnzChain.Ledger.Storage;
using Version = FnzChain.Ledger.State.Version;

namespace FnzChain.Ledger.Tests.History;

/// <summary>History in a real channel database: entries staged into a batch as the ledger stages them, then written.</summary>
public sealed class HistoryStoreTests
{
    private static readonly DateTimeOffset T0 = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private string _folder = null!;
    private ChannelDatabase _database = null!;
    private HistoryStore _history = null!;

    [SetUp]
    public void Open()
    {
        _folder = Path.Combine(Path.GetTempPath(), "fnzchain-history-" + Guid.NewGuid().ToString("N"));
        OpenDatabase();
    }

    [TearDown]
    public void Close()
    {
        _database.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    private void OpenDatabase()
    {
        _database = ChannelDatabase.Open(_folder, new StorageOptions { Durability = CommitDurability.Buffered });
        _history = new HistoryStore(_database);
    }

    private static TxInfo Tx(ulong block, ulong tx) => new($"tx-{block}-{tx}", T0.AddMinutes(block).AddSeconds(tx));

    private Task ApplyAsync(ulong block, Action<UpdateBatch> fill)
    {
        _ = block;
        var updates = new UpdateBatch();
        fill(updates);
        using var batch = _database.CreateBatch();
        HistoryStore.Stage(batch, updates);
        _database.Write(batch);
        return Task.CompletedTask;
    }

    private static string Text(KeyModification m) => Encoding.UTF8.GetString(m.Value.Span);

    [Test]
    public async Task History_lists_every_write_newest_first_with_tx_id_and_timestamp()
    {
        await ApplyAsync(1, b => b.Put("cc", "k", "v1"u8.ToArray(), new Version(1, 0), Tx(1, 0)));
        await ApplyAsync(2, b => b.Put("cc", "other", "x"u8.ToArray(), new Version(2, 0), Tx(2, 0)).Put("cc", "k", "v2"u8.ToArray(), new Version(2, 1), Tx(2, 1)));
        await ApplyAsync(10, b => b.Put("cc", "k", "v3"u8.ToArray(), new Version(10, 0), Tx(10, 0)));

        var history = _history.GetHistoryForKey("cc", "k");

        Assert.That(history.Select(Text), Is.EqualTo(new[] { "v3", "v2", "v1" }));
        Assert.That(history.Select(h => h.TxId), Is.EqualTo(new[] { "tx-10-0", "tx-2-1", "tx-1-0" }));
        Assert.That(history.Select(h => h.Version), Is.EqualTo(new[] { new Version(10, 0), new Version(2, 1), new Version(1, 0) }));
        Assert.That(history[1].Timestamp, Is.EqualTo(T0.AddMinutes(2).AddSeconds(1)));
        Assert.That(history.Any(h => h.IsDelete), Is.False);
    }

    [Test]
    public async Task Order_follows_block_and_tx_numbers_not_byte_order_of_small_numbers()
    {
        // 256 > 255 numerically but a little-endian or varint encoding would sort it first.
        await ApplyAsync(255, b => b.Put("cc", "k", "255"u8.ToArray(), new Version(255, 0), Tx(255, 0)));
        await ApplyAsync(256, b => b.Put("cc", "k", "256"u8.ToArray(), new Version(256, 0), Tx(256, 0)));

        Assert.That(_history.GetHistoryForKey("cc", "k").Select(Text), Is.EqualTo(new[] { "256", "255" }));
    }

    [Test]
    public async Task Delete_is_recorded_with_empty_value()
    {
        await ApplyAsync(1, b => b.Put("cc", "k", "v1"u8.ToArray(), new Version(1, 0), Tx(1, 0)));
        await ApplyAsync(2, b => b.Delete("cc", "k", new Version(2, 0), Tx(2, 0)));

        var history = _history.GetHistoryForKey("cc", "k");

        Assert.That(history.Select(h => h.IsDelete), Is.EqualTo(new[] { true, false }));
        Assert.That(history[0].Value.IsEmpty, Is.True);
        Assert.That(history[0].TxId, Is.EqualTo("tx-2-0"));
    }

    [Test]
    public async Task Two_writes_of_a_key_in_one_block_are_both_recorded()
    {
        await ApplyAsync(1, b => b.Put("cc", "k", "a"u8.ToArray(), new Version(1, 0), Tx(1, 0)).Put("cc", "k", "b"u8.ToArray(), new Version(1, 1), Tx(1, 1)));

        Assert.That(_history.GetHistoryForKey("cc", "k").Select(Text), Is.EqualTo(new[] { "b", "a" }));
    }

    [Test]
    public async Task Keys_that_are_prefixes_of_other_keys_do_not_share_history()
    {
        var composite = CompositeKey.Create("t", "a");
        await ApplyAsync(1, b => b
            .Put("cc", "a", "a"u8.ToArray(), new Version(1, 0), Tx(1, 0))
            .Put("cc", "ab", "ab"u8.ToArray(), new Version(1, 1), Tx(1, 1))
            .Put("cc", "a\u0000", "a0"u8.ToArray(), new Version(1, 2), Tx(1, 2))
            .Put("cc", composite, "composite"u8.ToArray(), new Version(1, 3), Tx(1, 3))
            .Put("cc", composite + "b\u0000", "longer composite"u8.ToArray(), new Version(1, 4), Tx(1, 4)));

        Assert.That(_history.GetHistoryForKey("cc", "a").Select(Text), Is.EqualTo(new[] { "a" }));
        Assert.That(_history.GetHistoryForKey("cc", "ab").Select(Text), Is.EqualTo(new[] { "ab" }));
        Assert.That(_history.GetHistoryForKey("cc", "a\u0000").Select(Text), Is.EqualTo(new[] { "a0" }));
        Assert.That(_history.GetHistoryForKey("cc", composite).Select(Text), Is.EqualTo(new[] { "composite" }));
    }

    [Test]
    public async Task Namespaces_have_separate_histories()
    {
        await ApplyAsync(1, b => b
            .Put("cc", "k", "in cc"u8.ToArray(), new Version(1, 0), Tx(1, 0))
            .Put("cc2", "k", "in cc2"u8.ToArray(), new Version(1, 1), Tx(1, 1))
            .Put("c", "ck", "in c"u8.ToArray(), new Version(1, 2), Tx(1, 2)));

        Assert.That(_history.GetHistoryForKey("cc", "k").Select(Text), Is.EqualTo(new[] { "in cc" }));
        Assert.That(_history.GetHistoryForKey("cc2", "k").Select(Text), Is.EqualTo(new[] { "in cc2" }));
        Assert.That(_history.GetHistoryForKey("c", "ck").Select(Text), Is.EqualTo(new[] { "in c" }));
    }

    [Test]
    public void Key_never_written_has_empty_history()
    {
        Assert.That(_history.GetHistoryForKey("cc", "nothing"), Is.Empty);
    }

    [Test]
    public async Task History_is_written_in_the_same_batch_and_survives_reopen()
    {
        await ApplyAsync(1, b => b.Put("cc", "k", "v1"u8.ToArray(), new Version(1, 0), Tx(1, 0)));

        _database.Dispose();
        OpenDatabase();

        Assert.That(_history.GetHistoryForKey("cc", "k").Select(Text), Is.EqualTo(new[] { "v1" }));
    }

    [Test]
    public void Staged_history_appears_only_when_its_batch_is_written()
    {
        var updates = new UpdateBatch().Put("cc", "k", "v1"u8.ToArray(), new Version(1, 0), Tx(1, 0));
        using var batch = _database.CreateBatch();
        HistoryStore.Stage(batch, updates);

        Assert.That(_history.GetHistoryForKey("cc", "k"), Is.Empty);
        _database.Write(batch);
        Assert.That(_history.GetHistoryForKey("cc", "k").Select(Text), Is.EqualTo(new[] { "v1" }));
    }

    [Test]
    public async Task Private_derived_namespaces_get_no_history()
    {
        var hashed = PrivateNamespaces.Hashed("cc", "pii");
        var plaintext = PrivateNamespaces.Private("cc", "pii");
        await ApplyAsync(1, b => b.Put(hashed, "h", "x"u8.ToArray(), new Version(1, 0), Tx(1, 0)).Put(plaintext, "k", "secret"u8.ToArray(), new Version(1, 0), Tx(1, 0)));

        Assert.That(_history.GetHistoryForKey(hashed, "h"), Is.Empty);
        Assert.That(_history.GetHistoryForKey(plaintext, "k"), Is.Empty);
    }

    [Test]
    public void Invalid_key_is_rejected()
    {
        var e = Assert.Throws<ArgumentException>(() => _history.GetHistoryForKey("", "k"));
        Assert.That(e!.Message, Does.Contain("namespace must not be empty"));
    }
}
