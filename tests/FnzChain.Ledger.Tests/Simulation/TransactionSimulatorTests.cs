using System.Text;
using FnzChain.Ledger.Simulation;
using FnzChain.Protos.Ledger.Rwset.Kvrwset;
using FnzChain.Protos.Peer;
using Google.Protobuf;

namespace FnzChain.Ledger.Tests.Simulation;

/// <summary>Simulation on a snapshot produces Fabric read/write sets that the ledger's MVCC validation accepts or rejects as it should.</summary>
public sealed class TransactionSimulatorTests
{
    private LedgerFixture _fixture = null!;

    [SetUp]
    public async Task SetUp()
    {
        _fixture = await LedgerFixture.CreateAsync();
        await _fixture.CommitAsync(TestTx.Id("seed").Write("fund", "a", "1").Write("fund", "b", "1").Write("fund", "c", "1").Build());
    }

    [TearDown]
    public async Task TearDown() => await _fixture.DisposeAsync();

    private async Task<(TransactionSimulator Simulator, FnzChain.Ledger.State.IStateSnapshot Snapshot)> SimulateAsync(Func<TransactionSimulator, Task> body)
    {
        var snapshot = await _fixture.Ledger.State.OpenSnapshotAsync();
        var simulator = new TransactionSimulator(snapshot);
        await body(simulator);
        return (simulator, snapshot);
    }

    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    [Test]
    public async Task A_value_over_the_limit_is_refused_when_written_naming_the_key()
    {
        using var snapshot = await _fixture.Ledger.State.OpenSnapshotAsync();
        var simulator = new TransactionSimulator(snapshot);
        var tooLarge = new byte[FnzChain.Ledger.State.StateLimits.MaxValueBytes + 1];

        var publicWrite = Assert.Throws<ArgumentException>(() => simulator.PutState("fund", "big", tooLarge));
        var privateWrite = Assert.Throws<ArgumentException>(() => simulator.PutPrivateData("fund", "notes", "big", tooLarge));
        simulator.PutState("fund", "fits", new byte[FnzChain.Ledger.State.StateLimits.MaxValueBytes]);

        Assert.That(publicWrite!.Message, Is.EqualTo("value of key \"big\" in namespace \"fund\" is 3145729 bytes, more than the 3145728 bytes (3 MiB) a value may have"));
        Assert.That(privateWrite!.Message, Does.StartWith("value of key \"big\" in namespace \"fund$$pnotes\" is 3145729 bytes"));
    }

    [Test]
    public async Task Read_modify_write_commits_as_valid()
    {
        var (simulator, snapshot) = await SimulateAsync(async sim =>
        {
            var a = await sim.GetStateAsync("fund", "a");
            sim.PutState("fund", "a", Utf8(Encoding.UTF8.GetString(a!.Value.Span) + "+1"));
        });
        snapshot.Dispose();

        var result = await _fixture.CommitAsync(TestTx.FromReadWriteSet("t1", simulator.Build()));

        Assert.That(result.Codes[0], Is.EqualTo(TxValidationCode.Valid));
        Assert.That(Encoding.UTF8.GetString((await _fixture.Ledger.State.GetStateAsync("fund", "a"))!.Value.Span), Is.EqualTo("1+1"));
    }

    [Test]
    public async Task Two_simulations_of_the_same_key_leave_exactly_one_valid()
    {
        var (first, s1) = await SimulateAsync(async sim => sim.PutState("fund", "a", (await sim.GetStateAsync("fund", "a"))!.Value));
        var (second, s2) = await SimulateAsync(async sim => sim.PutState("fund", "a", (await sim.GetStateAsync("fund", "a"))!.Value));
        s1.Dispose();
        s2.Dispose();

        var result = await _fixture.CommitAsync(TestTx.FromReadWriteSet("t1", first.Build()), TestTx.FromReadWriteSet("t2", second.Build()));

        Assert.That(result.Codes, Is.EqualTo(new[] { TxValidationCode.Valid, TxValidationCode.MvccReadConflict }));
    }

    [Test]
    public async Task Reads_do_not_see_the_transactions_own_writes()
    {
        VersionedValueHolder? seen = null;
        var (simulator, snapshot) = await SimulateAsync(async sim =>
        {
            sim.PutState("fund", "new", Utf8("x"));
            seen = new VersionedValueHolder(await sim.GetStateAsync("fund", "new"));
        });
        snapshot.Dispose();

        Assert.That(seen!.Value, Is.Null);
        var kv = KVRWSet.Parser.ParseFrom(simulator.Build().NsRwset.Single().Rwset);
        Assert.That(kv.Reads.Single().Version, Is.Null, "read of an absent key records no version");
        Assert.That(kv.Writes.Single().Key, Is.EqualTo("new"));
    }

