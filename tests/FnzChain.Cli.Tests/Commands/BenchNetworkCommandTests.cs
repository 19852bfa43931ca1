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
        Assert.That(lines[0], Does.StartWith("network benchmark (ta-orders, a solo orderer): 2 clients in flight"));
        Assert.That(result.StandardOutput, Does.Contain("cpu peer Dist2:"));
        Assert.That(lines[^1], Does.Match(@"^network: [\d,]+ tx/s, p50 \d+ ms, p99 \d+ ms, [1-9]\d* committed, 0 failed$"));
    }

    [Test]
    [Category("Integration")]
    public async Task Kafka_ordering_with_two_orderers_reports_each_orderer_the_stand_in_and_cpu_per_transaction()
    {
        using var folder = new TempFolder();

        var result = await ProcessRunner.FnzchainAsync(folder.Path, "bench", "network", "--consenter", "kafka", "--orderers", "2", "--clients", "4", "--seconds", "2", "--warm-up", "1");

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        var lines = result.StandardOutput.TrimEnd().Split('\n');
        Assert.That(lines[0], Does.StartWith("network benchmark (funds, 2 orderers on Kafka (the local in-memory stand-in)): 4 clients in flight"));
        Assert.That(result.StandardOutput, Does.Contain("cpu orderer:").And.Contain("cpu orderer2:").And.Contain("cpu kafka stand-in:"));
        Assert.That(result.StandardOutput, Does.Match(@"server cpu per committed transaction: \d+\.\d\d ms \(orderers and peers\), \d+\.\d\d ms with the Kafka stand-in"));
        Assert.That(lines[^1], Does.Match(@"^network: [\d,]+ tx/s, p50 \d+ ms, p99 \d+ ms, [1-9]\d* committed, 0 failed$"));
    }

    [TestCase("--workload", "bogus")]
    [TestCase("--clients", "0")]
    [TestCase("--consenter", "bogus")]
    [TestCase("--orderers", "2")]
    public async Task Bad_arguments_are_refused_in_one_line(string option, string value)
    {
        using var folder = new TempFolder();

        var result = await ProcessRunner.FnzchainAsync(folder.Path, "bench", "network", option, value);

        Assert.That(result.ExitCode, Is.Not.Zero);
        Assert.That(result.ErrorLines, Has.Length.GreaterThanOrEqualTo(1));
        Assert.That(result.ErrorLines[0], Does.Contain(value == "bogus" ? "bogus" : option));
    }
}
