using System.Text;
using FnzChain.Ledger.Blocks;
using FnzChain.Ledger.State;
using FnzChain.Ledger.State.RocksDb;
using FnzChain.Ledger.Storage;
using FnzChain.Ledger.Verification;
using FnzChain.Protos.Ledger.Rwset;
using FnzChain.Protos.Peer;

using Version = FnzChain.Ledger.State.Version;

namespace FnzChain.Ledger.Tests;

/// <summary>
/// A ledger whose public state is a real RocksDB database in a folder of its own (not the channel batch): private-derived
/// namespaces, history and the index stay in the channel database; the public half is applied after the channel
/// batch and replayed from the block files when it is behind.
/// </summary>
public sealed class ChannelLedgerSplitStateTests
{
    private const string PublicFolder = "public-state";
    private const string Cc = "fund";
    private const string Pii = "pii";
    private string _folder = null!;
    private ChannelLedger? _ledger;

    private string PublicPath => Path.Combine(_folder, PublicFolder);

    private static LedgerOptions Options(IStateDatabaseProvider provider) =>
        new() { Durability = CommitDurability.Buffered, StateDatabase = provider };

    private static LedgerOptions Split => Options(RocksDbStateDatabaseProvider.InFolder(PublicFolder));

    [SetUp]
    public void SetUp() => _folder = Path.Combine(Path.GetTempPath(), "fnzchain-split-" + Guid.NewGuid().ToString("N"));