    [Test]
    public async Task Range_read_is_recorded_and_detects_a_phantom()
    {
        var (simulator, snapshot) = await SimulateAsync(async sim =>
        {
            var count = 0;
            await foreach (var _ in sim.GetStateRangeAsync("fund", "a", "z"))
            {
                count++;
            }

            sim.PutState("fund", "total", Utf8(count.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        });
        snapshot.Dispose();
        var rwset = simulator.Build();
        var range = KVRWSet.Parser.ParseFrom(rwset.NsRwset.Single().Rwset).RangeQueriesInfo.Single();
        Assert.That(range.ItrExhausted, Is.True);
        Assert.That(range.RawReads.KvReads.Select(r => r.Key), Is.EqualTo(new[] { "a", "b", "c" }));

        var result = await _fixture.CommitAsync(TestTx.Id("insert").Write("fund", "bb", "1").Build(), TestTx.FromReadWriteSet("sum", rwset));

        Assert.That(result.Codes, Is.EqualTo(new[] { TxValidationCode.Valid, TxValidationCode.PhantomReadConflict }));
    }

    [Test]
    public async Task Stopping_a_range_early_records_an_unexhausted_iterator()
    {
        var (simulator, snapshot) = await SimulateAsync(async sim =>
        {
            await foreach (var _ in sim.GetStateRangeAsync("fund", "", ""))
            {
                break;
            }
        });
        snapshot.Dispose();

        var range = KVRWSet.Parser.ParseFrom(simulator.Build().NsRwset.Single().Rwset).RangeQueriesInfo.Single();

        Assert.That(range.ItrExhausted, Is.False);
        Assert.That(range.RawReads.KvReads.Select(r => r.Key), Is.EqualTo(new[] { "a" }));
    }

    [Test]
    public async Task Built_sets_are_sorted_so_every_endorser_signs_the_same_bytes()
    {
        var (one, s1) = await SimulateAsync(sim =>
        {
            sim.PutState("zeta", "2", Utf8("x"));
            sim.PutState("alpha", "b", Utf8("x"));
            sim.PutState("alpha", "a", Utf8("x"));
            return Task.CompletedTask;
        });
        var (two, s2) = await SimulateAsync(sim =>
        {
            sim.PutState("alpha", "a", Utf8("x"));
            sim.PutState("zeta", "2", Utf8("x"));
            sim.PutState("alpha", "b", Utf8("x"));
            return Task.CompletedTask;
        });
        s1.Dispose();
        s2.Dispose();

        Assert.That(one.Build().ToByteArray(), Is.EqualTo(two.Build().ToByteArray()));
        Assert.That(one.Build().NsRwset.Select(n => n.Namespace), Is.EqualTo(new[] { "alpha", "zeta" }));
    }

    [Test]
    public async Task Metadata_writes_set_the_keys_metadata_at_commit()
    {
        var (simulator, snapshot) = await SimulateAsync(sim =>
        {
            sim.SetStateMetadata("fund", "a", "VALIDATION_PARAMETER", Utf8("policy"));
            return Task.CompletedTask;
        });
        snapshot.Dispose();

        await _fixture.CommitAsync(TestTx.FromReadWriteSet("t1", simulator.Build()));

        var stored = await _fixture.Ledger.State.GetStateAsync("fund", "a");
        Assert.That(KVMetadataWrite.Parser.ParseFrom(stored!.Metadata.ToArray()).Entries.Single().Value.ToStringUtf8(), Is.EqualTo("policy"));
    }

    [Test]
    public async Task Paged_range_read_records_each_page()
    {
        var (simulator, snapshot) = await SimulateAsync(async sim =>
        {
            var page = await sim.GetStateRangePageAsync("fund", "", "", 2, null);
            await sim.GetStateRangePageAsync("fund", "", "", 2, page.Bookmark);
        });
        snapshot.Dispose();

        var ranges = KVRWSet.Parser.ParseFrom(simulator.Build().NsRwset.Single().Rwset).RangeQueriesInfo;

        Assert.That(ranges.Select(r => (r.StartKey, r.ItrExhausted, r.RawReads.KvReads.Count)), Is.EqualTo(new[] { ("", false, 2), ("c", true, 1) }));
        Assert.That((await _fixture.CommitAsync(TestTx.FromReadWriteSet("t1", simulator.Build()))).Codes[0], Is.EqualTo(TxValidationCode.Valid));
    }

    private sealed record VersionedValueHolder(FnzChain.Ledger.State.VersionedValue? Value);
}
