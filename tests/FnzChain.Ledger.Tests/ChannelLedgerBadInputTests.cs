using FnzChain.Ledger.Blocks;
using FnzChain.Protos.Peer;
using Google.Protobuf;

namespace FnzChain.Ledger.Tests;

/// <summary>Blocks the ledger must refuse, naming the block and the reason, writing nothing.</summary>
public sealed class ChannelLedgerBadInputTests
{
    private LedgerFixture _fixture = null!;

    [SetUp]
    public async Task SetUp()
    {
        _fixture = await LedgerFixture.CreateAsync();
        await _fixture.CommitAsync(TestTx.Id("t0").Write("fund", "a", "1").Build());
    }

    [TearDown]
    public async Task TearDown() => await _fixture.DisposeAsync();

    private async Task AssertRejectedAndNothingWritten(FnzChain.Protos.Common.Block block, string expectedMessage)
    {
        var fileLength = new FileInfo(_fixture.LastFile).Length;

        var error = Assert.ThrowsAsync<BlockRejectedException>(async () => await _fixture.Ledger.CommitAsync(block));

        Assert.That(error!.Message, Does.Contain(expectedMessage));
        Assert.That(_fixture.Ledger.Height, Is.EqualTo(1UL));
        Assert.That(new FileInfo(_fixture.LastFile).Length, Is.EqualTo(fileLength));
        Assert.That(await _fixture.Ledger.State.GetStateAsync("fund", "b"), Is.Null);
        Assert.That(_fixture.Ledger.Blocks.GetTxLocation("t1"), Is.Null);
        await _fixture.ReopenAsync();
        Assert.That(_fixture.Ledger.Height, Is.EqualTo(1UL));
    }

    [Test]
    public async Task Block_with_wrong_previous_hash_is_rejected()
    {
        var block = BlockFactory.Create(1, new byte[32], [TestTx.Id("t1").Write("fund", "b", "1").Build()]);

        await AssertRejectedAndNothingWritten(block, "block 1 rejected: previous hash 00000000");
    }

    [Test]
    public async Task Block_out_of_sequence_is_rejected()
    {
        var block = BlockFactory.Create(2, _fixture.Ledger.Blocks.LastBlockHash, [TestTx.Id("t1").Write("fund", "b", "1").Build()]);

        await AssertRejectedAndNothingWritten(block, "block 2 rejected: out of sequence: the ledger's next block is 1");
    }

    [Test]
    public async Task Block_already_committed_is_rejected()
    {
        var block = BlockFactory.Create(0, ReadOnlyMemory<byte>.Empty, [TestTx.Id("t1").Write("fund", "b", "1").Build()]);

        await AssertRejectedAndNothingWritten(block, "block 0 rejected: out of sequence");
    }

    [Test]
    public async Task Block_whose_data_does_not_match_its_data_hash_is_rejected()
    {
        var block = _fixture.NextBlock(TestTx.Id("t1").Write("fund", "b", "1").Build());
        block.Data.Data.Add(TestTx.Id("smuggled").Write("fund", "b", "2").Build());

        await AssertRejectedAndNothingWritten(block, "block 1 rejected: data hash");
    }

    [Test]
    public async Task Block_with_an_unparsable_read_write_set_in_a_valid_transaction_is_rejected()
    {
        var block = _fixture.NextBlock(TestTx.Id("t1").Write("fund", "b", "1").Build(), TestTx.WithGarbageReadWriteSet("t2", "fund"));

        await AssertRejectedAndNothingWritten(block, "block 1 rejected: transaction 1 (tx id t2): read/write set of namespace \"fund\" does not parse");
    }

    [Test]
    public async Task Block_with_an_envelope_that_is_not_protobuf_is_rejected()
    {
        var block = _fixture.NextBlock(TestTx.Id("t1").Write("fund", "b", "1").Build(), ByteString.CopyFrom(0x0a, 0xff));

        await AssertRejectedAndNothingWritten(block, "block 1 rejected: transaction 1: envelope does not parse");
    }

    [Test]
    public async Task Block_with_fewer_verdicts_than_transactions_is_rejected()
    {
        var block = _fixture.NextBlock(TestTx.Id("t1").Write("fund", "b", "1").Build());
        var fileLength = new FileInfo(_fixture.LastFile).Length;

        var error = Assert.ThrowsAsync<BlockRejectedException>(async () => await _fixture.Ledger.CommitAsync(block, []));

        Assert.That(error!.Message, Is.EqualTo("block 1 rejected: 0 validation verdicts given for 1 transactions"));
        Assert.That(new FileInfo(_fixture.LastFile).Length, Is.EqualTo(fileLength));
    }

    [Test]
    public async Task Unparsable_transaction_already_marked_invalid_by_the_peer_is_committed_as_invalid()
    {
        var result = await _fixture.CommitAsync(
            [TxValidationCode.BadRwset, TxValidationCode.Valid],
            TestTx.WithGarbageReadWriteSet("t1", "fund"),
            TestTx.Id("t2").Write("fund", "b", "1").Build());

        Assert.That(result.Codes, Is.EqualTo(new[] { TxValidationCode.BadRwset, TxValidationCode.Valid }));
        Assert.That(_fixture.Ledger.Height, Is.EqualTo(2UL));
    }

    [Test]
    public async Task Read_write_set_with_an_invalid_key_is_rejected_naming_the_key()
    {
        var block = _fixture.NextBlock(TestTx.Id("t1").Write("fund", new string('k', 9000), "1").Build());

        await AssertRejectedAndNothingWritten(block, "block 1 rejected: transaction 0 (tx id t1): read/write set of namespace \"fund\": invalid key");
    }

    [Test]
    public async Task Read_write_set_with_a_value_over_the_limit_is_rejected_naming_the_key()
    {
        var block = _fixture.NextBlock(TestTx.Id("t1").Write("fund", "b", new string('v', FnzChain.Ledger.State.StateLimits.MaxValueBytes + 1)).Build());

        await AssertRejectedAndNothingWritten(block, "block 1 rejected: transaction 0 (tx id t1): read/write set of namespace \"fund\": value of key \"b\" in namespace \"fund\" is 3145729 bytes");
    }
}
