using System.Text;
using FnzChain.Cli.Network;
using FnzChain.Ledger;
using FnzChain.Ledger.State;
using FnzChain.Ledger.State.CouchDb;
using FnzChain.Ledger.Verification;
using FnzChain.Protos.Common;
using FnzChain.Protos.Orderer;
using Status = FnzChain.Protos.Common.Status;

namespace FnzChain.IntegrationTests.Peer;

/// <summary>
/// A peer whose public state is in CouchDB (a real pouchdb-server) is SIGKILLed while it commits a stream of blocks,
/// and restarted: it replays what its CouchDB state missed from its block files and catches up. Its state then
/// equals — key for key, value for value, version for version — that of a peer on RocksDB that validated the same
/// blocks, and both ledgers verify.
/// </summary>
[Category("CouchDb")]
[Category("Integration")]
public sealed class CouchDbPeerCrashTests
{
    private const int Rounds = 30;
    private const int PerRound = 12;
    private const int Keys = 50;

    [Test]
    public async Task A_couchdb_peer_killed_during_commits_recovers_to_the_state_of_a_rocksdb_peer()
    {
        await using var mixed = await MixedNetwork.StartAsync();
        var (network, orderer, client, org1Peer, org2Peer, couchDb) = (mixed.Network, mixed.Orderer, mixed.Client, mixed.Org1Peer, mixed.Org2Peer, mixed.CouchDb);
        var (onCouchDb, onRocksDb, reader) = (mixed.OnCouchDb, mixed.OnRocksDb, mixed.Reader);
        {

            // Rounds of blind writes to a few keys each: keys are rewritten many times, so versions differ everywhere.
            var sending = Task.Run(async () =>
            {
                for (var round = 0; round < Rounds; round++)
                {
                    await BroadcastAsync(orderer, [.. Enumerable.Range(0, PerRound).Select(i =>
                    {
                        var n = (round * PerRound) + i;
                        return EndorsedTransactions.Create(client, "funds",
                            [($"K{n % Keys:D2}", $$"""{"round":{{round}},"tx":{{n}},"note":"value {{n}}"}"""), ($"K{(n * 7) % Keys:D2}", $"plain {n}")], [org1Peer, org2Peer]);
                    })]);
                    await Task.Delay(30);
                }
            });

            await reader.WaitForBlockAsync(onCouchDb, 6);
            await onCouchDb.KillAsync();
            TestContext.Out.WriteLine("killed the CouchDB peer after block 6");
            await Task.Delay(700); // blocks go on being cut while it is down
            onCouchDb = await network.StartPeerAsync("org1.example.com", "Org1MSP", orderer, couchDb: couchDb);
            await sending;

            var marker = EndorsedTransactions.Create(client, "funds", [("marker", "last")], [org1Peer, org2Peer]);
            await BroadcastAsync(orderer, [marker]);
            var markerId = ChannelHeader.Parser.ParseFrom(Payload.Parser.ParseFrom(marker.Payload).Header.ChannelHeader).TxId;
            foreach (var peer in new[] { onCouchDb, onRocksDb })
            {
                var codes = await reader.WaitForCommitAsync(peer, markerId);
                Assert.That(codes[markerId], Is.EqualTo(Protos.Peer.TxValidationCode.Valid));
            }

            TestContext.Out.WriteLine(string.Join('\n', onCouchDb.Output.Split('\n').Where(l => l.Contains("Ledger", StringComparison.Ordinal) || l.Contains("replay", StringComparison.OrdinalIgnoreCase))));
            await onCouchDb.StopAsync();
            await onRocksDb.StopAsync();

            var couchFolder = Path.Combine(network.PeerDataPath("org1.example.com"), "channels", TestNetwork.Channel);
            var rocksFolder = Path.Combine(network.PeerDataPath("org2.example.com"), "channels", TestNetwork.Channel);
            using var provider = new CouchDbStateDatabaseProvider(new CouchDbOptions { Address = couchDb });
            List<(string Key, string Value, Ledger.State.Version Version)> couchState, rocksState;
            ulong couchHeight, rocksHeight;
            using (var ledger = await ChannelLedger.OpenAsync(couchFolder, new LedgerOptions { StateDatabase = provider }))
            {
                (couchState, couchHeight) = (await StateAsync(ledger), ledger.Height);
            }

            using (var ledger = await ChannelLedger.OpenAsync(rocksFolder))
            {
                (rocksState, rocksHeight) = (await StateAsync(ledger), ledger.Height);
            }

            Assert.That(couchHeight, Is.EqualTo(rocksHeight));
            Assert.That(couchState, Has.Count.EqualTo(Keys + 1), "every key written, and the marker");
            Assert.That(couchState, Is.EqualTo(rocksState), "same keys, values and versions on both peers");
            Assert.That(LedgerVerifier.Verify(couchFolder).IsIntact, Is.True);
            Assert.That(LedgerVerifier.Verify(rocksFolder).IsIntact, Is.True);
        }
    }

