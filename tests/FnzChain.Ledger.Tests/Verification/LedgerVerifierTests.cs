using FnzChain.Ledger.Verification;

namespace FnzChain.Ledger.Tests.Verification;

public sealed class LedgerVerifierTests
{
    private LedgerFixture _fixture = null!;

    [SetUp]
    public async Task SetUp()
    {
        _fixture = await LedgerFixture.CreateAsync();
        for (var i = 0; i < 5; i++)
        {
            await _fixture.CommitAsync(
                TestTx.Id($"t{i}").Write("fund", $"k{i}", "v").Build(),
                TestTx.Id($"u{i}").Read("fund", "missing", new(9, 9)).Build());
        }
    }

    [TearDown]
    public async Task TearDown() => await _fixture.DisposeAsync();

    [Test]
    public void Verify_summarises_an_intact_ledger()
    {
        _fixture.Close();

        var report = LedgerVerifier.Verify(_fixture.Folder);

        Assert.That(report.Problem, Is.Null);
        Assert.That(report.Blocks, Is.EqualTo(5UL));
        Assert.That(report.Transactions, Is.EqualTo(10));
        Assert.That(report.ValidTransactions, Is.EqualTo(5));
        Assert.That(report.Notes, Is.Empty);
    }

    [Test]
    public void Verify_runs_next_to_an_open_ledger()
    {
        var report = LedgerVerifier.Verify(_fixture.Folder);

        Assert.That(report.IsIntact, Is.True, report.Problem);
    }

    [TestCase(3UL, 30)]
    [TestCase(3UL, 2)]
    [TestCase(0UL, 9)]
    [TestCase(4UL, 100)]
    public void Verify_names_the_block_whose_bytes_were_changed(ulong block, int offsetInRecord)
    {
        var location = _fixture.Ledger.Blocks.Index.GetBlockLocation(block)!.Value;
        _fixture.Close();
        ChannelLedgerRecoveryTests.FlipByte(_fixture.LastFile, location.Offset + offsetInRecord);

        var report = LedgerVerifier.Verify(_fixture.Folder);

        Assert.That(report.BadBlock, Is.EqualTo(block));
        Assert.That(report.Problem, Does.Contain("blockfile_000000"));
    }

    [Test]
    public void Verify_notes_an_interrupted_write_without_failing()
    {
        _fixture.Close();
        using (var file = new FileStream(_fixture.LastFile, FileMode.Append))
        {
            file.Write(new byte[] { 200, 0, 0, 0, 1, 2 });
        }

        var report = LedgerVerifier.Verify(_fixture.Folder);

        Assert.That(report.IsIntact, Is.True);
        Assert.That(report.Notes.Single(), Does.Contain("interrupted write after block 4"));
    }

    [Test]
    public void Verify_reports_an_index_pointing_past_the_block_files()
    {
        var location = _fixture.Ledger.Blocks.Index.GetBlockLocation(4)!.Value;
        _fixture.Close();
        using (var file = new FileStream(_fixture.LastFile, FileMode.Open))
        {
            file.SetLength(location.Offset);
        }

        var report = LedgerVerifier.Verify(_fixture.Folder);

        Assert.That(report.BadBlock, Is.EqualTo(4UL));
        Assert.That(report.Problem, Does.Contain("the index records 5 blocks but the block files end after 4"));
    }

    [Test]
    public void Verify_refuses_a_folder_that_is_not_a_ledger()
    {
        Assert.That(() => LedgerVerifier.Verify(Path.GetTempPath()), Throws.InstanceOf<DirectoryNotFoundException>().With.Message.Contains("is not a ledger folder"));
    }
}
