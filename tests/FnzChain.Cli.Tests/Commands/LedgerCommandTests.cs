namespace FnzChain.Cli.Tests.Commands;

/// <summary><c>fnzchain ledger verify</c> and <c>fnzchain bench ledger</c> as a user runs them.</summary>
public sealed class LedgerCommandTests
{
    private TempFolder _temp = null!;

    private string LedgerPath => _temp.File("ledger");

    private string Segment => Path.Combine(LedgerPath, "blocks", "blockfile_000000");

    [SetUp]
    public async Task SetUp()
    {
        _temp = new TempFolder();
        var result = await ProcessRunner.FnzchainAsync(
            _temp.Path, "bench", "ledger", "--path", LedgerPath, "--progress", "--blocks", "8", "--tx-per-block", "10", "--keys", "40", "--value-bytes", "32");
        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(result.StandardOutput, Does.Contain("committed 7"));
    }

    [TearDown]
    public void TearDown() => _temp.Dispose();

    [Test]
    public async Task Verify_prints_a_summary_of_an_intact_ledger_and_exits_0()
    {
        var result = await ProcessRunner.FnzchainAsync(_temp.Path, "ledger", "verify", "--path", LedgerPath);

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(result.StandardOutput.Trim(), Does.Match(@"^ledger verify: ok: 8 blocks, 80 transactions \(80 valid\), .*last block hash [0-9a-f]{64}$"));
    }

    [TestCase(5, 100, TestName = "Verify_names_the_block_whose_body_was_tampered_with_and_exits_1")]
    [TestCase(3, 1, TestName = "Verify_names_the_block_whose_length_prefix_was_tampered_with_and_exits_1")]
    [TestCase(7, 6, TestName = "Verify_names_the_last_block_when_its_checksum_was_tampered_with_and_exits_1")]
    public async Task Verify_names_the_tampered_block(int block, int offsetInRecord)
    {
        var record = LedgerRecords.Walk(Segment)[block];
        LedgerRecords.FlipByte(Segment, record.Offset + offsetInRecord);

        var result = await ProcessRunner.FnzchainAsync(_temp.Path, "ledger", "verify", "--path", LedgerPath);

        Assert.That(result.ExitCode, Is.EqualTo(1), result.ToString());
        Assert.That(result.ErrorLines, Has.Length.EqualTo(1));
        Assert.That(result.ErrorLines[0], Does.StartWith($"fnzchain: ledger verify: block {block} is bad: blockfile_000000 at offset {record.Offset}"));
    }

    [Test]
    public async Task Verify_of_a_folder_that_is_not_a_ledger_fails_in_one_line()
    {
        var result = await ProcessRunner.FnzchainAsync(_temp.Path, "ledger", "verify", "--path", _temp.Path);

        Assert.That(result.ExitCode, Is.EqualTo(1));
        Assert.That(result.ErrorLines, Is.EqualTo(new[] { $"fnzchain: ledger verify: {_temp.Path} is not a ledger folder: it needs blocks/ and db/" }));
    }

    [Test]
    public async Task Verify_of_a_missing_folder_fails_in_one_line()
    {
        var result = await ProcessRunner.FnzchainAsync(_temp.Path, "ledger", "verify", "--path", _temp.File("nothing-here"));

        Assert.That(result.ExitCode, Is.EqualTo(1));
        Assert.That(result.ErrorLines.Single(), Does.EndWith("does not exist"));
    }

    [Test]
    public async Task Bench_ledger_ends_with_the_documented_summary_line()
    {
        var result = await ProcessRunner.FnzchainAsync(
            _temp.Path, "bench", "ledger", "--blocks", "5", "--tx-per-block", "50", "--keys", "200", "--durability", "buffered");

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(result.StandardOutput.TrimEnd().Split('\n')[^1], Does.Match(@"^ledger: [\d,]+ tx/s, [\d.]+ blocks/s, p99 block commit [\d.]+ ms$"));
    }

    [Test]
    public async Task Bench_ledger_rejects_a_key_space_too_small_for_a_block()
    {
        var result = await ProcessRunner.FnzchainAsync(_temp.Path, "bench", "ledger", "--tx-per-block", "500", "--keys", "10");

        Assert.That(result.ExitCode, Is.EqualTo(1));
        Assert.That(result.ErrorLines.Single(), Does.StartWith("fnzchain: bench ledger: --keys must be a multiple of 2 and at least 1000"));
    }
}
