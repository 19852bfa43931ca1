using System.Diagnostics;
using System.Net.Http.Json;
using FnzChain.Cli.Network;
using FnzChain.Client;
using FnzChain.Crypto.Keys;
using FnzChain.Identity.Channels;
using FnzChain.Identity.Msp;
using FnzChain.Ledger.Blocks;
using FnzChain.Protos.Common;
using FnzChain.Protos.Orderer;
using FnzChain.Protos.Peer;
using Google.Protobuf;
using Grpc.Net.Client;
using Status = FnzChain.Protos.Common.Status;

namespace FnzChain.KafkaTests;

/// <summary>
/// Three orderer processes on one Kafka-ordered channel (the mock cluster host, 3 brokers) and two peers, as
/// <c>network up --consenter kafka</c> lays them out, under a closed loop of clients submitting through both peers'
/// gateways. Each phase puts the network through a fault under load and then checks the same things: every
/// transaction the gateway acknowledged came back VALID (nothing acknowledged is lost); every orderer holds the same
/// blocks (headers, so data hashes and chain) and every peer the same, with each data hash matching its data; every
/// VALID transaction is VALID exactly once in every peer's ledger and present in every orderer's.
/// </summary>
/// <remarks>
/// The phases share one network and run in order; each checks the whole ledger so far. Broker faults are limited to
/// what the mock models faithfully (see <see cref="BrokerFaultTests"/>): the partition leader moves under load, and a
/// follower goes down and comes back; the leader itself is not taken down with produce requests in flight (the mock's
/// non-transactional idempotence would duplicate a record a real broker refuses).
/// </remarks>
[Category("Kafka")]
[NonParallelizable]
public sealed class KafkaFaultsUnderLoadTests
{
    private const int Workers = 12;
    private static readonly TimeSpan s_load = TimeSpan.FromSeconds(6);
    private TestKafka _kafka = null!;
    private string _folder = null!;
    private ConnectionInfo _info = null!;
    private readonly List<ClientIdentity> _identities = [];
    private readonly List<Gateway> _gateways = [];
    private SigningIdentityFiles _reader = null!;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };
    private int _acknowledgedSoFar;

    [OneTimeSetUp]
    public async Task SetUp()
    {
        if (TestKafka.External is not null)
        {
            Assert.Ignore("faults need the mock cluster host, and the channel topic is named after the channel (funds)");
        }

        _kafka = await TestKafka.StartAsync(brokers: 3);
        await _kafka.CreateTopicAsync(LocalNetwork.Channel, partitions: 1, replication: 3);
        _folder = Directory.CreateTempSubdirectory("fnzchain-kafka-faults-").FullName;
        _info = await LocalNetwork.UpAsync(_folder, TextWriter.Null, CancellationToken.None, ordering: new NetworkShape("kafka", 3, _kafka.Bootstrap));
        foreach (var organization in _info.Organizations)
        {
            var identity = ClientIdentity.FromMspFolder(organization.UserMsp, organization.MspId);
            _identities.Add(identity);
            // A peer that fell behind (failing over) may commit many blocks at once: count none as "lost" by block count.
            _gateways.Add(Gateway.Connect(organization.Peer, identity, new GatewayOptions { MaxCommitWaitBlocks = 100_000, Timeout = TimeSpan.FromMinutes(2) }));
        }

        _reader = SigningIdentityFiles.Load(_info.Organizations[0].UserMsp);
    }

    [OneTimeTearDown]
    public async Task TearDown()
    {
        foreach (var gateway in _gateways)
        {
            gateway.Dispose();
        }

        foreach (var identity in _identities)
        {
            identity.Dispose();
        }

        _reader?.Dispose();
        _http.Dispose();
        if (_info is not null)
        {
            if (TestContext.CurrentContext.Result.Outcome.Status == NUnit.Framework.Interfaces.TestStatus.Failed)
            {
                foreach (var log in Directory.EnumerateFiles(_folder, "*.log"))
                {
                    TestContext.Out.WriteLine($"--- {Path.GetFileName(log)}\n{string.Join('\n', File.ReadLines(log).TakeLast(40))}");
                }
            }

            await LocalNetwork.DownAsync(_folder);
        }

        if (_kafka is not null)
        {
            await _kafka.DisposeAsync();
        }

        if (_folder is not null)
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Test]
    [Order(1)]
    public async Task Steady_load_three_orderers_identical_and_every_acknowledged_transaction_valid_once()
    {
        var load = await RunLoadAsync("steady", async _ => await Task.CompletedTask);

        await CheckAsync(load);
    }

    [Test]
    [Order(2)]
    public async Task An_orderer_killed_under_load_and_restarted_resumes_from_its_last_offset_and_catches_up()
    {
        var victim = _info.Orderers[2];
        var load = await RunLoadAsync("kill-orderer3", async stop =>
        {
            await Task.Delay(TimeSpan.FromSeconds(2), stop);
            Kill(victim);
            await Task.Delay(TimeSpan.FromSeconds(2), stop);
            _info.Orderers[2] = await LocalNetwork.StartOrdererAsync(_folder, victim.Name, stop);
            await LocalNetwork.SaveAsync(_folder, _info, stop); // network down stops the new process
        });

        await CheckAsync(load); // includes the restarted orderer: it reached the others' height with the same blocks
    }

    [Test]
    [Order(3)]
    public async Task Killing_the_orderer_the_peers_deliver_from_makes_them_fail_over()
    {
        // Peers pull from the channel's first orderer until it fails (PeerChannel takes the endpoints in turn).
        var victim = _info.Orderers[0];
        var load = await RunLoadAsync("kill-orderer1", async stop =>
        {
            await Task.Delay(TimeSpan.FromSeconds(2), stop);
            Kill(victim);
        });

        await CheckAsync(load, skip: victim);
        foreach (var organization in _info.Organizations)
        {
            var log = await File.ReadAllTextAsync(LocalNetwork.PeerDataFolder(_folder, organization.Domain) + ".log");
            Assert.That(log, Does.Contain(victim.Address), $"{organization.Name}'s peer lost its Deliver stream from {victim.Address} and moved on");
        }

        _info.Orderers[0] = await LocalNetwork.StartOrdererAsync(_folder, victim.Name, CancellationToken.None);
        await LocalNetwork.SaveAsync(_folder, _info, CancellationToken.None); // network down stops the new process
        await CheckAsync(new LoadResult([], 0, []));
    }

    [Test]
    [Order(4)]
    public async Task The_partition_leader_moves_and_a_follower_broker_goes_down_and_up_under_load()
    {
        var load = await RunLoadAsync("brokers", async stop =>
        {
            await Task.Delay(TimeSpan.FromSeconds(1), stop);
            await Mock.CommandAsync($"leader {LocalNetwork.Channel} 0 2");
            await Task.Delay(TimeSpan.FromSeconds(1), stop);
            await Mock.CommandAsync("down 3");
            await Task.Delay(TimeSpan.FromSeconds(2), stop);
            await Mock.CommandAsync("up 3");
            await Task.Delay(TimeSpan.FromSeconds(1), stop);
            await Mock.CommandAsync($"leader {LocalNetwork.Channel} 0 1");
        });

        await CheckAsync(load);
    }

    [Test]
    [Order(5)]
    public async Task All_brokers_down_Broadcast_refuses_health_turns_red_nothing_acknowledged_is_lost_and_ordering_resumes()
    {
        var refusal = (Status)0;
        var refusalInfo = string.Empty;
        var red = new List<string>();
        var clientRefusal = string.Empty;
        var load = await RunLoadAsync("all-down", async stop =>
        {
            await Task.Delay(TimeSpan.FromSeconds(1), stop);
            await Mock.CommandAsync("down all");
            try
            {
                red.AddRange(await Task.WhenAll(_info.Orderers.Select(o => WaitUntilUnhealthyAsync(o, TimeSpan.FromSeconds(30)))));
                var asked = Stopwatch.StartNew();
                (refusal, refusalInfo) = await BroadcastJunkAsync(_info.Orderers[1]);
                TestContext.Out.WriteLine($"Broadcast answered {refusal} after {asked.ElapsedMilliseconds} ms: {refusalInfo}");

                // The closed loop's clients all wait for commits (their transactions are on the topic; no block can be cut
                // now), so a client submits beside them: the gateway tries every orderer and gives up with UNAVAILABLE.
                var submitted = Stopwatch.StartNew();
                try
                {
                    var (_, commit) = await _gateways[1].GetNetwork(LocalNetwork.Channel).GetContract(_info.Chaincode)
                        .SubmitAsyncReturningCommit("CreateFund", ["during-outage", "Outage", "1", "EUR"], null, CancellationToken.None);
                    clientRefusal = $"acknowledged (committed later: {await commit.WaitAsync(TimeSpan.FromMinutes(1), CancellationToken.None)})";
                }
                catch (GatewayException e)
                {
                    clientRefusal = $"{e.StatusCode} after {submitted.ElapsedMilliseconds} ms: {e.Message}";
                }
            }
            finally
            {
                await Mock.CommandAsync("up all");
            }
        }, atLeast: 1);

        Assert.Multiple(() =>
        {
            Assert.That(refusal, Is.EqualTo(Status.ServiceUnavailable), $"Broadcast while every broker is down: {refusal} {refusalInfo}");
            Assert.That(refusalInfo, Does.Contain("Kafka").IgnoreCase, "the refusal names the brokers");
            Assert.That(red, Has.All.Contain("channel funds"), "every orderer's /healthz named the channel");
            Assert.That(clientRefusal, Does.StartWith("Unavailable"), "a client's submission during the outage is refused, not acknowledged");
        });
        await CheckAsync(load);
        Assert.That(await ProgressAsync(), Is.GreaterThan(0), "ordering resumed after the brokers returned");
    }

    /// <summary>The mock host (owned and disposed by <see cref="_kafka"/>).</summary>
    private KafkaMockProcess Mock => _kafka.RequireMock();

    private sealed record LoadResult(IReadOnlyList<CommitStatus> Committed, int Acknowledged, IReadOnlyList<string> Failures);

    /// <summary>
    /// Runs the closed loop for <see cref="s_load"/> while <paramref name="fault"/> runs beside it, then waits for every
    /// acknowledged submission's commit. A commit that does not come back is a lost transaction: the check fails.
    /// </summary>
    private async Task<LoadResult> RunLoadAsync(string phase, Func<CancellationToken, Task> fault, int atLeast = 50)
    {
        using var stop = new CancellationTokenSource();
        var commits = new List<Task<CommitStatus>>();
        var failures = new List<string>();
        var workers = Enumerable.Range(0, Workers).Select(w => Task.Run(async () =>
        {
            var contract = _gateways[w % _gateways.Count].GetNetwork(LocalNetwork.Channel).GetContract(_info.Chaincode);
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                try
                {
                    var (_, commit) = await contract.SubmitAsyncReturningCommit("CreateFund", [$"{phase}-{w}-{n}", "Load fund", "100", "EUR"], null, CancellationToken.None);
                    lock (commits)
                    {
                        commits.Add(commit);
                    }

                    await commit; // closed loop: the next once this one is committed
                }
                catch (Exception e) when (e is GatewayException)
                {
                    lock (failures)
                    {
                        failures.Add(e.Message);
                    }

                    await Task.Delay(100, CancellationToken.None);
                }
                catch (Exception e) when (e is CommitException or TransactionNotCommittedException)
                {
                    // Checked below with every other commit.
                }
            }
        })).ToList();

        var faulting = fault(CancellationToken.None);
        await Task.Delay(s_load);
        await faulting; // a fault that outlasts the load window keeps the load running until it is over
        await stop.CancelAsync();
        await Task.WhenAll(workers);
        List<Task<CommitStatus>> acknowledged;
        lock (commits)
        {
            acknowledged = [.. commits];
        }

        var outcomes = new List<CommitStatus>();
        var lost = new List<string>();
        foreach (var commit in acknowledged)
        {
            try
            {
                outcomes.Add(await commit.WaitAsync(TimeSpan.FromMinutes(2)));
            }
            catch (Exception e) when (e is CommitException or TransactionNotCommittedException or TimeoutException or GatewayException)
            {
                lost.Add(e.Message);
            }
        }

        _acknowledgedSoFar += acknowledged.Count;
        TestContext.Out.WriteLine($"{phase}: {acknowledged.Count} acknowledged, {outcomes.Count(o => o.IsSuccessful)} valid, {failures.Count} refused submissions");
        Assert.Multiple(() =>
        {
            Assert.That(lost, Is.Empty, $"{phase}: acknowledged transactions whose commit never came back");
            Assert.That(outcomes.Where(o => !o.IsSuccessful).Select(o => $"{o.TransactionId} {o.Result}"), Is.Empty, $"{phase}: every acknowledged transaction is VALID");
            Assert.That(acknowledged, Has.Count.GreaterThanOrEqualTo(atLeast), $"{phase}: the load got through");
        });
        return new LoadResult(outcomes, acknowledged.Count, failures);
    }

    /// <summary>The checks every phase ends with (see the class summary); <paramref name="skip"/> is an orderer that is down.</summary>
    private async Task CheckAsync(LoadResult load, OrdererInfo? skip = null)
    {
        var orderers = _info.Orderers.Where(o => o != skip).ToList();
        var height = await ConvergedHeightAsync(orderers);
        var ordererChains = await Task.WhenAll(orderers.Select(o => ReadChainAsync(o.Address, height, fromPeer: false)));
        var peerChains = await Task.WhenAll(_info.Organizations.Select(o => ReadChainAsync(o.Peer, height, fromPeer: true)));
        var reference = ordererChains[0];
        Assert.Multiple(() =>
        {
            for (var i = 0; i < ordererChains.Length; i++)
            {
                Assert.That(ordererChains[i].Select(b => b.Header), Is.EqualTo(reference.Select(b => b.Header)), $"{orderers[i].Name} has the same block headers as {orderers[0].Name}");
                Assert.That(ordererChains[i].Select(b => b.Data), Is.EqualTo(reference.Select(b => b.Data)), $"{orderers[i].Name} has the same block data");
            }

            for (var i = 0; i < peerChains.Length; i++)
            {
                Assert.That(peerChains[i].Select(b => b.Header), Is.EqualTo(reference.Select(b => b.Header)), $"{_info.Organizations[i].Name}'s peer has the orderers' block headers");
            }

            for (var n = 0; n < reference.Count; n++)
            {
                var block = reference[n];
                Assert.That(block.Header.Number, Is.EqualTo((ulong)n));
                Assert.That(block.Header.DataHash.ToByteArray(), Is.EqualTo(BlockHashing.DataHash(block.Data)), $"block {n}'s data hash matches its data");
                if (n > 0)
                {
                    Assert.That(block.Header.PreviousHash.ToByteArray(), Is.EqualTo(BlockHashing.HeaderHash(reference[n - 1].Header)), $"block {n} chains to block {n - 1}");
                }
            }

            var inOrderers = reference.SelectMany(b => b.Data.Data).Select(TxId).ToHashSet();
            foreach (var (chain, organization) in peerChains.Zip(_info.Organizations))
            {
                var valid = chain.SelectMany(b => b.Data.Data.Select((d, i) => (TxId: TxId(d), Code: (TxValidationCode)Filter(b)[i])))
                    .Where(t => t.Code == TxValidationCode.Valid)
                    .GroupBy(t => t.TxId)
                    .ToDictionary(g => g.Key, g => g.Count());
                var missing = load.Committed.Where(c => !valid.ContainsKey(c.TransactionId)).Select(c => c.TransactionId).ToList();
                var twice = valid.Where(v => v.Value > 1).Select(v => v.Key).ToList();
                Assert.That(missing, Is.Empty, $"{organization.Name}'s peer: every VALID transaction is there, VALID");
                Assert.That(twice, Is.Empty, $"{organization.Name}'s peer: no transaction is VALID twice");
            }

            Assert.That(load.Committed.Where(c => !inOrderers.Contains(c.TransactionId)).Select(c => c.TransactionId), Is.Empty, "every VALID transaction is in the orderers' blocks");
        });
        TestContext.Out.WriteLine($"checked: {orderers.Count} orderers and {peerChains.Length} peers at height {height}, {_acknowledgedSoFar} acknowledged transactions so far");
    }

    /// <summary>Waits until every orderer (by its /healthz) and every peer has the same height, and returns it.</summary>
    private async Task<ulong> ConvergedHeightAsync(IReadOnlyList<OrdererInfo> orderers)
    {
        var deadline = Stopwatch.StartNew();
        var last = string.Empty;
        while (deadline.Elapsed < TimeSpan.FromSeconds(90))
        {
            var heights = await Task.WhenAll(orderers.Select(o => OrdererHeightAsync(o)).Concat(_info.Organizations.Select(o => PeerHeightAsync(o.Peer))));
            last = string.Join(", ", heights);
            if (heights.All(h => h is not null && h == heights[0]))
            {
                return heights[0]!.Value;
            }

            await Task.Delay(250);
        }

        Assert.Fail($"the orderers and peers did not reach one height within 90 s (orderers then peers: {last})");
        return 0;
    }

    private async Task<ulong?> OrdererHeightAsync(OrdererInfo orderer)
    {
        try
        {
            var report = await _http.GetFromJsonAsync<Node.Operations.HealthReport>($"http://{orderer.Operations}/healthz");
            return report?.Channels.Single(c => c.Channel == LocalNetwork.Channel).Height;
        }
        catch (HttpRequestException)
        {
            return null; // 503 while unhealthy, or not up yet
        }
    }

    private async Task<ulong?> PeerHeightAsync(string peer)
    {
        var newest = await ReadBlocksAsync(peer, new SeekPosition { Newest = new SeekNewest() }, new SeekPosition { Newest = new SeekNewest() }, fromPeer: true);
        return newest.Count == 1 ? newest[0].Header.Number + 1 : null;
    }

    private Task<List<Block>> ReadChainAsync(string address, ulong height, bool fromPeer) =>
        ReadBlocksAsync(address, new SeekPosition { Specified = new SeekSpecified { Number = 0 } }, new SeekPosition { Specified = new SeekSpecified { Number = height - 1 } }, fromPeer);

    private async Task<List<Block>> ReadBlocksAsync(string address, SeekPosition start, SeekPosition stop, bool fromPeer)
    {
        using var channel = FnzChain.Client.Connections.GrpcConnections.Open(address, _info.ClientTlsFor(_info.Organizations[0].UserMsp), maxReceiveMessageBytes: 256 * 1024 * 1024);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var seek = SignedEnvelope.Create(LocalNetwork.Channel, HeaderType.DeliverSeekInfo,
            new SeekInfo { Start = start, Stop = stop, Behavior = SeekInfo.Types.SeekBehavior.BlockUntilReady }.ToByteString(),
            MspRegistry.Serialize(_info.Organizations[0].MspId, _reader.Certificate), _reader.Signer);
        var blocks = new List<Block>();
        if (fromPeer)
        {
            using var call = new Protos.Peer.Deliver.DeliverClient(channel).Deliver(cancellationToken: timeout.Token);
            await call.RequestStream.WriteAsync(seek);
            while (await call.ResponseStream.MoveNext(timeout.Token) && call.ResponseStream.Current.Block is { } block)
            {
                blocks.Add(block);
            }
        }
        else
        {
            using var call = new AtomicBroadcast.AtomicBroadcastClient(channel).Deliver(cancellationToken: timeout.Token);
            await call.RequestStream.WriteAsync(seek);
            while (await call.ResponseStream.MoveNext(timeout.Token) && call.ResponseStream.Current.Block is { } block)
            {
                blocks.Add(block);
            }
        }

        return blocks;
    }

    /// <summary>Polls the orderer's /healthz until it answers 503; returns the failed checks it names.</summary>
    private async Task<string> WaitUntilUnhealthyAsync(OrdererInfo orderer, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < limit)
        {
            try
            {
                using var response = await _http.GetAsync($"http://{orderer.Operations}/healthz");
                if (response.StatusCode == System.Net.HttpStatusCode.ServiceUnavailable)
                {
                    return await response.Content.ReadAsStringAsync();
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(100);
        }

        return $"{orderer.Name} stayed healthy for {limit.TotalSeconds} s with every broker down";
    }

    /// <summary>
    /// Broadcasts an envelope an ordinary user signed (admitted by the orderer: a writer's; the peers would mark its
    /// empty transaction invalid) and returns the orderer's answer.
    /// </summary>
    private async Task<(Status Status, string Info)> BroadcastJunkAsync(OrdererInfo orderer)
    {
        var envelope = SignedEnvelope.Create(LocalNetwork.Channel, HeaderType.EndorserTransaction, ByteString.CopyFromUtf8("not a transaction"),
            MspRegistry.Serialize(_info.Organizations[0].MspId, _reader.Certificate), _reader.Signer);
        using var channel = FnzChain.Client.Connections.GrpcConnections.Open(orderer.Address, _info.ClientTlsFor(_info.Organizations[0].UserMsp));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var call = new AtomicBroadcast.AtomicBroadcastClient(channel).Broadcast(cancellationToken: timeout.Token);
        await call.RequestStream.WriteAsync(envelope);
        Assert.That(await call.ResponseStream.MoveNext(timeout.Token), Is.True, "the orderer answers");
        return (call.ResponseStream.Current.Status, call.ResponseStream.Current.Info);
    }

    /// <summary>Submits one transaction after the phase and returns its block number (ordering works again).</summary>
    private async Task<ulong> ProgressAsync()
    {
        var contract = _gateways[0].GetNetwork(LocalNetwork.Channel).GetContract(_info.Chaincode);
        var (_, commit) = await contract.SubmitAsyncReturningCommit("CreateFund", [$"after-{Guid.NewGuid():N}", "After", "1", "EUR"], null, CancellationToken.None);
        return (await commit).BlockNumber;
    }

    private static void Kill(OrdererInfo orderer)
    {
        using var process = Process.GetProcessById(orderer.Pid);
        process.Kill(); // SIGKILL: no shutdown, no flush
        process.WaitForExit();
    }

    private static string TxId(ByteString data) =>
        ChannelHeader.Parser.ParseFrom(Payload.Parser.ParseFrom(Envelope.Parser.ParseFrom(data).Payload).Header.ChannelHeader).TxId;

    private static byte[] Filter(Block block) => block.Metadata.Metadata[(int)BlockMetadataIndex.TransactionsFilter].ToByteArray();
}
