using System.Text;
using FnzChain.Protos.Ledger.Rwset.Kvrwset;
using FnzChain.Protos.Peer;
using Version = FnzChain.Ledger.State.Version;

namespace FnzChain.Ledger.Tests.Validation;

/// <summary>Every validation code the ledger assigns, on a real ledger: MVCC, phantoms, duplicates, verdicts, metadata.</summary>
public sealed class ChannelLedgerValidationTests
{
    private LedgerFixture _fixture = null!;

    [SetUp]
    public async Task SetUp()
    {
        _fixture = await LedgerFixture.CreateAsync();
        // Block 0: fund/a, fund/b, fund/c exist at 0:0; fund/z at 0:1.
        await _fixture.CommitAsync(
            TestTx.Id("seed-1").Write("fund", "a", "1").Write("fund", "b", "1").Write("fund", "c", "1").Build(),
            TestTx.Id("seed-2").Write("fund", "z", "1").Build());
    }

    [TearDown]
    public async Task TearDown() => await _fixture.DisposeAsync();

    private static Version V(ulong block, ulong tx) => new(block, tx);

    private async Task<string?> ValueOf(string key) =>
        await _fixture.Ledger.State.GetStateAsync("fund", key) is { } v ? Encoding.UTF8.GetString(v.Value.Span) : null;

    [Test]
    public async Task Commit_accepts_reads_at_the_committed_version_and_applies_writes()
    {
        var result = await _fixture.CommitAsync(TestTx.Id("t1").Read("fund", "a", V(0, 0)).Write("fund", "a", "2").Build());

        Assert.That(result.Codes, Is.EqualTo(new[] { TxValidationCode.Valid }));
        Assert.That(await ValueOf("a"), Is.EqualTo("2"));
        Assert.That((await _fixture.Ledger.State.GetStateAsync("fund", "a"))!.Version, Is.EqualTo(V(1, 0)));
    }

    [Test]
    public async Task Commit_accepts_a_read_of_an_absent_key_that_is_still_absent()
    {
        var result = await _fixture.CommitAsync(TestTx.Id("t1").Read("fund", "new", null).Write("fund", "new", "x").Build());

        Assert.That(result.Codes[0], Is.EqualTo(TxValidationCode.Valid));
    }

    [Test]
    public async Task Commit_marks_a_stale_point_read_as_mvcc_conflict_and_does_not_apply_its_writes()
    {
        await _fixture.CommitAsync(TestTx.Id("t1").Write("fund", "a", "2").Build());

        var result = await _fixture.CommitAsync(TestTx.Id("t2").Read("fund", "a", V(0, 0)).Write("fund", "a", "3").Build());

        Assert.That(result.Codes[0], Is.EqualTo(TxValidationCode.MvccReadConflict));
        Assert.That(result.Reasons[0], Does.Contain("fund/\"a\"").And.Contain("0:0").And.Contain("1:0"));
        Assert.That(await ValueOf("a"), Is.EqualTo("2"));
    }

    [Test]
    public async Task Commit_marks_a_read_of_absent_key_that_now_exists_as_mvcc_conflict()
    {
        var result = await _fixture.CommitAsync(TestTx.Id("t1").Read("fund", "a", null).Build());

        Assert.That(result.Codes[0], Is.EqualTo(TxValidationCode.MvccReadConflict));
    }

    [Test]
    public async Task Commit_marks_second_writer_of_same_key_in_a_block_as_mvcc_conflict()
    {
        var result = await _fixture.CommitAsync(
            TestTx.Id("t1").Read("fund", "a", V(0, 0)).Write("fund", "a", "from t1").Build(),
            TestTx.Id("t2").Read("fund", "a", V(0, 0)).Write("fund", "a", "from t2").Build());

        Assert.That(result.Codes, Is.EqualTo(new[] { TxValidationCode.Valid, TxValidationCode.MvccReadConflict }));
        Assert.That(result.Reasons[1], Does.Contain("transaction 0 of this block"));
        Assert.That(await ValueOf("a"), Is.EqualTo("from t1"));
    }

    [Test]
    public async Task Commit_lets_a_later_transaction_read_past_an_invalid_earlier_one()
    {
        var result = await _fixture.CommitAsync(
            TestTx.Id("t1").Read("fund", "a", V(9, 9)).Write("fund", "b", "from t1").Build(),
            TestTx.Id("t2").Read("fund", "b", V(0, 0)).Write("fund", "b", "from t2").Build());

        Assert.That(result.Codes, Is.EqualTo(new[] { TxValidationCode.MvccReadConflict, TxValidationCode.Valid }));
        Assert.That(await ValueOf("b"), Is.EqualTo("from t2"));
    }

