using FnzChain.Ledger.Blocks;
using FnzChain.Ledger.Storage;
using FnzChain.Protos.Common;
using FnzChain.Protos.Peer;

namespace FnzChain.Ledger.Tests.Blocks;

public sealed class BlockStoreTests
{
    private LedgerFixture _fixture = null!;

    [SetUp]
    public async Task SetUp() => _fixture = await LedgerFixture.CreateAsync();

    [TearDown]
    public async Task TearDown() => await _fixture.DisposeAsync();

    [Test]
    public async Task Blocks_are_chained_by_header_hash_and_readable_by_number()
    {
        var first = await _fixture.CommitAsync(TestTx.Id("t0").Write("fund", "a", "1").Build());
        await _fixture.CommitAsync(TestTx.Id("t1").Write("fund", "b", "1").Build());

        var block1 = _fixture.Ledger.Blocks.GetBlock(1)!;

        Assert.That(_fixture.Ledger.Height, Is.EqualTo(2UL));
        Assert.That(block1.Header.PreviousHash.ToByteArray(), Is.EqualTo(first.BlockHash.ToArray()));
        Assert.That(first.BlockHash.ToArray(), Is.EqualTo(BlockHashing.HeaderHash(_fixture.Ledger.Blocks.GetBlock(0)!.Header)));
        Assert.That(_fixture.Ledger.Blocks.LastBlockHash.ToArray(), Is.EqualTo(BlockHashing.HeaderHash(block1.Header)));
        Assert.That(_fixture.Ledger.Blocks.GetBlock(2), Is.Null);
    }

    [Test]
    public async Task Transactions_are_found_by_tx_id()
    {
        await _fixture.CommitAsync(TestTx.Id("t0").Write("fund", "a", "1").Build());
        await _fixture.CommitAsync(TestTx.Id("t1").Write("fund", "b", "1").Build(), TestTx.Id("t2").Read("fund", "zz", new(7, 7)).Build());

        Assert.That(_fixture.Ledger.Blocks.GetTxLocation("t2"), Is.EqualTo(new TxLocation(1, 1, TxValidationCode.MvccReadConflict)));
        Assert.That(_fixture.Ledger.Blocks.GetBlockByTxId("t1")!.Header.Number, Is.EqualTo(1UL));
        var processed = _fixture.Ledger.Blocks.GetTransaction("t0")!;
        Assert.That(processed.ValidationCode, Is.EqualTo((int)TxValidationCode.Valid));
        Assert.That(processed.TransactionEnvelope.Payload.IsEmpty, Is.False);
        Assert.That(_fixture.Ledger.Blocks.GetTxLocation("unknown"), Is.Null);
        Assert.That(_fixture.Ledger.Blocks.GetTransaction(""), Is.Null);
    }

    [Test]
    public async Task Reading_from_a_height_waits_for_blocks_not_yet_committed()
    {
        await _fixture.CommitAsync(TestTx.Id("t0").Write("fund", "a", "1").Build());
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var received = new List<ulong>();

        var reader = Task.Run(async () =>
        {
            await foreach (var block in _fixture.Ledger.Blocks.ReadFromAsync(0, cancel.Token))
            {
                received.Add(block.Header.Number);
                if (block.Header.Number == 2)
                {
                    return;
                }
            }
        });
        await _fixture.Ledger.Blocks.WaitForHeightAsync(1, cancel.Token);
        await _fixture.CommitAsync(TestTx.Id("t1").Write("fund", "b", "1").Build());
        await _fixture.CommitAsync(TestTx.Id("t2").Write("fund", "c", "1").Build());
        await reader.WaitAsync(cancel.Token);

        Assert.That(received, Is.EqualTo(new ulong[] { 0, 1, 2 }));
    }

    [Test]
    public async Task Waiting_for_a_height_can_be_cancelled()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));

        Assert.That(async () => await _fixture.Ledger.Blocks.WaitForHeightAsync(5, cancel.Token), Throws.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public async Task Blocks_roll_over_to_a_new_segment_file_and_survive_reopening()
    {
        await using var fixture = await LedgerFixture.CreateAsync(new LedgerOptions { Durability = CommitDurability.Buffered, SegmentBytes = 1024 * 1024 });
        var big = new string('x', 400 * 1024);
        for (var i = 0; i < 6; i++)
        {
            await fixture.CommitAsync(TestTx.Id($"t{i}").Write("fund", $"k{i}", big).Build());
        }

        await fixture.ReopenAsync();

        Assert.That(Directory.GetFiles(fixture.BlocksFolder).Select(Path.GetFileName).Order(StringComparer.Ordinal), Is.EqualTo(new[] { "blockfile_000000", "blockfile_000001", "blockfile_000002" }));
        Assert.That(fixture.Ledger.Height, Is.EqualTo(6UL));
        for (ulong i = 0; i < 6; i++)
        {
            Assert.That(fixture.Ledger.Blocks.GetBlock(i)!.Header.Number, Is.EqualTo(i));
        }

        await fixture.CommitAsync(TestTx.Id("t6").Write("fund", "k6", "small").Build());
        Assert.That(fixture.Ledger.Height, Is.EqualTo(7UL));
    }

    [Test]
    public async Task A_synced_ledger_commits_and_reads_back()
    {
        await using var fixture = await LedgerFixture.CreateAsync(new LedgerOptions());

        await fixture.CommitAsync(TestTx.Id("t0").Write("fund", "a", "1").Build());

        Assert.That(new LedgerOptions().Durability, Is.EqualTo(CommitDurability.Synced));
        Assert.That(fixture.Ledger.Blocks.GetBlock(0), Is.Not.Null);
    }
}