    [TearDown]
    public void TearDown()
    {
        _ledger?.Dispose();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private async Task<ChannelLedger> OpenAsync(LedgerOptions options)
    {
        _ledger?.Dispose();
        _ledger = null;
        _ledger = await ChannelLedger.OpenAsync(_folder, options);
        return _ledger;
    }

    private void Close()
    {
        _ledger?.Dispose();
        _ledger = null;
    }

    private static Task<BlockCommitResult> CommitAsync(ChannelLedger ledger, TestTx tx)
    {
        var block = BlockFactory.Create(ledger.Height, ledger.Blocks.LastBlockHash, [tx.Build()]);
        return ledger.CommitAsync(ChannelLedger.Prepare(block), verdicts: null, new Dictionary<int, TxPvtReadWriteSet> { [0] = tx.PrivateData() });
    }

    /// <summary>Block n writes counter = n, key kn and the private investor:n.</summary>
    private static TestTx Block(int n) => TestTx.Id($"t{n}")
        .Write(Cc, "counter", n.ToString(System.Globalization.CultureInfo.InvariantCulture))
        .Write(Cc, $"k{n}", "v")
        .PrivateWrite(Cc, Pii, $"investor:{n}", $"secret {n}");

    private static async Task<string?> TextAsync(IStateReader state, string ns, string key) =>
        await state.GetStateAsync(ns, key) is { } v ? Encoding.UTF8.GetString(v.Value.Span) : null;

    private async Task<(Version? Savepoint, string? Counter, int PrivateKeys)> PublicDatabaseAsync()
    {
        using var db = RocksDbStateDatabase.Open(PublicPath);
        var privateKeys = (await db.GetStateRangeAsync(PrivateNamespaces.Private(Cc, Pii), "", "", 100)).Results.Count
            + (await db.GetStateRangeAsync(PrivateNamespaces.Hashed(Cc, Pii), "", "", 100)).Results.Count;
        return (await db.GetLatestSavepointAsync(), await TextAsync(db, Cc, "counter"), privateKeys);
    }

    private static async Task AssertStateAfterAsync(ChannelLedger ledger, int blocks)
    {
        Assert.That(ledger.Height, Is.EqualTo((ulong)blocks));
        Assert.That(await TextAsync(ledger.State, Cc, "counter"), Is.EqualTo((blocks - 1).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        for (var n = 0; n < blocks; n++)
        {
            Assert.That(await TextAsync(ledger.State, Cc, $"k{n}"), Is.EqualTo("v"), $"k{n}");
            Assert.That(await TextAsync(ledger.State, PrivateNamespaces.Private(Cc, Pii), $"investor:{n}"), Is.EqualTo($"secret {n}"), $"investor:{n}");
        }

        Assert.That(ledger.History.GetHistoryForKey(Cc, "counter").Select(h => h.TxId),
            Is.EqualTo(Enumerable.Range(0, blocks).Reverse().Select(n => $"t{n}")), "one history entry per write, none lost or doubled by replay");
    }

    [Test]
    public async Task Public_namespaces_go_to_the_public_database_and_private_ones_stay_in_the_channel_database()
    {
        var ledger = await OpenAsync(Split);
        for (var n = 0; n < 3; n++)
        {
            await CommitAsync(ledger, Block(n));
        }

        await AssertStateAfterAsync(ledger, 3);
        var mixed = await ledger.State.GetStatesAsync([new(Cc, "k1"), new(PrivateNamespaces.Private(Cc, Pii), "investor:2"), new(Cc, "missing"), new(Cc, "k0")]);
        Assert.That(mixed.Select(v => v is null ? null : Encoding.UTF8.GetString(v.Value.Span)), Is.EqualTo(new[] { "v", "secret 2", null, "v" }));
        Close();

        var publicDb = await PublicDatabaseAsync();
        Assert.That(publicDb.Savepoint, Is.EqualTo(new Version(2, 0)));
        Assert.That(publicDb.Counter, Is.EqualTo("2"));
        Assert.That(publicDb.PrivateKeys, Is.Zero, "nothing derived from private data reaches the public database");
        Assert.That(LedgerVerifier.Verify(_folder).IsIntact, Is.True);
    }

    [Test]
    public async Task A_block_the_public_database_cannot_apply_waits_says_why_and_commits_when_it_returns()
    {
        var provider = new FailingProvider(PublicFolder, failAtBlock: 3);
        var ledger = await OpenAsync(Options(provider));
        for (var n = 0; n < 3; n++)
        {
            await CommitAsync(ledger, Block(n));
        }

        var commit = CommitAsync(ledger, Block(3));
        await UntilAsync(() => ledger.StorageProblem is not null);
        Assert.That(ledger.StorageProblem, Does.StartWith("the public state database has not applied block 3 (injected failure applying block 3); retrying"));
        Assert.That(commit.IsCompleted, Is.False, "the commit waits for the public database");

        provider.Down = false;
        await commit.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.That(ledger.StorageProblem, Is.Null, "healthy again");
        await AssertStateAfterAsync(ledger, 4);
        await CommitAsync(ledger, Block(4));
        await AssertStateAfterAsync(ledger, 5);
    }

    [Test]
    public async Task Open_replays_a_block_the_public_database_had_not_applied_when_the_ledger_closed()
    {
        var ledger = await OpenAsync(Options(new FailingProvider(PublicFolder, failAtBlock: 3)));
        for (var n = 0; n < 3; n++)
        {
            await CommitAsync(ledger, Block(n));
        }

        var commit = CommitAsync(ledger, Block(3));
        await UntilAsync(() => ledger.StorageProblem is not null);
        Close();
        var closed = Assert.ThrowsAsync<InvalidOperationException>(async () => await commit);
        Assert.That(closed!.Message, Does.StartWith("block 3 is committed to the block store and the channel database, but the public state database did not apply it before the ledger closed"));
        Assert.That((await PublicDatabaseAsync()).Savepoint, Is.EqualTo(new Version(2, 0)), "the public half is behind");

        ledger = await OpenAsync(Split);

        await AssertStateAfterAsync(ledger, 4);
        await CommitAsync(ledger, Block(4));
        await AssertStateAfterAsync(ledger, 5);
        Close();
        Assert.That((await PublicDatabaseAsync()).Savepoint, Is.EqualTo(new Version(4, 0)));
    }

    private static async Task UntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), "timed out waiting");
            await Task.Delay(20);
        }
    }

    [Test]
    public async Task Open_rebuilds_a_lost_public_database_from_the_block_files()
    {
        var ledger = await OpenAsync(Split);
        for (var n = 0; n < 4; n++)
        {
            await CommitAsync(ledger, Block(n));
        }

        Close();
        Directory.Delete(PublicPath, recursive: true);

        ledger = await OpenAsync(Split);

        await AssertStateAfterAsync(ledger, 4);
        Close();
        Assert.That((await PublicDatabaseAsync()).Savepoint, Is.EqualTo(new Version(3, 0)));
    }

    [Test]
    public async Task Open_rebuilds_a_lost_channel_database_and_leaves_the_public_database_that_is_ahead_alone()
    {
        var ledger = await OpenAsync(Split);
        for (var n = 0; n < 3; n++)
        {
            await CommitAsync(ledger, Block(n));
        }

        Close();
        Directory.Delete(Path.Combine(_folder, ChannelLedger.DatabaseFolder), recursive: true);

        ledger = await OpenAsync(Split);

        Assert.That(ledger.Height, Is.EqualTo(3UL));
        Assert.That(await TextAsync(ledger.State, Cc, "counter"), Is.EqualTo("2"));
        Assert.That(ledger.History.GetHistoryForKey(Cc, "counter").Select(h => h.TxId), Is.EqualTo(new[] { "t2", "t1", "t0" }));
        Assert.That(await ledger.State.GetStateAsync(PrivateNamespaces.Hashed(Cc, Pii), PrivateNamespaces.HashKey(PrivateNamespaces.HashOf("investor:1"))), Is.Not.Null,
            "hashed private state is rebuilt in the channel database");
        Assert.That(ledger.Blocks.GetTxLocation("t1")!.Value.BlockNumber, Is.EqualTo(1UL));
    }

    [Test]
    public async Task Default_provider_keeps_one_database_and_writes_no_public_folder()
    {
        var ledger = await OpenAsync(new LedgerOptions { Durability = CommitDurability.Buffered });
        await CommitAsync(ledger, Block(0));

        Assert.That(ledger.State, Is.InstanceOf<RocksDbStateDatabase>(), "no routing layer on the default path");
        Assert.That(Directory.GetDirectories(_folder).Select(Path.GetFileName).Order(), Is.EqualTo(new[] { ChannelLedger.BlocksFolder, ChannelLedger.DatabaseFolder }));
    }

    [Test]
    public async Task Disabled_history_records_nothing()
    {
        var ledger = await OpenAsync(Split with { EnableHistory = false });

        await CommitAsync(ledger, Block(0));

        Assert.That(ledger.History.GetHistoryForKey(Cc, "counter"), Is.Empty);
        Assert.That(await TextAsync(ledger.State, Cc, "counter"), Is.EqualTo("0"));
    }

    /// <summary>
    /// Fault injection only: the real RocksDB state database in a folder of its own, whose apply of one block fails
    /// before writing anything while <see cref="Down"/> (as a remote database that is down would).
    /// </summary>
    private sealed class FailingProvider(string folder, ulong failAtBlock) : IStateDatabaseProvider
    {
        private volatile bool _down = true;

        /// <summary>While true, applying block failAtBlock fails.</summary>
        public bool Down
        {
            get => _down;
            set => _down = value;
        }

        public async ValueTask<IStateDatabase> OpenAsync(StateDatabaseContext context, CancellationToken cancellationToken = default) =>
            new Failing(await RocksDbStateDatabaseProvider.InFolder(folder).OpenAsync(context, cancellationToken), failAtBlock, this);

        private sealed class Failing(IStateDatabase inner, ulong failAtBlock, FailingProvider provider) : IStateDatabase
        {
            public ValueTask<VersionedValue?> GetStateAsync(string ns, string key, CancellationToken cancellationToken = default) => inner.GetStateAsync(ns, key, cancellationToken);

            public ValueTask<IReadOnlyList<VersionedValue?>> GetStatesAsync(IReadOnlyList<StateKey> keys, CancellationToken cancellationToken = default) => inner.GetStatesAsync(keys, cancellationToken);

            public ValueTask<QueryPage> GetStateRangeAsync(string ns, string startKey, string endKey, int pageSize, string? bookmark = null, CancellationToken cancellationToken = default) =>
                inner.GetStateRangeAsync(ns, startKey, endKey, pageSize, bookmark, cancellationToken);

            public ValueTask<QueryPage> ExecuteQueryAsync(string ns, string query, int pageSize, string? bookmark = null, CancellationToken cancellationToken = default) =>
                inner.ExecuteQueryAsync(ns, query, pageSize, bookmark, cancellationToken);

            public ValueTask<Version?> GetLatestSavepointAsync(CancellationToken cancellationToken = default) => inner.GetLatestSavepointAsync(cancellationToken);

            public ValueTask ApplyUpdatesAsync(UpdateBatch batch, Version savepoint, CancellationToken cancellationToken = default) =>
                savepoint.BlockNumber == failAtBlock && provider.Down
                    ? ValueTask.FromException(new IOException($"injected failure applying block {failAtBlock}"))
                    : inner.ApplyUpdatesAsync(batch, savepoint, cancellationToken);

            public ValueTask<IStateSnapshot> OpenSnapshotAsync(CancellationToken cancellationToken = default) => inner.OpenSnapshotAsync(cancellationToken);

            public void Dispose() => inner.Dispose();
        }
    }
}
