namespace FnzChain.Cli.Tests.Commands;

/// <summary>The benchmark command runs and reports in its documented format (figures are not asserted).</summary>
public sealed class BenchCryptoCommandTests : CryptoFixture
{
    [Test]
    public async Task Bench_crypto_prints_the_table_and_the_summary_line()
    {
        var result = await ProcessRunner.FnzchainAsync(WorkDir, "bench", "crypto", "--seconds", "0.05");

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(result.StandardOutput, Does.Contain("bouncycastle"));
        Assert.That(result.StandardOutput, Does.Contain("sha-256"));
        Assert.That(result.StandardOutput.TrimEnd().Split('\n')[^1], Does.Match(@"^crypto: [\d,]+ sign/s, [\d,]+ verify/s per core$"));
    }

    [Test]
    public async Task Bench_crypto_rejects_a_non_positive_duration()
    {
        var result = await ProcessRunner.FnzchainAsync(WorkDir, "bench", "crypto", "--seconds", "0");

        Assert.That(result.ExitCode, Is.Not.Zero);
        Assert.That(result.ErrorLines, Has.Length.EqualTo(1));
    }
}