    /// <summary>
    /// A signed, endorsed transaction whose value is over the limit every peer applies (a client can build one without
    /// an endorser's help) must not stall a CouchDB peer whose server would refuse the document: it is committed
    /// BAD_RWSET on the CouchDB peer and the RocksDB peer alike, and a value exactly at the limit — stored as base64, the
    /// largest document the limit allows — commits on both.
    /// </summary>
    [Test]
    public async Task A_value_over_the_limit_commits_invalid_on_a_couchdb_and_a_rocksdb_peer_alike_and_one_at_the_limit_commits()
    {
        await using var mixed = await MixedNetwork.StartAsync(absoluteMaxBytes: 10 * 1024 * 1024);
        var (network, client, org1Peer, org2Peer, couchDb) = (mixed.Network, mixed.Client, mixed.Org1Peer, mixed.Org2Peer, mixed.CouchDb);
        var (orderer, onCouchDb, onRocksDb, reader) = (mixed.Orderer, mixed.OnCouchDb, mixed.OnRocksDb, mixed.Reader);
        {

            var atLimit = new string('x', StateLimits.MaxValueBytes);
            var over = EndorsedTransactions.Create(client, "funds", [("over", atLimit + "x")], [org1Peer, org2Peer]);
            var fits = EndorsedTransactions.Create(client, "funds", [("fits", atLimit)], [org1Peer, org2Peer]);
            var after = EndorsedTransactions.Create(client, "funds", [("after", "next")], [org1Peer, org2Peer]);
            await BroadcastAsync(orderer, [over]);
            await BroadcastAsync(orderer, [fits]);
            await BroadcastAsync(orderer, [after]);

            foreach (var (peer, name) in new[] { (onCouchDb, "CouchDB peer"), (onRocksDb, "RocksDB peer") })
            {
                var codes = await reader.WaitForCommitAsync(peer, TxId(over), TxId(fits), TxId(after));
                Assert.Multiple(() =>
                {
                    Assert.That(codes[TxId(over)], Is.EqualTo(Protos.Peer.TxValidationCode.BadRwset), $"{name}: the value over the limit");
                    Assert.That(codes[TxId(fits)], Is.EqualTo(Protos.Peer.TxValidationCode.Valid), $"{name}: the value at the limit");
                    Assert.That(codes[TxId(after)], Is.EqualTo(Protos.Peer.TxValidationCode.Valid), $"{name}: the transaction after them");
                });
            }

            await onCouchDb.StopAsync();
            await onRocksDb.StopAsync();
            using var provider = new CouchDbStateDatabaseProvider(new CouchDbOptions { Address = couchDb });
            using var ledger = await ChannelLedger.OpenAsync(Path.Combine(network.PeerDataPath("org1.example.com"), "channels", TestNetwork.Channel), new LedgerOptions { StateDatabase = provider });
            Assert.That(Encoding.UTF8.GetString((await ledger.State.GetStateAsync("funds", "fits"))!.Value.Span), Is.EqualTo(atLimit), "the value at the limit, read back from CouchDB");
            Assert.That(await ledger.State.GetStateAsync("funds", "over"), Is.Null);
        }
    }

    private static string TxId(Envelope envelope) =>
        ChannelHeader.Parser.ParseFrom(Payload.Parser.ParseFrom(envelope.Payload).Header.ChannelHeader).TxId;

    private static async Task<List<(string Key, string Value, Ledger.State.Version Version)>> StateAsync(ChannelLedger ledger)
    {
        var page = await ledger.State.GetStateRangeAsync("funds", string.Empty, string.Empty, 10_000);
        Assert.That(page.HasMore, Is.False);
        return [.. page.Results.Select(r => (r.Key, Encoding.UTF8.GetString(r.Value.Value.Span), r.Value.Version))];
    }

