using FnzChain.Ledger.State;
using FnzChain.Ledger.State.RocksDb;
using FnzChain.Ledger.Storage;
using FnzChain.Tests.Shared;
using Version = FnzChain.Ledger.State.Version;

namespace FnzChain.Ledger.Tests.State;

/// <summary>Runs the state database conformance suite against RocksDB in a temp folder, plus RocksDB specifics.</summary>
public sealed class RocksDbStateDatabaseTests : StateDatabaseConformanceTests
{
    private string _folder = null!;

    protected override Task<IStateDatabase> CreateDatabaseAsync()
    {
        _folder = Path.Combine(Path.GetTempPath(), "fnzchain-state-" + Guid.NewGuid().ToString("N"));
        return Task.FromResult<IStateDatabase>(RocksDbStateDatabase.Open(_folder));
    }

    protected override Task<IStateDatabase> ReopenAsync(IStateDatabase db)
    {
        db.Dispose();
        return Task.FromResult<IStateDatabase>(RocksDbStateDatabase.Open(_folder));
    }

    protected override Task DeleteStorageAsync()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }

        return Task.CompletedTask;
    }

    [Test]
    public void Database_creates_every_column_family()
    {
        Db.Dispose();

        var families = RocksDbSharp.RocksDb.ListColumnFamilies(new RocksDbSharp.DbOptions(), _folder);

        Assert.That(families, Is.SupersetOf(new[] { "state", "pvt", "pvthash", "history", "index", "savepoint" }));
    }

    [Test]
    public async Task Dispose_releases_open_snapshots()
    {
        var snapshot = await Db.OpenSnapshotAsync();

        Db.Dispose();

        Assert.ThrowsAsync<ObjectDisposedException>(async () => await snapshot.GetStateAsync(Ns, "k"));
    }

    [Test]
    public async Task Buffered_durability_still_applies_and_reads_back()
    {
        Db.Dispose();
        Db = RocksDbStateDatabase.Open(_folder, new StorageOptions { Durability = CommitDurability.Buffered });

        await PutAsync(1, ("k", "v"));

        Assert.That(Text(await Db.GetStateAsync(Ns, "k")), Is.EqualTo("v"));
    }

    [Test]
    public void Default_durability_is_synced()
    {
        Assert.That(new StorageOptions().Durability, Is.EqualTo(CommitDurability.Synced));
    }

    [Test]
    public async Task Value_with_metadata_and_large_version_round_trips()
    {
        var value = new byte[100_000];
        new Random(42).NextBytes(value);
        var version = new Version(ulong.MaxValue, uint.MaxValue);
        var batch = new UpdateBatch().Put(Ns, "big", value, version, new TxInfo("t", DateTimeOffset.UnixEpoch), new byte[] { 0, 1, 2 });
        await Db.ApplyUpdatesAsync(batch, version);

        var read = await Db.GetStateAsync(Ns, "big");

        Assert.That(read!.Value.ToArray(), Is.EqualTo(value));
        Assert.That(read.Version, Is.EqualTo(version));
        Assert.That(read.Metadata.ToArray(), Is.EqualTo(new byte[] { 0, 1, 2 }));
    }
}
