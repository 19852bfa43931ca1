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
        var workload = new Option<string>("--workload")
        {
            Description = "funds: CreateFund on the two-organisation sample network, AND endorsement (default); ta-orders: PlaceSubscription of the transfer-agency chaincode by two distributors on the three-organisation demo network, MAJORITY endorsement.",
            DefaultValueFactory = _ => "funds",
        };
        workload.AcceptOnlyFromAmong("funds", "ta-orders");
        var command = new Command("network", "Closed-loop load through the Gateway on a local network: tx/s, p50/p99 latency, CPU per process.");
        command.Options.Add(workload);
        command.Options.Add(clients);
        command.Options.Add(seconds);
        command.Options.Add(warmUp);
        var ordering = new NetworkShapeOptions();
        ordering.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var concurrency = parse.GetValue(clients);
            var duration = parse.GetValue(seconds);
            if (concurrency is < 1 or > 4096 || duration is <= 0 or > 3600)
            {
                throw new CliException("bench network: --clients must be 1..4096 and --seconds 0..3600");
            }

            await RunAsync(parse.GetValue(workload) == "ta-orders", ordering.Read(parse), concurrency, TimeSpan.FromSeconds(duration), TimeSpan.FromSeconds(parse.GetValue(warmUp)), parse.InvocationConfiguration.Output, cancellationToken).ConfigureAwait(false);
            return 0;
        });
        return command;
    }

    private static async Task RunAsync(bool transferAgency, NetworkShape ordering, int concurrency, TimeSpan duration, TimeSpan warmUp, TextWriter output, CancellationToken cancellationToken)
    {
        var folder = Directory.CreateTempSubdirectory("fnzchain-bench-network-").FullName;
        output.WriteLine($"network benchmark ({(transferAgency ? "ta-orders" : "funds")}, {DemoRunner.Describe(ordering)}{(ordering.Consenter == "kafka" && ordering.KafkaBrokers is null ? " (the local in-memory stand-in)" : string.Empty)}): {concurrency} clients in flight, {duration.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s measured after {warmUp.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s warm-up, {Environment.ProcessorCount} cores");
        ConnectionInfo? info = null;
        try
        {
            info = await LocalNetwork.UpAsync(folder, TextWriter.Null, cancellationToken, transferAgency ? TransferAgencyDemo.Layout : null, ordering: ordering).ConfigureAwait(false);
            // Load comes from each organisation's ordinary user (funds) or from the two distributors' order desks (ta-orders).
            var loaders = transferAgency
                ? info.Organizations.Skip(1).Select(o => (Organization: o, Msp: o.NamedUserMsp("orders"))).ToList()
                : info.Organizations.Select(o => (Organization: o, Msp: o.UserMsp)).ToList();
            var identities = loaders.Select(l => ClientIdentity.FromMspFolder(l.Msp, l.Organization.MspId)).ToList();
            // A peer that commits more slowly than the orderer cuts (CouchDB under this load) falls behind; the SDK's
            // default commit wait counts the peer's blocks and would call a transaction lost after 10 of them.
            var gateways = loaders.Select((l, i) => Gateway.Connect(l.Organization.Peer, identities[i], new GatewayOptions { MaxCommitWaitBlocks = 100_000, Timeout = TimeSpan.FromMinutes(2), Tls = info.ClientTlsFor(l.Msp) })).ToList();
            try
            {
                var contracts = gateways.Select(g => g.GetNetwork(LocalNetwork.Channel).GetContract(info.Chaincode)).ToList();
                Func<Client.Contract, int, int, Task> submit = (contract, w, n) =>
                    contract.SubmitAsync("CreateFund", [$"W{w}-{n}", "Bench fund", "100", "EUR"], null, CancellationToken.None);
                if (transferAgency)
                {
                    await SetUpTransferAgencyAsync(info, contracts, concurrency, cancellationToken).ConfigureAwait(false);
                    submit = (contract, w, n) => contract.SubmitAsync("PlaceSubscription", [$"O{w}-{n}", $"A{w}", "BENCH-A", "1000", "EUR"], null, CancellationToken.None);
                }

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
                                await submit(contract, w, n).ConfigureAwait(false);
                                if (Volatile.Read(ref measuring))
                                {
                                    latencies[w].Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                                }
                            }
                            catch (Exception e) when (e is GatewayException or CommitException or TransactionNotCommittedException)
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
                var pids = info.Orderers.Select(o => (o.Name, o.Pid))
                    .Concat(info.KafkaPid is { } kafka ? [("kafka stand-in", kafka)] : [])
                    .Concat(info.Organizations.Select(o => ($"peer {o.Name}", o.PeerPid)))
                    .Concat(info.Organizations.Where(o => o.CouchDbPid is not null).Select(o => ($"couchdb {o.Name}", o.CouchDbPid!.Value))).ToList();
                var cpuBefore = pids.ToDictionary(p => p.Item1, p => CpuTime(p.Item2));
                var ownCpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
                using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
                var blocksBefore = await OrdererBlocksAsync(http, info.Orderers[0].Operations).ConfigureAwait(false);
                var couchRequestsBefore = await CouchDbRequestsAsync(http, info.Organizations).ConfigureAwait(false);
                Volatile.Write(ref measuring, true);
                var clock = Stopwatch.StartNew();
                await Task.Delay(duration, cancellationToken).ConfigureAwait(false);
                Volatile.Write(ref measuring, false);
                var elapsed = clock.Elapsed.TotalSeconds;
                var cpuAfter = pids.ToDictionary(p => p.Item1, p => CpuTime(p.Item2));
                var ownCpu = Process.GetCurrentProcess().TotalProcessorTime - ownCpuBefore;
                var blocksAfter = await OrdererBlocksAsync(http, info.Orderers[0].Operations).ConfigureAwait(false);
                var couchRequestsAfter = await CouchDbRequestsAsync(http, info.Organizations).ConfigureAwait(false);
                await stop.CancelAsync().ConfigureAwait(false);
                await Task.WhenAll(workers).ConfigureAwait(false);

                var all = latencies.SelectMany(l => l).Order().ToArray();
                var failed = failures.Sum();
                foreach (var (name, _) in pids)
                {
                    output.WriteLine($"cpu {name}: {(cpuAfter[name] - cpuBefore[name]).TotalSeconds:F1} s ({100 * (cpuAfter[name] - cpuBefore[name]).TotalSeconds / elapsed:F0} % of one core)");
                }

                output.WriteLine($"cpu load clients (this process): {ownCpu.TotalSeconds:F1} s ({100 * ownCpu.TotalSeconds / elapsed:F0} % of one core)");
                var nodeCpu = pids.Where(p => p.Item1 != "kafka stand-in" && !p.Item1.StartsWith("couchdb ", StringComparison.Ordinal)).Sum(p => (cpuAfter[p.Item1] - cpuBefore[p.Item1]).TotalMilliseconds);
                var kafkaCpu = pids.Where(p => p.Item1 == "kafka stand-in").Sum(p => (cpuAfter[p.Item1] - cpuBefore[p.Item1]).TotalMilliseconds);
                var couchDbCpu = pids.Where(p => p.Item1.StartsWith("couchdb ", StringComparison.Ordinal)).Sum(p => (cpuAfter[p.Item1] - cpuBefore[p.Item1]).TotalMilliseconds);
                if (all.Length > 0)
                {
                    output.WriteLine($"server cpu per committed transaction: {nodeCpu / all.Length:F2} ms (orderers and peers)"
                        + (info.KafkaPid is null ? string.Empty : $", {(nodeCpu + kafkaCpu) / all.Length:F2} ms with the Kafka stand-in")
                        + (couchDbCpu == 0 ? string.Empty : $", {(nodeCpu + couchDbCpu) / all.Length:F2} ms with the CouchDB servers"));
                }

                if (blocksBefore is { } b0 && blocksAfter is { } b1 && b1.Blocks > b0.Blocks)
                {
                    output.WriteLine($"blocks cut while measured: {b1.Blocks - b0.Blocks:F0}, {(b1.Transactions - b0.Transactions) / (b1.Blocks - b0.Blocks):F1} transactions per block ({info.Orderers[0].Name})");
                }

                if (all.Length > 0)
                {
                    foreach (var (peer, after) in couchRequestsAfter)
                    {
                        var before = couchRequestsBefore.GetValueOrDefault(peer) ?? [];
                        var perTx = after.Select(a => (Operation: a.Key, Count: a.Value - before.GetValueOrDefault(a.Key))).Where(a => a.Count > 0).OrderByDescending(a => a.Count).ToList();
                        output.WriteLine($"couchdb requests per committed transaction, peer {peer}: {perTx.Sum(a => a.Count) / all.Length:F2}"
                            + (perTx.Count == 0 ? string.Empty : $" ({string.Join(", ", perTx.Select(a => $"{a.Operation} {a.Count / all.Length:F2}"))})"));
                    }
                }

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

    /// <summary>ta-orders: roles, a fund and class, and one KYC-approved account per client, alternating between the two distributors.</summary>
    private static async Task SetUpTransferAgencyAsync(ConnectionInfo info, IReadOnlyList<Client.Contract> distributors, int accounts, CancellationToken cancellationToken)
    {
        var ta = info.Organizations[0];
        using var identity = ClientIdentity.FromMspFolder(ta.NamedUserMsp("operator"), ta.MspId);
        using var gateway = Gateway.Connect(ta.Peer, identity, new GatewayOptions { Tls = info.ClientTlsFor(ta.NamedUserMsp("operator")) });
        var operatorTa = gateway.GetNetwork(LocalNetwork.Channel).GetContract(info.Chaincode);
        await operatorTa.SubmitAsync("ConfigureRoles", [TransferAgencyDemo.RoleConfiguration], null, cancellationToken).ConfigureAwait(false);
        await operatorTa.SubmitAsync("CreateFund", ["BENCH", "Benchmark Fund", "[]"], null, cancellationToken).ConfigureAwait(false);
        await operatorTa.SubmitAsync("CreateShareClass",
            ["""{"classId":"BENCH-A","fundId":"BENCH","isin":"IE00B4L5Y983","currency":"EUR","cutOff":"23:59:00","settlementDays":2,"minimumSubscription":100,"unitDecimals":3}"""],
            null, cancellationToken).ConfigureAwait(false);
        var personal = new Dictionary<string, byte[]> { ["personal"] = System.Text.Encoding.UTF8.GetBytes("""{"name":"Bench Investor","address":"1 Test Street","dateOfBirth":"1980-01-01","taxId":"X","bankAccount":"Y"}""") };
        using var gate = new SemaphoreSlim(32);
        await Task.WhenAll(Enumerable.Range(0, accounts).Select(async w =>
        {
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                var distributor = w % distributors.Count;
                // Peers commit on their own clocks: the TA acts on an account once its own peer has it, and orders
                // start once the distributor's peer has the approval.
                var (_, opened) = await distributors[distributor].SubmitAsyncReturningCommit("OpenAccount", [$"A{w}", $"Dist{distributor + 1}MSP", "payout"], personal, cancellationToken).ConfigureAwait(false);
                await operatorTa.Network.GetCommitStatusAsync((await opened.ConfigureAwait(false)).TransactionId, cancellationToken).ConfigureAwait(false);
                var (_, approved) = await operatorTa.SubmitAsyncReturningCommit("SetKycStatus", [$"A{w}", "approved"], null, cancellationToken).ConfigureAwait(false);
                await distributors[distributor].Network.GetCommitStatusAsync((await approved.ConfigureAwait(false)).TransactionId, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                gate.Release();
            }
        })).ConfigureAwait(false);
    }

    /// <summary>Blocks and transactions the orderer has written (its <c>/metrics</c> counters), or null when it has no operations endpoint or does not answer.</summary>
    private static async Task<(double Blocks, double Transactions)?> OrdererBlocksAsync(HttpClient http, string? operations)
    {
        if (operations is null)
        {
            return null;
        }

        try
        {
            var text = await http.GetStringAsync(new Uri($"http://{operations}/metrics")).ConfigureAwait(false);
            return (Counter(text, "fnzchain_orderer_blocks_total"), Counter(text, "fnzchain_orderer_transactions_total"));
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return null;
        }

        static double Counter(string text, string name) => text.Split('\n')
            .Where(line => line.StartsWith(name, StringComparison.Ordinal))
            .Sum(line => double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// For each peer on CouchDB, the requests it has sent its server so far by operation (its <c>/metrics</c>: the count
    /// of the request-duration histogram); peers without an operations endpoint, or that do not answer, are left out.
    /// </summary>
    private static async Task<Dictionary<string, Dictionary<string, double>>> CouchDbRequestsAsync(HttpClient http, IEnumerable<OrganizationInfo> organizations)
    {
        const string Name = "fnzchain_couchdb_request_duration_count{";
        var requests = new Dictionary<string, Dictionary<string, double>>(StringComparer.Ordinal);
        foreach (var organization in organizations.Where(o => o.CouchDb is not null && o.Operations is not null))
        {
            try
            {
                var text = await http.GetStringAsync(new Uri($"http://{organization.Operations}/metrics")).ConfigureAwait(false);
                var byOperation = new Dictionary<string, double>(StringComparer.Ordinal);
                foreach (var line in text.Split('\n').Where(l => l.StartsWith(Name, StringComparison.Ordinal)))
                {
                    var operation = System.Text.RegularExpressions.Regex.Match(line, "operation=\"([^\"]*)\"").Groups[1].Value;
                    byOperation[operation] = byOperation.GetValueOrDefault(operation) + double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
                }

                requests[organization.Name] = byOperation;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // no figure for this peer
            }
        }

        return requests;
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
