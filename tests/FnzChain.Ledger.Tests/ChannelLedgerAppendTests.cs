using FnzChain.Ledger.Storage;
using FnzChain.Ledger.Verification;
using FnzChain.Protos.Peer;

namespace FnzChain.Ledger.Tests;

/// <summary>The orderer's append: blocks stored as ordered, on a ledger that indexes no tx ids (Fabric's orderer ledger).</summary>
public sealed class ChannelLedgerAppendTests
{
    private static readonly LedgerOptions Unindexed = new() { Durability = CommitDurability.Buffered, IndexTransactions = false };

    private LedgerFixture _fixture = null!;

    [SetUp]
    public async Task SetUp() => _fixture = await LedgerFixture.CreateAsync(Unindexed);

    [TearDown]
    public async Task TearDown() => await _fixture.DisposeAsync();

    private async Task AppendAsync(int blocks)
    {
        for (var i = 0; i < blocks; i++)
        {
            var n = _fixture.Ledger.Height;
            await _fixture.Ledger.AppendAsync(_fixture.NextBlock(TestTx.Id($"a{n}").Write("fund", "k", "v").Build(), TestTx.Id($"b{n}").Build()));
        }
    }

    [Test]
    public async Task Append_stores_every_transaction_not_validated_and_indexes_no_tx_id()
    {
        await AppendAsync(3);

        Assert.That(_fixture.Ledger.Height, Is.EqualTo(3UL));
        Assert.That(ChannelLedger.StoredCodes(_fixture.Ledger.Blocks.GetBlock(2)!, 2), Is.All.EqualTo(TxValidationCode.NotValidated));
        Assert.That(_fixture.Ledger.Blocks.GetTxLocation("a1"), Is.Null);
        Assert.That(await _fixture.Ledger.State.GetStateAsync("fund", "k"), Is.Null);
    }

    [Test]
    public async Task Verify_passes_a_ledger_without_a_tx_index_and_says_so()
    {
        await AppendAsync(3);
        _fixture.Close();

        var report = LedgerVerifier.Verify(_fixture.Folder);

        Assert.That(report.Problem, Is.Null);
        Assert.That(report.Blocks, Is.EqualTo(3UL));
        Assert.That(report.Notes, Has.One.Contains("not indexed"));
    }

    [Test]
    public async Task Open_recovers_appended_blocks_that_reached_the_files_but_not_the_database()
    {
        await AppendAsync(2);
        _fixture.Close();
        var backup = _fixture.DatabaseFolder + ".before";
        ChannelLedgerRecoveryTests.CopyFolder(_fixture.DatabaseFolder, backup);
        await _fixture.OpenAsync();
        await AppendAsync(2);
        _fixture.Close();
        Directory.Delete(_fixture.DatabaseFolder, recursive: true);
        Directory.Move(backup, _fixture.DatabaseFolder);

        await _fixture.OpenAsync();
        await AppendAsync(1);

        Assert.That(_fixture.Ledger.Height, Is.EqualTo(5UL));
        _fixture.Close();
        Assert.That(LedgerVerifier.Verify(_fixture.Folder).Problem, Is.Null);
    }

    [Test]
    public async Task Append_refuses_a_block_out_of_sequence_and_writes_nothing()
    {
        await AppendAsync(1);
        var stale = _fixture.NextBlock(TestTx.Id("x").Build());
        await AppendAsync(1);

        Assert.ThrowsAsync<BlockRejectedException>(() => _fixture.Ledger.AppendAsync(stale));
        Assert.That(_fixture.Ledger.Height, Is.EqualTo(2UL));
    }

    [Test]
    public void Commit_is_refused_on_a_ledger_without_a_tx_index() =>
        Assert.ThrowsAsync<InvalidOperationException>(() => _fixture.CommitAsync(TestTx.Id("t").Build()));

    [Test]
    public async Task A_ledger_keeps_the_tx_indexing_it_was_created_with()
    {
        await AppendAsync(1);
        _fixture.Close();

        using var reopened = await ChannelLedger.OpenAsync(_fixture.Folder, Unindexed with { IndexTransactions = true });

        Assert.That(reopened.IndexesTransactions, Is.False);
    }

    [Test]
    public async Task Append_on_a_ledger_that_indexes_tx_ids_indexes_them_not_validated()
    {
        await using var indexed = await LedgerFixture.CreateAsync();

        await indexed.Ledger.AppendAsync(indexed.NextBlock(TestTx.Id("t0").Write("fund", "k", "v").Build()));

        Assert.That(indexed.Ledger.Blocks.GetTxLocation("t0")!.Value.Code, Is.EqualTo(TxValidationCode.NotValidated));
        Assert.That(await indexed.Ledger.State.GetStateAsync("fund", "k"), Is.Null);
        indexed.Close();
        Assert.That(LedgerVerifier.Verify(indexed.Folder).Problem, Is.Null);
    }
}
