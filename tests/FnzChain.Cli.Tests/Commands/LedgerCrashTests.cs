using System.Diagnostics;
using System.Globalization;
using FnzChain.Cli.Bench;
using FnzChain.Ledger;
using FnzChain.Protos.Peer;

namespace FnzChain.Cli.Tests.Commands;

/// <summary>
/// Crash safety with real processes: a writer (<c>fnzchain bench ledger --progress</c>, synced durability) commits
/// deterministic blocks and is SIGKILLed at random points, many times over the same ledger folder. After each
/// kill the ledger is reopened (recovery runs) and must hold every block the writer reported committed, exactly
/// the state the workload implies at its height, and pass <c>ledger verify</c>.
/// </summary>
[Category("Integration")]
public sealed class LedgerCrashTests
{
    private const int Iterations = 20;
    private const int TxPerBlock = 20;
    private const int Keys = 400;
    private const int ValueBytes = 64;
    private const int DefaultSeed = 20261123;
    private const string SeedVariable = "FNZCHAIN_CRASH_SEED";
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);

    [Test]
    public async Task Killing_the_writer_at_random_points_never_loses_an_acknowledged_block()
    {
        // A fixed seed, so a failure names the kill points to replay; set the variable to explore other ones.
        var seed = Environment.GetEnvironmentVariable(SeedVariable) is { Length: > 0 } text
            ? int.Parse(text, CultureInfo.InvariantCulture)
            : DefaultSeed;
        TestContext.Out.WriteLine($"random seed {seed} (replay with {SeedVariable}={seed})");
        var random = new Random(seed);
        var sampling = new Random(seed + 1); // separate, so the kill points do not depend on the heights reached
        var workload = new LedgerWorkload(TxPerBlock, reads: 2, writes: 2, Keys, ValueBytes);
        using var temp = new TempFolder();
        var ledgerPath = temp.File("ledger");
        var acknowledged = -1L;
        var height = 0UL;
        var recoveries = 0;

        for (var iteration = 0; iteration < Iterations; iteration++)
        {
            var killAfter = random.Next(1, 16);
            var extraDelay = TimeSpan.FromMilliseconds(random.Next(0, 8));
            var (openedAt, reported) = await RunAndKillAsync(temp.Path, ledgerPath, killAfter, extraDelay);
            Assert.That(openedAt, Is.EqualTo(height), $"iteration {iteration}: the writer opened the ledger at another height than the last reopen");
            acknowledged = Math.Max(acknowledged, reported);
            TestContext.Out.WriteLine($"iteration {iteration}: killed after {killAfter} commits + {extraDelay.TotalMilliseconds} ms; last reported block {reported}");

            var log = new RecordingLogger();
            using (var ledger = await ChannelLedger.OpenAsync(ledgerPath, new LedgerOptions { Logger = log }))
            {
                TestContext.Out.WriteLine($"  reopened at height {ledger.Height}{string.Concat(log.Messages.Select(m => "; " + m))}");
                recoveries += log.Messages.Count;
                Assert.That((long)ledger.Height, Is.GreaterThan(acknowledged), $"iteration {iteration}: an acknowledged block was lost");
                await AssertStateMatchesWorkloadAsync(ledger, workload, iteration);
                AssertTransactionsIndexed(ledger, sampling, iteration);
                height = ledger.Height;
            }

            var verify = await ProcessRunner.FnzchainAsync(temp.Path, "ledger", "verify", "--path", ledgerPath);
            Assert.That(verify.ExitCode, Is.Zero, $"iteration {iteration}: {verify}");
        }

        TestContext.Out.WriteLine($"{recoveries} reopen(s) had to recover blocks or cut a torn write");
    }

    /// <summary>Keeps what the ledger logs during recovery, to show which crash windows the kills hit.</summary>
    private sealed class RecordingLogger : Microsoft.Extensions.Logging.ILogger
    {
        public List<string> Messages { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Messages.Add(formatter(state, exception));
    }

    /// <summary>
    /// Starts the writer, kills it with SIGKILL after it reported <paramref name="killAfter"/> commits (plus a delay),
    /// and returns the height it opened the ledger at and the last block it reported (checking they run on from it).
    /// </summary>
    private static async Task<(ulong OpenedAt, long LastReported)> RunAndKillAsync(string workDir, string ledgerPath, int killAfter, TimeSpan extraDelay)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workDir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
                 {
                     ProcessRunner.FnzchainDll, "bench", "ledger", "--path", ledgerPath, "--progress", "--blocks", "1000000",
                     "--tx-per-block", $"{TxPerBlock}", "--reads", "2", "--writes", "2", "--keys", $"{Keys}", "--value-bytes", $"{ValueBytes}",
                 })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment.Remove("FNZCHAIN_DEBUG");
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start fnzchain");
        var stderr = process.StandardError.ReadToEndAsync();
        var openedAt = (ulong?)null;
        var last = -1L;
        var seen = 0;
        using var timeout = new CancellationTokenSource(s_timeout);
        try
        {
            while (seen < killAfter)
            {
                var line = await process.StandardOutput.ReadLineAsync(timeout.Token);
                if (line is null)
                {
                    Assert.Fail($"the writer exited before it was killed: {await stderr}");
                }

                if (line!.StartsWith("opened at height ", StringComparison.Ordinal))
                {
                    openedAt = ulong.Parse(line["opened at height ".Length..], CultureInfo.InvariantCulture);
                }
                else if (Committed(line) is { } number)
                {
                    last = Next(openedAt, last, number);
                    seen++;
                }
            }

            if (extraDelay > TimeSpan.Zero)
            {
                await Task.Delay(extraDelay, timeout.Token);
            }
        }
        finally
        {
            process.Kill(entireProcessTree: true); // SIGKILL: no chance to flush or close anything
            await process.WaitForExitAsync(CancellationToken.None);
        }

        // Lines the writer printed before it died are acknowledged commits too.
        // Only whole lines count: a line the kill cut short (say "committed 1" of "committed 12") has no newline yet.
        var rest = (await process.StandardOutput.ReadToEndAsync(CancellationToken.None)).Split('\n');
        foreach (var line in rest[..^1])
        {
            if (Committed(line) is { } number)
            {
                last = Next(openedAt, last, number);
            }
        }

        return (openedAt!.Value, last);
    }

    private static long? Committed(string line) =>
        line.StartsWith("committed ", StringComparison.Ordinal) ? long.Parse(line["committed ".Length..], CultureInfo.InvariantCulture) : null;

    /// <summary>The writer reports blocks one by one from the height it opened at.</summary>
    private static long Next(ulong? openedAt, long last, long number)
    {
        Assert.That(openedAt, Is.Not.Null, "the writer reported a commit before 'opened at height'");
        var expected = last < 0 ? (long)openedAt!.Value : last + 1;
        Assert.That(number, Is.EqualTo(expected), "the writer reported blocks out of order");
        return number;
    }

    private static async Task AssertStateMatchesWorkloadAsync(ChannelLedger ledger, LedgerWorkload workload, int iteration)
    {
        for (var key = 0L; key < Keys; key++)
        {
            var name = LedgerWorkload.KeyName(key);
            var actual = await ledger.State.GetStateAsync(LedgerWorkload.Namespace, name);
            var expected = workload.Expected(key, ledger.Height);
            if (expected is not { } want)
            {
                Assert.That(actual, Is.Null, $"iteration {iteration}: {name} should not exist at height {ledger.Height}");
                continue;
            }

            Assert.That(actual, Is.Not.Null, $"iteration {iteration}: {name} is missing at height {ledger.Height}");
            Assert.That(actual!.Version, Is.EqualTo(new FnzChain.Ledger.State.Version(want.Block, want.Tx)), $"iteration {iteration}: version of {name}");
            Assert.That(actual.Value.ToArray(), Is.EqualTo(want.Value), $"iteration {iteration}: value of {name}");
        }
    }

    /// <summary>Every tx of the last 3 blocks (those recovery may have indexed) and of a few random earlier ones is indexed where it belongs.</summary>
    private static void AssertTransactionsIndexed(ChannelLedger ledger, Random random, int iteration)
    {
        var height = ledger.Height;
        var recent = height >= 3 ? height - 3 : 0;
        var blocks = new SortedSet<ulong>();
        for (var block = recent; block < height; block++)
        {
            blocks.Add(block);
        }

        for (var i = 0; i < 5 && recent > 0; i++)
        {
            blocks.Add((ulong)random.NextInt64((long)recent));
        }

        foreach (var block in blocks)
        {
            Assert.That(ledger.Blocks.GetBlock(block)?.Header.Number, Is.EqualTo(block), $"iteration {iteration}: block {block}");
            for (var tx = 0; tx < TxPerBlock; tx++)
            {
                var location = ledger.Blocks.GetTxLocation(LedgerWorkload.TxId(((long)block * TxPerBlock) + tx));
                Assert.That(location, Is.EqualTo(new FnzChain.Ledger.Blocks.TxLocation(block, tx, TxValidationCode.Valid)), $"iteration {iteration}: tx {tx} of block {block}");
            }
        }

        Assert.That(ledger.Blocks.GetTxLocation(LedgerWorkload.TxId((long)height * TxPerBlock)), Is.Null, $"iteration {iteration}: a tx beyond the height is indexed");
    }
}
