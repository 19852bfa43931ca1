namespace FnzChain.Cli.Tests.Commands;

/// <summary><c>bench network</c> runs a real network and reports in its documented format (figures are not asserted).</summary>
public sealed class BenchNetworkCommandTests
{
    [Test]
    [Category("Integration")]
    public async Task Ta_orders_workload_commits_subscriptions_and_prints_the_summary_line()
    {
        using var folder = new TempFolder();

        var result = await ProcessRunner.FnzchainAsync(folder.Path, "bench", "network", "--workload", "ta-orders", "--clients", "2", "--seconds", "2", "--warm-up", "1");

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        var lines = result.StandardOutput.TrimEnd().Split('\n');
        Assert.That(lines[0], Does.StartWith("network benchmark (ta-orders): 2 clients in flight"));
        Assert.That(result.StandardOutput, Does.Contain("cpu peer Dist2:"));
        Assert.That(lines[^1], Does.Match(@"^network: [\d,]+ tx/s, p50 \d+ ms, p99 \d+ ms, [1-9]\d* committed, 0 failed$"));
    }

    [TestCase("--workload", "bogus")]
    [TestCase("--clients", "0")]
    public async Task Bad_arguments_are_refused_in_one_line(string option, string value)
    {
        using var folder = new TempFolder();

        var result = await ProcessRunner.FnzchainAsync(folder.Path, "bench", "network", option, value);

        Assert.That(result.ExitCode, Is.Not.Zero);
        Assert.That(result.ErrorLines, Has.Length.GreaterThanOrEqualTo(1));
        Assert.That(result.ErrorLines[0], Does.Contain(option == "--workload" ? "bogus" : "--clients"));
    }
}