    private static Envelope Definition(TestNetwork network, Signer client, Signer org1Peer, Signer org2Peer)
    {
        using var admin1 = network.As("org1.example.com", "users/Admin@org1.example.com", "Org1MSP");
        using var admin2 = network.As("org2.example.com", "users/Admin@org2.example.com", "Org2MSP");
        const string policy = "AND('Org1MSP.peer','Org2MSP.peer')";
        var definition = new Protos.Lifecycle.ChaincodeDefinition
        {
            Name = "funds",
            Version = "1.0",
            Sequence = 1,
            EndorsementPolicy = new Protos.Peer.ApplicationPolicy { SignaturePolicy = Identity.Policies.PolicyDsl.Parse(policy) },
            EndorsementPolicySource = policy,
        };
        return EndorsedTransactions.Define(client, definition, [admin1, admin2], [org1Peer, org2Peer]);
    }

    private static async Task BroadcastAsync(NodeProcess orderer, IReadOnlyList<Envelope> envelopes)
    {
        using var channel = TestNetwork.Connect(orderer);
        using var call = new AtomicBroadcast.AtomicBroadcastClient(channel).Broadcast();
        foreach (var envelope in envelopes)
        {
            await call.RequestStream.WriteAsync(envelope);
        }

        await call.RequestStream.CompleteAsync();
        for (var i = 0; i < envelopes.Count; i++)
        {
            Assert.That(await call.ResponseStream.MoveNext(CancellationToken.None), Is.True);
            Assert.That(call.ResponseStream.Current.Status, Is.EqualTo(Status.Success), call.ResponseStream.Current.Info);
        }
    }

    /// <summary>
    /// An orderer with the funds chaincode defined, and two peers of one channel: Org1's on CouchDB (its own
    /// pouchdb-server) and Org2's on RocksDB. Disposing stops the CouchDB server and the network.
    /// </summary>
    private sealed class MixedNetwork : IAsyncDisposable
    {
        private int _serverPid;

        public TestNetwork Network { get; private init; } = null!;

        public NodeProcess Orderer { get; private set; } = null!;

        public Signer Client { get; private init; } = null!;

        public Signer Org1Peer { get; private init; } = null!;

        public Signer Org2Peer { get; private init; } = null!;

        public string CouchDb { get; private set; } = string.Empty;

        public NodeProcess OnCouchDb { get; private set; } = null!;

        public NodeProcess OnRocksDb { get; private set; } = null!;

        public TestClient Reader { get; private init; } = null!;

        public static async Task<MixedNetwork> StartAsync(uint absoluteMaxBytes = 256 * 1024)
        {
            var network = await TestNetwork.CreateAsync(maxMessageCount: 10, batchTimeout: "100ms", absoluteMaxBytes: absoluteMaxBytes);
            var client = network.Org1Client();
            var mixed = new MixedNetwork
            {
                Network = network,
                Client = client,
                Org1Peer = network.Org1Peer(),
                Org2Peer = network.As("org2.example.com", "peers/peer0.org2.example.com", "Org2MSP"),
                Reader = new TestClient(client),
            };
            try
            {
                mixed.Orderer = await network.StartOrdererAsync();
                await network.JoinOrdererAsync(mixed.Orderer);
                await BroadcastAsync(mixed.Orderer, [Definition(network, client, mixed.Org1Peer, mixed.Org2Peer)]);
                var script = await CouchDbServers.EnsureInstalledAsync(TextWriter.Null, CancellationToken.None);
                (mixed._serverPid, mixed.CouchDb) = await CouchDbServers.StartAsync(script, network.Folder, "peer0.org1.example.com", CancellationToken.None);
                mixed.OnCouchDb = await network.StartPeerAsync("org1.example.com", "Org1MSP", mixed.Orderer, couchDb: mixed.CouchDb);
                await network.JoinPeerAsync(mixed.OnCouchDb, "org1.example.com", "Org1MSP");
                mixed.OnRocksDb = await network.StartPeerAsync("org2.example.com", "Org2MSP", mixed.Orderer);
                await network.JoinPeerAsync(mixed.OnRocksDb, "org2.example.com", "Org2MSP");
                return mixed;
            }
            catch
            {
                await mixed.DisposeAsync();
                throw;
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (_serverPid != 0)
            {
                await NodeLauncher.StopAsync(_serverPid);
            }

            Client.Dispose();
            Org1Peer.Dispose();
            Org2Peer.Dispose();
            await Network.DisposeAsync();
        }
    }
}
