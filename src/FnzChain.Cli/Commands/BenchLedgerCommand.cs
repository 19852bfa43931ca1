using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using FnzChain.Cli.Bench;
using FnzChain.Cli.Network;
using FnzChain.Ledger;
using FnzChain.Ledger.State.CouchDb;
using FnzChain.Ledger.Encryption;
using FnzChain.Ledger.Storage;
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
        var stateDb = new Option<string>("--state-db")
        {
            Description = "The public state database: rocksdb (embedded, the default) or couchdb (--couchdb's server, or a local pouchdb-server started for the run).",
            DefaultValueFactory = _ => "rocksdb",
        };
        stateDb.AcceptOnlyFromAmong("rocksdb", "couchdb");
        var couchDb = new Option<string?>("--couchdb") { Description = "With --state-db couchdb: a CouchDB server to use (http://user:pass@host:port); its databases for channel 'bench' are written." };
        var encrypt = new Option<bool>("--encrypt-at-rest")
        {
            Description = "Encrypt the ledger at rest (AES-256-GCM); the key-encryption key and keyring are kept in <ledger folder>-keys, beside the ledger.",
        };
        var command = new Command("ledger", "Commit synthetic blocks to a real ledger: tx/s, blocks/s and p99 block commit latency.");
        foreach (var option in new Option[] { blocks, txPerBlock, reads, writes, keys, valueBytes, durability, path, progress, stateDb, couchDb, encrypt })
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

            var onCouchDb = parse.GetValue(stateDb) == "couchdb";
            if (!onCouchDb && parse.GetValue(couchDb) is not null)
            {
                throw new CliException("bench ledger: --couchdb needs --state-db couchdb");
            }

            var settings = new Settings(workload, count, parse.GetValue(durability), parse.GetValue(progress), onCouchDb, parse.GetValue(couchDb), parse.GetValue(encrypt));
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
                if (Directory.Exists(KeysFolder(temp)))
                {
                    Directory.Delete(KeysFolder(temp), recursive: true);
                }
            }

            return 0;
        });
        return command;
    }

    private sealed record Settings(LedgerWorkload Workload, int Blocks, CommitDurability Durability, bool Progress, bool OnCouchDb, string? CouchDbAddress, bool EncryptAtRest);

    /// <summary>Where an encrypted bench ledger's key-encryption key and keyring live: beside the ledger folder, not in it.</summary>
    private static string KeysFolder(string ledgerFolder) => Path.TrimEndingDirectorySeparator(Path.GetFullPath(ledgerFolder)) + "-keys";

    private static async Task<AtRestCipher?> OpenCipherAsync(Settings settings, string folder, CancellationToken cancellationToken)
    {
        if (!settings.EncryptAtRest)
        {
            return null;
        }

        var keys = KeysFolder(folder);
        Directory.CreateDirectory(keys);
        var kek = Path.Combine(keys, "kek");
        if (!File.Exists(kek))
        {
            KeyEncryptionKeyFile.Generate(kek);
        }

        var keyring = await Keyring.OpenOrCreateAsync(Path.Combine(keys, Keyring.FileName), KeyEncryptionKeyFile.Load(kek), cancellationToken).ConfigureAwait(false);
        return await keyring.CreateCipherAsync(readOnly: false, cancellationToken).ConfigureAwait(false);
    }

    private static async Task RunAsync(Settings settings, string folder, TextWriter output, CancellationToken cancellationToken)
    {
        if (!settings.OnCouchDb)
        {
            await RunAsync(settings, folder, new LedgerOptions { Durability = settings.Durability }, serverPid: null, output, cancellationToken).ConfigureAwait(false);
            return;
        }

        // The ledger's folder name is the channel: its CouchDB databases are bench_<namespace>.
        var ledgerFolder = Path.Combine(folder, "bench");
        var (serverPid, address) = settings.CouchDbAddress is { } given
            ? ((int?)null, given)
            : await StartServerAsync(folder, output, cancellationToken).ConfigureAwait(false);
        try
        {
            using var provider = new CouchDbStateDatabaseProvider(CouchDbOptions.FromUrl(address));
            await RunAsync(settings, ledgerFolder, new LedgerOptions { Durability = settings.Durability, StateDatabase = provider }, serverPid, output, cancellationToken, provider).ConfigureAwait(false);
        }
        finally
        {
            if (serverPid is { } pid)
            {
                await NodeLauncher.StopAsync(pid).ConfigureAwait(false);
            }
        }
    }

    private static async Task<(int?, string)> StartServerAsync(string folder, TextWriter output, CancellationToken cancellationToken)
    {
        var script = await CouchDbServers.EnsureInstalledAsync(output, cancellationToken).ConfigureAwait(false);
        var (pid, address) = await CouchDbServers.StartAsync(script, folder, "bench", cancellationToken).ConfigureAwait(false);
        output.WriteLine($"CouchDB: a local pouchdb-server at {address} (pid {pid}), data in {CouchDbServers.DataFolder(folder, "bench")}");
        return (pid, address);
    }

    private static async Task RunAsync(Settings settings, string folder, LedgerOptions options, int? serverPid, TextWriter output, CancellationToken cancellationToken, CouchDbStateDatabaseProvider? couchDb = null)
    {
        var workload = settings.Workload;
        using var cipher = await OpenCipherAsync(settings, folder, cancellationToken).ConfigureAwait(false);
        using var ledger = await ChannelLedger.OpenAsync(folder, options with { Encryption = cipher }, cancellationToken).ConfigureAwait(false);
        if (settings.Progress)
        {
            await RunWithProgressAsync(ledger, settings, output, cancellationToken).ConfigureAwait(false);
            return;
        }

        output.WriteLine(
            $"ledger benchmark: {settings.Blocks} blocks x {workload.TxPerBlock} tx, {workload.Reads} reads + {workload.Writes} writes per tx, " +
            $"{workload.Keys} keys, {workload.ValueBytes}-byte values, durability {settings.Durability.ToString().ToLowerInvariant()}, state {(settings.OnCouchDb ? "couchdb" : "rocksdb")}, " +
            $"encryption at rest {(cipher is null ? "off" : "on")}, {Environment.ProcessorCount} cores");
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
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var serverCpuBefore = serverPid is { } before ? CpuTime(before) : TimeSpan.Zero;
        var requestsBefore = couchDb?.RequestsSent ?? 0;
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
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        var serverCpu = serverPid is { } after ? CpuTime(after) - serverCpuBefore : TimeSpan.Zero;
        var requests = (couchDb?.RequestsSent ?? 0) - requestsBefore;
        Array.Sort(latencies);
        var seconds = total.Elapsed.TotalSeconds;
        var txPerSecond = (double)settings.Blocks * workload.TxPerBlock / seconds;
        var blocksPerSecond = settings.Blocks / seconds;
        output.WriteLine(
            $"committed {settings.Blocks} blocks in {seconds.ToString("F2", CultureInfo.InvariantCulture)} s; block commit (after prepare) p50 {Format(Percentile(latencies, 0.50))} ms, " +
            $"max {Format(latencies[^1])} ms; gen0 GCs {GC.CollectionCount(0) - gcBefore}; process CPU {Format(cpu.TotalMicroseconds / ((double)settings.Blocks * workload.TxPerBlock))} us per tx");
        if (serverPid is not null)
        {
            output.WriteLine($"cpu: pouchdb-server {Format(serverCpu.TotalSeconds)} s ({Format(serverCpu.TotalMicroseconds / ((double)settings.Blocks * workload.TxPerBlock))} us per tx)");
        }

        if (couchDb is not null)
        {
            output.WriteLine($"couchdb: {Format((double)requests / settings.Blocks)} HTTP requests per block");
        }

        output.WriteLine($"ledger: {txPerSecond.ToString("N0", CultureInfo.InvariantCulture)} tx/s, {Format(blocksPerSecond)} blocks/s, p99 block commit {Format(Percentile(latencies, 0.99))} ms");
    }

    private static TimeSpan CpuTime(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return process.TotalProcessorTime;
        }
        catch (ArgumentException)
        {
            return TimeSpan.Zero;
        }
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
