using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using FnzChain.Cli.Bench;
using FnzChain.Ledger;
using FnzChain.Ledger.State.RocksDb;
using FnzChain.Protos.Common;
using FnzChain.Protos.Peer;

namespace FnzChain.Cli.Commands;

/// <summary>
/// <c>fnzchain bench ledger</c>: commits synthetic blocks (<see cref="LedgerWorkload"/>) to a real ledger and reports
/// transactions and blocks per second and the p99 latency of one block's commit (validation, block file, RocksDB
/// batch, fsyncs). Blocks are generated before the clock starts, so only the ledger is measured; as in a peer,
/// each block is prepared (decoded, data-hashed) on other threads while the previous one commits. With
/// <c>--path</c> it continues an existing ledger; with <c>--progress</c> it prints each committed block, which is
/// how the crash test drives it.
/// </summary>
internal static class BenchLedgerCommand
{
    public static Command Create()
    {
        var blocks = new Option<int>("--blocks") { Description = "Blocks to measure after the warm-up (default 200).", DefaultValueFactory = _ => 200 };
        var txPerBlock = new Option<int>("--tx-per-block") { Description = "Transactions per block (default 500).", DefaultValueFactory = _ => 500 };
        var reads = new Option<int>("--reads") { Description = "Keys each transaction reads (default 2).", DefaultValueFactory = _ => 2 };
        var writes = new Option<int>("--writes") { Description = "Keys each transaction writes (default 2).", DefaultValueFactory = _ => 2 };
        var keys = new Option<int>("--keys") { Description = "Distinct keys in the workload (default 100000).", DefaultValueFactory = _ => 100_000 };
        var valueBytes = new Option<int>("--value-bytes") { Description = "Bytes per written value (default 100).", DefaultValueFactory = _ => 100 };
        var durability = new Option<CommitDurability>("--durability") { Description = "synced (fsync every commit, the default) or buffered.", DefaultValueFactory = _ => CommitDurability.Synced };
        var path = new Option<string?>("--path") { Description = "Ledger folder to use and keep (continues from its height). Default: a temp folder, deleted after." };
        var progress = new Option<bool>("--progress") { Description = "Print 'committed <n>' after each block and generate blocks on the fly (crash testing)." };
        var command = new Command("ledger", "Commit synthetic blocks to a real ledger: tx/s, blocks/s and p99 block commit latency.");
        foreach (var option in new Option[] { blocks, txPerBlock, reads, writes, keys, valueBytes, durability, path, progress })
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, cancellationToken) =>
        {
            LedgerWorkload workload;
            try
            {
                workload = new LedgerWorkload(parse.GetValue(txPerBlock), parse.GetValue(reads), parse.GetValue(writes), parse.GetValue(keys), parse.GetValue(valueBytes));
            }
            catch (ArgumentException e)
            {
                throw new CliException($"bench ledger: {e.Message}");
            }

            var count = parse.GetValue(blocks);
            if (count < 1)
            {
                throw new CliException($"bench ledger: --blocks must be at least 1, not {count}");
            }

            var settings = new Settings(workload, count, parse.GetValue(durability), parse.GetValue(progress));
            var folder = parse.GetValue(path);
            var output = parse.InvocationConfiguration.Output;
            if (folder is not null)
            {
                await RunAsync(settings, folder, output, cancellationToken).ConfigureAwait(false);
                return 0;
            }

            var temp = Path.Combine(Path.GetTempPath(), "fnzchain-bench-ledger-" + Guid.NewGuid().ToString("N"));
            try
            {
                await RunAsync(settings, temp, output, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                Directory.Delete(temp, recursive: true);
            }

            return 0;
        });
        return command;
    }

    private sealed record Settings(LedgerWorkload Workload, int Blocks, CommitDurability Durability, bool Progress);

    private static async Task RunAsync(Settings settings, string folder, TextWriter output, CancellationToken cancellationToken)
    {
        var workload = settings.Workload;
        using var ledger = await ChannelLedger.OpenAsync(folder, new LedgerOptions { Durability = settings.Durability }, cancellationToken).ConfigureAwait(false);
        if (settings.Progress)
        {
            await RunWithProgressAsync(ledger, settings, output, cancellationToken).ConfigureAwait(false);
            return;
        }

        output.WriteLine(
            $"ledger benchmark: {settings.Blocks} blocks x {workload.TxPerBlock} tx, {workload.Reads} reads + {workload.Writes} writes per tx, " +
            $"{workload.Keys} keys, {workload.ValueBytes}-byte values, durability {settings.Durability.ToString().ToLowerInvariant()}, {Environment.ProcessorCount} cores");
        var warmUp = workload.WarmUpBlocks > ledger.Height ? workload.WarmUpBlocks - ledger.Height : 0;
        if (warmUp > 0)
        {
            output.WriteLine($"warm-up: {warmUp} blocks, until every key exists");
            for (ulong i = 0; i < warmUp; i++)
            {
                await CommitCheckedAsync(ledger, ChannelLedger.Prepare(workload.CreateBlock(ledger.Height, ledger.Blocks.LastBlockHash)), cancellationToken).ConfigureAwait(false);
            }
        }

        var start = ledger.Height;
        var pending = Generate(workload, start, ledger.Blocks.LastBlockHash, settings.Blocks);
        var latencies = new double[pending.Count];
        var gcBefore = GC.CollectionCount(0);
        var total = Stopwatch.StartNew();

        // As a peer does: decode and hash block n+1 on other threads while block n commits.
        var prepared = Channel.CreateBounded<PreparedBlock>(2);
        var producer = Task.Run(
            async () =>
            {
                foreach (var block in pending)
                {
                    await prepared.Writer.WriteAsync(ChannelLedger.Prepare(block), cancellationToken).ConfigureAwait(false);
                }

                prepared.Writer.Complete();
            },
            cancellationToken);
        var committed = 0;
        await foreach (var block in prepared.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            var started = Stopwatch.GetTimestamp();
            await CommitCheckedAsync(ledger, block, cancellationToken).ConfigureAwait(false);
            latencies[committed++] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }

        await producer.ConfigureAwait(false);
        total.Stop();
        Array.Sort(latencies);
        var seconds = total.Elapsed.TotalSeconds;
        var txPerSecond = (double)settings.Blocks * workload.TxPerBlock / seconds;
        var blocksPerSecond = settings.Blocks / seconds;
        output.WriteLine(
            $"committed {settings.Blocks} blocks in {seconds.ToString("F2", CultureInfo.InvariantCulture)} s; block commit (after prepare) p50 {Format(Percentile(latencies, 0.50))} ms, " +
            $"max {Format(latencies[^1])} ms; gen0 GCs {GC.CollectionCount(0) - gcBefore}");
        output.WriteLine($"ledger: {txPerSecond.ToString("N0", CultureInfo.InvariantCulture)} tx/s, {Format(blocksPerSecond)} blocks/s, p99 block commit {Format(Percentile(latencies, 0.99))} ms");
    }

    private static async Task RunWithProgressAsync(ChannelLedger ledger, Settings settings, TextWriter output, CancellationToken cancellationToken)
    {
        output.WriteLine($"opened at height {ledger.Height}");
        output.Flush();
        for (var i = 0; i < settings.Blocks; i++)
        {
            var block = settings.Workload.CreateBlock(ledger.Height, ledger.Blocks.LastBlockHash);
            await CommitCheckedAsync(ledger, ChannelLedger.Prepare(block), cancellationToken).ConfigureAwait(false);
            output.WriteLine($"committed {block.Header.Number}");
            output.Flush();
        }
    }

    private static List<Block> Generate(LedgerWorkload workload, ulong first, ReadOnlyMemory<byte> previousHash, int count)
    {
        var blocks = new List<Block>(count);
        for (var i = 0; i < count; i++)
        {
            var block = workload.CreateBlock(first + (ulong)i, previousHash);
            previousHash = Ledger.Blocks.BlockHashing.HeaderHash(block.Header);
            blocks.Add(block);
        }

        return blocks;
    }

    /// <summary>Commits and insists every transaction was valid: the workload is built so they all are, so anything else is a bug.</summary>
    private static async Task CommitCheckedAsync(ChannelLedger ledger, PreparedBlock block, CancellationToken cancellationToken)
    {
        var result = await ledger.CommitAsync(block, verdicts: null, cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < result.Codes.Count; i++)
        {
            if (result.Codes[i] != TxValidationCode.Valid)
            {
                throw new CliException($"bench ledger: block {result.BlockNumber} transaction {i} came out {result.Codes[i]}: {result.Reasons[i]}");
            }
        }
    }

    private static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    private static string Format(double value) => value.ToString("F1", CultureInfo.InvariantCulture);
}
