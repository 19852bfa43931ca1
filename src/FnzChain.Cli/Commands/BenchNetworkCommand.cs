using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using FnzChain.Cli.Network;
using FnzChain.Client;

namespace FnzChain.Cli.Commands;

/// <summary>
/// <c>fnzchain bench network</c>: starts a local network (as <c>network up</c>, synced durability), then runs a closed
/// loop of C concurrent clients, each submitting through its organisation's Gateway (endorsed by both
/// organisations, ordered, committed) and waiting for the commit before the next, for a duration. Prints
/// throughput, latency percentiles, outcomes and the CPU time of every node process.
/// </summary>
internal static class BenchNetworkCommand
{
    public static Command Create()
    {
        var clients = new Option<int>("--clients") { Description = "Transactions in flight (concurrent closed-loop clients), default 16.", DefaultValueFactory = _ => 16 };
        var seconds = new Option<double>("--seconds") { Description = "Measured duration, default 20.", DefaultValueFactory = _ => 20 };
        var warmUp = new Option<double>("--warm-up") { Description = "Seconds of load before measuring (lets the JIT settle), default 10.", DefaultValueFactory = _ => 10 };
        var command = new Command("network", "Closed-loop load through the Gateway on a local two-organisation network: tx/s, p50/p99 latency, CPU per process.");
        command.Options.Add(clients);
        command.Options.Add(seconds);
        command.Options.Add(warmUp);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var concurrency = parse.GetValue(clients);
            var duration = parse.GetValue(seconds);
            if (concurrency is < 1 or > 4096 || duration is <= 0 or > 3600)
            {
                throw new CliException("bench network: --clients must be 1..4096 and --seconds 0..3600");
            }

            await RunAsync(concurrency, TimeSpan.FromSeconds(duration), TimeSpan.FromSeconds(parse.GetValue(warmUp)), parse.InvocationConfiguration.Output, cancellationToken).ConfigureAwait(false);
            return 0;
        });
        return command;
    }

    private static async Task RunAsync(int concurrency, TimeSpan duration, TimeSpan warmUp, TextWriter output, CancellationToken cancellationToken)
    {
        var folder = Directory.CreateTempSubdirectory("fnzchain-bench-network-").FullName;
        output.WriteLine($"network benchmark: {concurrency} clients in flight, {duration.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s measured after {warmUp.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s warm-up, {Environment.ProcessorCount} cores");
        ConnectionInfo? info = null;
        try
        {
            info = await LocalNetwork.UpAsync(folder, TextWriter.Null, cancellationToken).ConfigureAwait(false);
            var identities = info.Organizations.Select(o => ClientIdentity.FromMspFolder(o.UserMsp, o.MspId)).ToList();
            var gateways = info.Organizations.Select((o, i) => Gateway.Connect(o.Peer, identities[i])).ToList();
            try
            {
                var contracts = gateways.Select(g => g.GetNetwork(LocalNetwork.Channel).GetContract(info.Chaincode)).ToList();
                var latencies = new List<double>[concurrency];
                var failures = new int[concurrency];
                var measuring = false;
                using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                var workers = Enumerable.Range(0, concurrency).Select(w => Task.Run(
                    async () =>
                    {
                        latencies[w] = [];
                        var contract = contracts[w % contracts.Count];
                        for (var n = 0; !stop.IsCancellationRequested; n++)
                        {
                            var started = Stopwatch.GetTimestamp();
                            try
                            {
                                await contract.SubmitAsync("CreateFund", [$"W{w}-{n}", "Bench fund", "100", "EUR"], null, CancellationToken.None).ConfigureAwait(false);
                                if (Volatile.Read(ref measuring))
                                {
                                    latencies[w].Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                                }
                            }
                            catch (Exception e) when (e is GatewayException or CommitException)
                            {
                                if (Volatile.Read(ref measuring))
                                {
                                    failures[w]++;
                                }
                            }
                        }
                    },
                    CancellationToken.None)).ToArray();

                await Task.Delay(warmUp, cancellationToken).ConfigureAwait(false);
                var pids = new[] { ("orderer", info.OrdererPid) }.Concat(info.Organizations.Select(o => ($"peer {o.Name}", o.PeerPid))).ToList();
                var cpuBefore = pids.ToDictionary(p => p.Item1, p => CpuTime(p.Item2));
                var ownCpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
                Volatile.Write(ref measuring, true);
                var clock = Stopwatch.StartNew();
                await Task.Delay(duration, cancellationToken).ConfigureAwait(false);
                Volatile.Write(ref measuring, false);
                var elapsed = clock.Elapsed.TotalSeconds;
                var cpuAfter = pids.ToDictionary(p => p.Item1, p => CpuTime(p.Item2));
                var ownCpu = Process.GetCurrentProcess().TotalProcessorTime - ownCpuBefore;
                await stop.CancelAsync().ConfigureAwait(false);
                await Task.WhenAll(workers).ConfigureAwait(false);

                var all = latencies.SelectMany(l => l).Order().ToArray();
                var failed = failures.Sum();
                foreach (var (name, _) in pids)
                {
                    output.WriteLine($"cpu {name}: {(cpuAfter[name] - cpuBefore[name]).TotalSeconds:F1} s ({100 * (cpuAfter[name] - cpuBefore[name]).TotalSeconds / elapsed:F0} % of one core)");
                }

                output.WriteLine($"cpu load clients (this process): {ownCpu.TotalSeconds:F1} s ({100 * ownCpu.TotalSeconds / elapsed:F0} % of one core)");
                output.WriteLine(
                    $"network: {(all.Length / elapsed).ToString("N0", CultureInfo.InvariantCulture)} tx/s, p50 {Percentile(all, 0.50):F0} ms, p99 {Percentile(all, 0.99):F0} ms, {all.Length} committed, {failed} failed");
            }
            finally
            {
                foreach (var gateway in gateways)
                {
                    gateway.Dispose();
                }

                foreach (var identity in identities)
                {
                    identity.Dispose();
                }
            }
        }
        finally
        {
            if (info is not null)
            {
                await LocalNetwork.DownAsync(folder).ConfigureAwait(false);
            }

            Directory.Delete(folder, recursive: true);
        }
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

    private static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
}