    [Test]
    public async Task Commit_accepts_a_range_read_that_still_matches()
    {
        var result = await _fixture.CommitAsync(
            TestTx.Id("t1").Range("fund", "a", "d", exhausted: true, ("a", V(0, 0)), ("b", V(0, 0)), ("c", V(0, 0))).Write("fund", "total", "3").Build());

        Assert.That(result.Codes[0], Is.EqualTo(TxValidationCode.Valid));
    }

    [Test]
    public async Task Commit_marks_a_range_read_with_an_inserted_key_as_phantom()
    {
        await _fixture.CommitAsync(TestTx.Id("t1").Write("fund", "bb", "new").Build());

        var result = await _fixture.CommitAsync(
            TestTx.Id("t2").Range("fund", "a", "d", exhausted: true, ("a", V(0, 0)), ("b", V(0, 0)), ("c", V(0, 0))).Build());

        Assert.That(result.Codes[0], Is.EqualTo(TxValidationCode.PhantomReadConflict));
        Assert.That(result.Reasons[0], Does.Contain("\"bb\""));
    }

    [Test]
    public async Task Commit_marks_a_range_read_with_a_deleted_key_as_phantom()
    {
        await _fixture.CommitAsync(TestTx.Id("t1").Delete("fund", "c").Build());

        var result = await _fixture.CommitAsync(
            TestTx.Id("t2").Range("fund", "a", "d", exhausted: true, ("a", V(0, 0)), ("b", V(0, 0)), ("c", V(0, 0))).Build());

        Assert.That(result.Codes[0], Is.EqualTo(TxValidationCode.PhantomReadConflict));
        Assert.That(result.Reasons[0], Does.Contain("\"c\"").And.Contain("disappeared"));
    }

    [Test]
    public async Task Commit_marks_a_range_read_with_an_updated_key_as_phantom()
    {
        await _fixture.CommitAsync(TestTx.Id("t1").Write("fund", "b", "2").Build());

        var result = await _fixture.CommitAsync(
            TestTx.Id("t2").Range("fund", "a", "d", exhausted: true, ("a", V(0, 0)), ("b", V(0, 0)), ("c", V(0, 0))).Build());

        Assert.That(result.Codes[0], Is.EqualTo(TxValidationCode.PhantomReadConflict));
        Assert.That(result.Reasons[0], Does.Contain("changed from version 0:0 to 1:0"));
    }

    [Test]
    public async Task Commit_marks_a_range_read_phantom_when_an_earlier_transaction_of_the_block_inserts_into_it()
    {
        var result = await _fixture.CommitAsync(
            TestTx.Id("t1").Write("fund", "ab", "new").Build(),
            TestTx.Id("t2").Range("fund", "a", "d", exhausted: true, ("a", V(0, 0)), ("b", V(0, 0)), ("c", V(0, 0))).Build());

        Assert.That(result.Codes, Is.EqualTo(new[] { TxValidationCode.Valid, TxValidationCode.PhantomReadConflict }));
    }

    [Test]
    public async Task Commit_checks_an_unexhausted_range_only_up_to_its_last_read_key()
    {
        await _fixture.CommitAsync(TestTx.Id("t1").Write("fund", "bb", "beyond what was read").Build());

        var result = await _fixture.CommitAsync(
            TestTx.Id("t2").Range("fund", "a", "d", exhausted: false, ("a", V(0, 0)), ("b", V(0, 0))).Build());

        Assert.That(result.Codes[0], Is.EqualTo(TxValidationCode.Valid));
    }

    [Test]
    public async Task Commit_marks_a_merkle_summarised_range_as_invalid_with_a_reason()
    {
        var result = await _fixture.CommitAsync(TestTx.Id("t1").MerkleRange("fund", "a", "d").Build());

        Assert.That(result.Codes[0], Is.EqualTo(TxValidationCode.InvalidOtherReason));
        Assert.That(result.Reasons[0], Does.Contain("Merkle"));
    }

    [Test]
    public async Task Commit_marks_a_tx_id_repeated_within_a_block_as_duplicate()
    {
        var result = await _fixture.CommitAsync(
            TestTx.Id("same").Write("fund", "x", "first").Build(),
            TestTx.Id("same").Write("fund", "y", "second").Build());

        Assert.That(result.Codes, Is.EqualTo(new[] { TxValidationCode.Valid, TxValidationCode.DuplicateTxid }));
        Assert.That(await ValueOf("y"), Is.Null);
        Assert.That(_fixture.Ledger.Blocks.GetTxLocation("same"), Is.EqualTo(new FnzChain.Ledger.Blocks.TxLocation(1, 0, TxValidationCode.Valid)));
    }

