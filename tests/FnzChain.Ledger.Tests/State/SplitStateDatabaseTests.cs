using System.Text;
using FnzChain.Ledger.State;
using FnzChain.Ledger.State.RocksDb;
using FnzChain.Ledger.Storage;
using Version = FnzChain.Ledger.State.Version;

namespace FnzChain.Ledger.Tests.State;

/// <summary>The namespace router over two real RocksDB state databases in their own folders.</summary>
public sealed class SplitStateDatabaseTests
{
    private static readonly TxInfo Tx = new("tx", DateTimeOffset.UnixEpoch);
    private static readonly string Private = PrivateNamespaces.Private("cc", "pii");
    private static readonly string Expiry = "$$expiry";
    private string _folder = null!;
    private RocksDbStateDatabase _channel = null!;
    private RocksDbStateDatabase _public = null!;
    private SplitStateDatabase _split = null!;

    [SetUp]
    public void SetUp()
    {
        _folder = Path.Combine(Path.GetTempPath(), "fnzchain-split-state-" + Guid.NewGuid().ToString("N"));
        var options = new StorageOptions { Durability = CommitDurability.Buffered };
        _channel = RocksDbStateDatabase.Open(Path.Combine(_folder, "channel"), options);
        _public = RocksDbStateDatabase.Open(Path.Combine(_folder, "public"), options);
        _split = new SplitStateDatabase(_channel, _public);
    }

    [TearDown]
    public void TearDown()
    {
        _split.Dispose();
        _channel.Dispose();
        _public.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    private static string? Text(VersionedValue? v) => v is null ? null : Encoding.UTF8.GetString(v.Value.Span);

    private static UpdateBatch Block(ulong number, string suffix) => new UpdateBatch()
        .Put("cc", "k", Encoding.UTF8.GetBytes("public " + suffix), new Version(number, 0), Tx)
        .Put(Private, "k", Encoding.UTF8.GetBytes("private " + suffix), new Version(number, 1), Tx)
        .Put(Expiry, "e", Encoding.UTF8.GetBytes("expiry " + suffix), new Version(number, 2), Tx);

    [Test]
    public async Task Apply_sends_private_derived_namespaces_to_the_channel_half_and_the_rest_to_the_public_half()
    {
        await _split.ApplyUpdatesAsync(Block(1, "1"), new Version(1, 2));

        Assert.That(Text(await _public.GetStateAsync("cc", "k")), Is.EqualTo("public 1"));
        Assert.That(await _public.GetStateAsync(Private, "k"), Is.Null);
        Assert.That(await _public.GetStateAsync(Expiry, "e"), Is.Null);
        Assert.That(Text(await _channel.GetStateAsync(Private, "k")), Is.EqualTo("private 1"));
        Assert.That(Text(await _channel.GetStateAsync(Expiry, "e")), Is.EqualTo("expiry 1"));
        Assert.That(await _channel.GetStateAsync("cc", "k"), Is.Null);
        Assert.That(Text(await _split.GetStateAsync(Private, "k")), Is.EqualTo("private 1"));
        Assert.That((await _split.GetStateRangeAsync("cc", "", "", 10)).Results.Select(r => r.Key), Is.EqualTo(new[] { "k" }));
    }

    [Test]
    public async Task Bulk_read_across_both_halves_answers_in_request_order()
    {
        await _split.ApplyUpdatesAsync(Block(1, "1"), new Version(1, 2));

        var values = await _split.GetStatesAsync([new(Private, "k"), new("cc", "none"), new("cc", "k"), new(Expiry, "e"), new(Private, "none")]);

        Assert.That(values.Select(Text), Is.EqualTo(new[] { "private 1", null, "public 1", "expiry 1", null }));
    }

    [Test]
    public async Task Savepoint_is_that_of_the_half_that_is_behind()
    {
        Assert.That(await _split.GetLatestSavepointAsync(), Is.Null);
        await _split.ApplyUpdatesAsync(Block(1, "1"), new Version(1, 2));
        await _channel.ApplyUpdatesAsync(new UpdateBatch(), new Version(2, 0));

        Assert.That(await _split.GetLatestSavepointAsync(), Is.EqualTo(new Version(1, 2)));
        Assert.That(await _split.GetSavepointsAsync(), Is.EqualTo((new Version(2, 0), new Version(1, 2))));
    }

    [Test]
    public async Task Snapshot_reads_each_half_as_of_when_it_opened()
    {
        await _split.ApplyUpdatesAsync(Block(1, "1"), new Version(1, 2));
        using var snapshot = await _split.OpenSnapshotAsync();

        await _split.ApplyUpdatesAsync(Block(2, "2"), new Version(2, 2));

        Assert.That(Text(await snapshot.GetStateAsync("cc", "k")), Is.EqualTo("public 1"));
        Assert.That(Text(await snapshot.GetStateAsync(Private, "k")), Is.EqualTo("private 1"));
        Assert.That(Text(await _split.GetStateAsync("cc", "k")), Is.EqualTo("public 2"));
    }

    [Test]
    public void Rich_query_goes_to_the_half_holding_the_namespace()
    {
        Assert.ThrowsAsync<RichQueryNotSupportedException>(async () => await _split.ExecuteQueryAsync("cc", "{}", 10));
    }
}
