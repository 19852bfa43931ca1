using System.Text.Json;
using FnzChain.IntegrationTests;
using FnzChain.Protos.Common;
using Grpc.Net.Client;

namespace FnzChain.HostileInputTests.Network;

/// <summary>
/// The network the hostile suites attack: an orderer and one peer each of Org1 and Org2 (real processes on loopback,
/// each with a small receive limit so oversized messages stay cheap), the sample fund contract defined with
/// AND(Org1.peer, Org2.peer), and one committed transaction whose id replayed requests can ask about.
/// Org1's peer keeps its public state in a CouchDB (a local pouchdb-server started for the suite, decision 0018) and
/// Org2's in RocksDB, so every case attacks both state databases; <c>FNZCHAIN_HOSTILE_STATE_DB=rocksdb</c> puts both on RocksDB.
/// </summary>
internal sealed class HostileNetwork : IAsyncDisposable
{
    /// <summary>Every node's <c>maxMessageBytes</c>: the receive limit the oversized cases straddle.</summary>
    public const int ReceiveLimit = 2 * 1024 * 1024;

    private readonly List<GrpcChannel> _channels = [];
    private int _couchDbPid;

    private HostileNetwork(TestNetwork network) => Network = network;

    public TestNetwork Network { get; }

    public NodeProcess Orderer { get; private set; } = null!;

    public NodeProcess Peer1 { get; private set; } = null!;

    public NodeProcess Peer2 { get; private set; } = null!;

    public Signer Client { get; private set; } = null!;

    /// <summary>Another organisation's client: its key signs the "wrongly signed" cases.</summary>
    public Signer Stranger { get; private set; } = null!;

    public Signer Org1Admin { get; private set; } = null!;

    public Signer OrdererAdmin { get; private set; } = null!;

    /// <summary>Org2's peer identity: the sender of private data messages to Org1's peer.</summary>
    public Signer Org2Peer { get; private set; } = null!;

    public Signer Org1Peer { get; private set; } = null!;

    /// <summary>A transaction committed VALID during set-up.</summary>
    public string CommittedTxId { get; private set; } = string.Empty;

    public byte[] FundsPackage { get; private set; } = [];

    /// <summary>Org1's peer's CouchDB address, or null when the suite runs with <c>FNZCHAIN_HOSTILE_STATE_DB=rocksdb</c>.</summary>
    public string? CouchDb { get; private set; }

    public static async Task<HostileNetwork> StartAsync()
    {
        var (port1, port2) = (TestNetwork.FreePort(), TestNetwork.FreePort());
        var network = new HostileNetwork(await TestNetwork.CreateAsync(maxMessageCount: 10, batchTimeout: "200ms", org1AnchorPort: port1, org2AnchorPort: port2));
        try
        {
            await network.StartNodesAsync(port1, port2);
            return network;
        }
        catch
        {
            TestContext.Progress.WriteLine($"--- network set-up failed\n--- orderer\n{network.Orderer?.Output}\n--- peer1\n{network.Peer1?.Output}\n--- peer2\n{network.Peer2?.Output}");
            await network.DisposeAsync();
            throw;
        }
    }

    private async Task StartNodesAsync(int port1, int port2)
    {
        var net = Network;
        await WriteConfigAsync("orderer.json", new
        {
            listenAddress = "127.0.0.1:0",
            operationsAddress = "127.0.0.1:0",
            mspId = "OrdererMSP",
            mspPath = net.IdentityMsp("example.com", "orderers/orderer.example.com"),
            dataPath = Path.Combine(net.Folder, "orderer-data"),
            durability = "buffered",
            maxMessageBytes = ReceiveLimit,
            tls = FnzChain.Cli.Network.LocalNetwork.TlsSection(Path.GetDirectoryName(net.IdentityMsp("example.com", "orderers/orderer.example.com"))!, net.Security),
            authenticationThrottle = ThrottleOff,
        });
        Orderer = await net.StartOrdererAsync();
        await net.JoinOrdererAsync(Orderer);
        if (!string.Equals(Environment.GetEnvironmentVariable("FNZCHAIN_HOSTILE_STATE_DB"), "rocksdb", StringComparison.OrdinalIgnoreCase))
        {
            var script = await FnzChain.Cli.Network.CouchDbServers.EnsureInstalledAsync(TextWriter.Null, CancellationToken.None);
            (_couchDbPid, var address) = await FnzChain.Cli.Network.CouchDbServers.StartAsync(script, net.Folder, "peer0.org1.example.com", CancellationToken.None);
            CouchDb = address;
            TestContext.Progress.WriteLine($"hostile suite: Org1's peer keeps its state in CouchDB at {address}");
        }

        Peer1 = await StartPeerAsync("org1.example.com", "Org1MSP", port1, Orderer.Address, CouchDb);
        Peer2 = await StartPeerAsync("org2.example.com", "Org2MSP", port2, Orderer.Address);
        await net.JoinPeerAsync(Peer1, "org1.example.com", "Org1MSP");
        await net.JoinPeerAsync(Peer2, "org2.example.com", "Org2MSP");

        var packageId = await net.InstallFundsAsync((Peer1, "org1.example.com", "Org1MSP"), (Peer2, "org2.example.com", "Org2MSP"));
        FundsPackage = await File.ReadAllBytesAsync(Path.Combine(net.Folder, "funds.zip"));
        var define = await net.RunCliAsync(
            "chaincode", "define", "--peer", Peer1.Address, "--channel", TestNetwork.Channel, "--name", "funds", "--package-id", packageId,
            "--policy", "AND('Org1MSP.peer','Org2MSP.peer')",
            "--signer", net.AdminSigner("Org1MSP", "org1.example.com"), "--signer", net.AdminSigner("Org2MSP", "org2.example.com"));
        Assert.That(define.ExitCode, Is.Zero, define.Error);

        Client = net.Org1Client();
        Stranger = net.As("org2.example.com", "users/User1@org2.example.com", "Org2MSP");
        Org1Admin = net.As("org1.example.com", "users/Admin@org1.example.com", "Org1MSP");
        OrdererAdmin = net.OrdererAdmin();
        Org1Peer = net.Org1Peer();
        Org2Peer = net.As("org2.example.com", "peers/peer0.org2.example.com", "Org2MSP");
        var client = new TestClient(Client);
        await client.WaitForBlockAsync(Peer1, 1);
        await client.WaitForBlockAsync(Peer2, 1);

        var committed = EndorsedTransaction("setup", "committed");
        await TestClient.SubmitAsync(Orderer, committed);
        CommittedTxId = FnzChain.Identity.Channels.SignedEnvelope.Parse(committed).TxId;
        var codes = await client.WaitForCommitAsync(Peer1, CommittedTxId);
        Assert.That(codes.GetValueOrDefault(CommittedTxId), Is.EqualTo(FnzChain.Protos.Peer.TxValidationCode.Valid), "the set-up transaction must commit");
    }