    [Test]
    public async Task Commit_marks_a_tx_id_committed_in_an_earlier_block_as_duplicate()
    {
        var result = await _fixture.CommitAsync(TestTx.Id("seed-1").Write("fund", "x", "again").Build());

        Assert.That(result.Codes[0], Is.EqualTo(TxValidationCode.DuplicateTxid));
        Assert.That(result.Reasons[0], Does.Contain("block 0"));
        Assert.That(_fixture.Ledger.Blocks.GetTxLocation("seed-1")!.Value.BlockNumber, Is.EqualTo(0UL));
    }

    [Test]
    public async Task Commit_keeps_the_peers_verdicts_and_applies_nothing_of_rejected_transactions()
    {
        var result = await _fixture.CommitAsync(
            [TxValidationCode.EndorsementPolicyFailure, TxValidationCode.Valid],
            TestTx.Id("t1").Write("fund", "x", "policy failed").Build(),
            TestTx.Id("t2").Write("fund", "y", "ok").Build());

        Assert.That(result.Codes, Is.EqualTo(new[] { TxValidationCode.EndorsementPolicyFailure, TxValidationCode.Valid }));
        Assert.That(await ValueOf("x"), Is.Null);
        Assert.That(await ValueOf("y"), Is.EqualTo("ok"));
        Assert.That(_fixture.Ledger.Blocks.GetTransaction("t1")!.ValidationCode, Is.EqualTo((int)TxValidationCode.EndorsementPolicyFailure));
    }

    [Test]
    public async Task Commit_records_codes_in_the_stored_block_metadata()
    {
        await _fixture.CommitAsync(
            TestTx.Id("t1").Read("fund", "a", V(5, 5)).Build(),
            TestTx.Id("t2").Write("fund", "q", "1").Build());

        var stored = _fixture.Ledger.Blocks.GetBlock(1)!;

        Assert.That(stored.Metadata.Metadata[2].ToByteArray(), Is.EqualTo(new byte[] { (byte)TxValidationCode.MvccReadConflict, 0 }));
    }

    [Test]
    public async Task Commit_applies_config_transactions_without_state_writes()
    {
        var result = await _fixture.CommitAsync(TestTx.Config("config-1"));

        Assert.That(result.Codes[0], Is.EqualTo(TxValidationCode.Valid));
        Assert.That(_fixture.Ledger.Blocks.GetTxLocation("config-1"), Is.Not.Null);
    }

    [Test]
    public async Task Commit_of_a_value_only_write_keeps_the_keys_metadata()
    {
        await _fixture.CommitAsync(TestTx.Id("t1").Metadata("fund", "a", ("VALIDATION_PARAMETER", "policy")).Build());
        await _fixture.CommitAsync(TestTx.Id("t2").Write("fund", "a", "2").Build());

        var value = await _fixture.Ledger.State.GetStateAsync("fund", "a");

        Assert.That(Encoding.UTF8.GetString(value!.Value.Span), Is.EqualTo("2"));
        var metadata = KVMetadataWrite.Parser.ParseFrom(value.Metadata.ToArray());
        Assert.That(metadata.Entries.Single().Name, Is.EqualTo("VALIDATION_PARAMETER"));
    }

    [Test]
    public async Task Commit_of_metadata_for_a_missing_key_writes_nothing()
    {
        await _fixture.CommitAsync(TestTx.Id("t1").Metadata("fund", "missing", ("VALIDATION_PARAMETER", "policy")).Build());

        Assert.That(await _fixture.Ledger.State.GetStateAsync("fund", "missing"), Is.Null);
    }

    [Test]
    public async Task Commit_of_empty_metadata_removes_it_and_keeps_the_value()
    {
        await _fixture.CommitAsync(TestTx.Id("t1").Metadata("fund", "a", ("VALIDATION_PARAMETER", "policy")).Build());
        await _fixture.CommitAsync(TestTx.Id("t2").Metadata("fund", "a").Build());

        var value = await _fixture.Ledger.State.GetStateAsync("fund", "a");

        Assert.That(value!.Metadata.IsEmpty, Is.True);
        Assert.That(Encoding.UTF8.GetString(value.Value.Span), Is.EqualTo("1"));
    }

    [Test]
    public async Task Commit_records_history_of_valid_writes_newest_first()
    {
        await _fixture.CommitAsync(TestTx.Id("t1").Write("fund", "a", "2").Build());
        await _fixture.CommitAsync(TestTx.Id("t2").Read("fund", "a", V(0, 0)).Write("fund", "a", "lost").Build());
        await _fixture.CommitAsync(TestTx.Id("t3").Delete("fund", "a").Build());

        var history = _fixture.Ledger.History.GetHistoryForKey("fund", "a");

        Assert.That(history.Select(h => h.TxId), Is.EqualTo(new[] { "t3", "t1", "seed-1" }));
        Assert.That(history[0].IsDelete, Is.True);
    }
}