    /// <summary>A transaction writing <paramref name="key"/> in the fund contract's namespace, endorsed by both peers and signed by the client.</summary>
    public Envelope EndorsedTransaction(string key, string value) =>
        EndorsedTransactions.Create(Client, "funds", [(key, value)], [Org1Peer, Org2Peer]);

    /// <summary>A channel to <paramref name="node"/> shared by the suite (closed with the network): over TLS, as every client of the network connects, so every hostile case crosses the TLS layer too.</summary>
    public GrpcChannel ChannelTo(NodeProcess node)
    {
        var channel = FnzChain.Client.Connections.GrpcConnections.Open(node.Address, node.ClientTls, maxReceiveMessageBytes: 64 * 1024 * 1024, maxSendMessageBytes: null);
        lock (_channels)
        {
            _channels.Add(channel);
        }

        return channel;
    }

    private async Task<NodeProcess> StartPeerAsync(string domain, string mspId, int port, string ordererAddress, string? couchDb = null)
    {
        var config = new Dictionary<string, object>
        {
            ["listenAddress"] = $"127.0.0.1:{port}",
            ["operationsAddress"] = "127.0.0.1:0",
            ["mspId"] = mspId,
            ["mspPath"] = Network.IdentityMsp(domain, $"peers/peer0.{domain}"),
            ["dataPath"] = Path.Combine(Network.Folder, $"peer0.{domain}-data"),
            ["ordererAddresses"] = new[] { ordererAddress },
            ["durability"] = "buffered",
            ["maxMessageBytes"] = ReceiveLimit,
            ["tls"] = FnzChain.Cli.Network.LocalNetwork.TlsSection(Path.GetDirectoryName(Network.IdentityMsp(domain, $"peers/peer0.{domain}"))!, Network.Security),
            ["authenticationThrottle"] = ThrottleOff,
        };
        if (couchDb is not null)
        {
            config["stateDatabase"] = "couchdb";
            config["couchDb"] = new Dictionary<string, object> { ["address"] = couchDb };
        }

        await WriteConfigAsync($"peer0.{domain}.json", config);
        return await Network.StartPeerAsync(domain, mspId, Orderer, port: port);
    }

    /// <summary>
    /// Throttling of failed authentication off: the suite sends thousands of unsigned and wrongly signed requests from
    /// one address and claiming one identity, and checks the node still serves a valid request after each method's
    /// batch — a lock-out would refuse it. IntegrationTests' AuthenticationThrottleTests shows throttling on.
    /// </summary>
    private static readonly object ThrottleOff = new { enabled = false };

    /// <summary>TestNetwork starts a node from its config file when one exists: ours adds the receive limit.</summary>
    private Task WriteConfigAsync(string name, object config) =>
        File.WriteAllTextAsync(Path.Combine(Network.Folder, name), JsonSerializer.Serialize(config));

    public async ValueTask DisposeAsync()
    {
        foreach (var channel in _channels)
        {
            channel.Dispose();
        }

        foreach (var signer in new[] { Client, Stranger, Org1Admin, OrdererAdmin, Org1Peer, Org2Peer })
        {
            signer?.Dispose();
        }

        await Network.DisposeAsync();
        if (_couchDbPid != 0)
        {
            await FnzChain.Cli.Network.NodeLauncher.StopAsync(_couchDbPid); // after its peer stopped
        }
    }
}
