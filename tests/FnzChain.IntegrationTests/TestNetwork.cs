using FnzChain.Node.Channels;
using System.Security.Cryptography;
using System.Text.Json;
using FnzChain.Crypto.Cryptogen;
using FnzChain.Crypto.Keys;
using FnzChain.Identity.Admin;
using FnzChain.Identity.Msp;
using FnzChain.Orderer.Channels;
using FnzChain.Protos.Admin;
using FnzChain.Protos.Common;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using FnzChain.Client.Connections;
using Grpc.Net.Client;

namespace FnzChain.IntegrationTests;

/// <summary>
/// A two-organisation network's material in a temp folder: cryptogen-layout PKI, the genesis block of channel
/// <c>funds</c> (Org1, Org2, OrdererOrg; solo), and helpers to sign envelopes and admin requests as any identity.
/// </summary>
internal sealed class TestNetwork : IAsyncDisposable
{
    public const string Channel = "funds";

    /// <summary>Cryptogen input: one orderer; Org1, Org2 (and Org3 when asked), each with User1 and a compliance officer.</summary>
    private static string CryptoConfig(bool withOrg3)
    {
        static string Org(int n) =>
            $$"""{ "name": "Org{{n}}", "domain": "org{{n}}.example.com", "mspId": "Org{{n}}MSP", "peers": 1, "users": 1, "namedUsers": [ { "name": "compliance", "attributes": { "fnz.role": "compliance" } } ] }""";
        var orgs = string.Join(",\n", (withOrg3 ? new[] { 1, 2, 3 } : [1, 2]).Select(Org));
        return $$"""
            {
              "ordererOrgs": [{ "name": "Orderer", "domain": "example.com", "mspId": "OrdererMSP", "hosts": ["orderer"] }],
              "peerOrgs": [ {{orgs}} ]
            }
            """;
    }

    private readonly List<NodeProcess> _nodes = [];

    private TestNetwork(string folder, string security)
    {
        Folder = folder;
        Security = security;
    }

    /// <summary>How the nodes are secured: "tls" (the default, as network up), "mutual-tls" or "insecure" (<see cref="FnzChain.Cli.Network.NetworkShape"/>).</summary>
    public string Security { get; }

    public string Folder { get; }

    public string Crypto => Path.Combine(Folder, "crypto");

    public Block Genesis { get; private set; } = null!;

    /// <summary>Nodes started from now on encrypt their ledgers at rest, each with its own key file in <c>keys/</c> (outside its data folder).</summary>
    public bool EncryptAtRest { get; set; }

    /// <summary>The key-encryption key file of node <paramref name="name"/> (when <see cref="EncryptAtRest"/>).</summary>
    public string KekPath(string name) => Path.Combine(Folder, "keys", name + ".kek");

    /// <summary>The <c>encryptionAtRest</c> config section of node <paramref name="name"/>, generating its key file on first use.</summary>
    private Dictionary<string, object> EncryptionSection(string name)
    {
        if (!EncryptAtRest)
        {
            return new() { ["enabled"] = false };
        }

        Directory.CreateDirectory(Path.GetDirectoryName(KekPath(name))!);
        if (!File.Exists(KekPath(name)))
        {
            FnzChain.Ledger.Encryption.KeyEncryptionKeyFile.Generate(KekPath(name));
        }

        return new() { ["enabled"] = true, ["keyEncryptionKeyFile"] = KekPath(name) };
    }

    /// <summary>A free loopback port for a node whose address must be known before it starts (the CLI's rule: below the ephemeral range, never twice per process).</summary>
    public static int FreePort() => FnzChain.Cli.Network.LocalNetwork.FreePort();

    /// <summary>
    /// The network's material; with <paramref name="org3AnchorPort"/>, a third application organisation Org3 anchored
    /// there; with <paramref name="kafkaBrokers"/>, a channel ordered by the Kafka consenter on those brokers.
    /// </summary>
    public static async Task<TestNetwork> CreateAsync(
        uint maxMessageCount = 10, string batchTimeout = "300ms", int? org1AnchorPort = null, int? org2AnchorPort = null, bool revokeOrg1User = false, int? org3AnchorPort = null,
        string? kafkaBrokers = null, uint absoluteMaxBytes = 256 * 1024, string security = FnzChain.Cli.Network.NetworkShape.Tls)
    {
        var network = new TestNetwork(Directory.CreateTempSubdirectory("fnzchain-it-").FullName, security);
        new CryptoMaterialGenerator().Generate(CryptoConfigReader.Parse(CryptoConfig(org3AnchorPort is not null)), network.Crypto, force: false);
        if (revokeOrg1User)
        {
            // The CRL lands in Org1's msp/crls, so the channel configuration built below carries it.
            var org1 = Path.Combine(network.Crypto, "peerOrganizations", "org1.example.com");
            OrganizationRevocation.Revoke(org1, Path.Combine(org1, "users", "User1@org1.example.com", "msp", "signcerts", "User1@org1.example.com-cert.pem"));
        }

        var profile = new ChannelProfile
        {
            ChannelId = Channel,
            Organizations =
            [
                new OrganizationProfile { Name = "Org1", MspId = "Org1MSP", MspPath = network.OrgMsp("org1.example.com"), Roles = ["application"], AnchorPeers = org1AnchorPort is { } p1 ? [$"127.0.0.1:{p1}"] : [] },
                new OrganizationProfile { Name = "Org2", MspId = "Org2MSP", MspPath = network.OrgMsp("org2.example.com"), Roles = ["application"], AnchorPeers = org2AnchorPort is { } p2 ? [$"127.0.0.1:{p2}"] : [] },
                new OrganizationProfile { Name = "OrdererOrg", MspId = "OrdererMSP", MspPath = Path.Combine(network.Crypto, "ordererOrganizations/example.com/msp"), Roles = ["orderer"] },
                .. (org3AnchorPort is { } p3
                    ? new[] { new OrganizationProfile { Name = "Org3", MspId = "Org3MSP", MspPath = network.OrgMsp("org3.example.com"), Roles = ["application"], AnchorPeers = [$"127.0.0.1:{p3}"] } }
                    : []),
            ],
            Orderer = new OrdererProfile
            {
                Endpoints = [new OrdererEndpointProfile { Organization = "OrdererOrg", Address = "127.0.0.1:7050" }],
                Consenter = kafkaBrokers is null ? "solo" : "kafka",
                KafkaBrokers = kafkaBrokers?.Split(',').ToList() ?? [],
                MaxMessageCount = maxMessageCount,
                BatchTimeout = batchTimeout,
                AbsoluteMaxBytes = absoluteMaxBytes,
                PreferredMaxBytes = 128 * 1024,
            },
        };
        network.Genesis = ConfigBlock.CreateGenesis(Channel, profile.ToConfig(), DateTimeOffset.UtcNow);
        await File.WriteAllBytesAsync(Path.Combine(network.Folder, "funds.block"), network.Genesis.ToByteArray());
        return network;
    }

    public string OrgMsp(string domain) => Path.Combine(Crypto, "peerOrganizations", domain, "msp");

    /// <summary>The msp folder of a user or node, e.g. ("org1.example.com", "users/User1@org1.example.com").</summary>
    public string IdentityMsp(string domain, string who) =>
        Path.Combine(Crypto, domain == "example.com" ? "ordererOrganizations" : "peerOrganizations", domain, who, "msp");

    /// <summary>
    /// Starts the orderer <paramref name="name"/> (again, from the same config and data, when it ran before); a fixed
    /// <paramref name="port"/> lets peers find a restarted orderer; <paramref name="authenticationThrottle"/> is its
    /// <c>authenticationThrottle</c> section (the node's defaults without).
    /// </summary>
    public async Task<NodeProcess> StartOrdererAsync(string name = "orderer", int port = 0, object? authenticationThrottle = null)
    {
        var config = Path.Combine(Folder, $"{name}.json");
        if (!File.Exists(config))
        {
            var settings = JsonSerializer.SerializeToNode(new
            {
                listenAddress = $"127.0.0.1:{port}",
                operationsAddress = "127.0.0.1:0",
                mspId = "OrdererMSP",
                mspPath = IdentityMsp("example.com", "orderers/orderer.example.com"),
                dataPath = Path.Combine(Folder, name + "-data"),
                durability = "buffered",
                compression = "none", // byte scans must see every stored byte (erasure tests)
                tls = FnzChain.Cli.Network.LocalNetwork.TlsSection(Path.GetDirectoryName(IdentityMsp("example.com", "orderers/orderer.example.com"))!, Security),
                encryptionAtRest = EncryptionSection(name),
            })!.AsObject();
            if (authenticationThrottle is not null)
            {
                settings["authenticationThrottle"] = JsonSerializer.SerializeToNode(authenticationThrottle);
            }

            await File.WriteAllTextAsync(config, settings.ToJsonString());
        }

        var node = await NodeProcess.StartAsync(Folder, "orderer listening on ", "orderer", "start", "--config", config);
        node.ClientTls = ClientTls();
        _nodes.Add(node);
        return node;
    }

    /// <summary>
    /// Starts a peer (again, from the same config, when it ran before). With <paramref name="couchDb"/> (a server's
    /// address) its public state is in CouchDB.
    /// </summary>
    public async Task<NodeProcess> StartPeerAsync(string domain, string mspId, NodeProcess orderer, string name = "peer0", int port = 0, string? couchDb = null)
    {
        var config = Path.Combine(Folder, $"{name}.{domain}.json");
        if (!File.Exists(config))
        {
            var settings = new Dictionary<string, object>
            {
                ["listenAddress"] = $"127.0.0.1:{port}",
                ["operationsAddress"] = "127.0.0.1:0",
                ["mspId"] = mspId,
                ["mspPath"] = IdentityMsp(domain, $"peers/{name}.{domain}"),
                ["dataPath"] = PeerDataPath(domain, name),
                ["ordererAddresses"] = new[] { orderer.Address },
                ["durability"] = "buffered",
                ["compression"] = "none", // byte scans must see every stored byte (erasure tests)
                ["tls"] = FnzChain.Cli.Network.LocalNetwork.TlsSection(Path.GetDirectoryName(IdentityMsp(domain, $"peers/{name}.{domain}"))!, Security),
                ["encryptionAtRest"] = EncryptionSection($"{name}.{domain}"),
            };
            if (couchDb is not null)
            {
                settings["stateDatabase"] = "couchdb";
                settings["couchDb"] = new Dictionary<string, object> { ["address"] = couchDb };
            }

            await File.WriteAllTextAsync(config, JsonSerializer.Serialize(settings));
        }

        var node = await NodeProcess.StartAsync(Folder, "peer listening on ", "peer", "start", "--config", config);
        node.ClientTls = ClientTls();
        _nodes.Add(node);
        return node;
    }

    /// <summary>The data folder of peer <paramref name="name"/> of <paramref name="domain"/>.</summary>
    public string PeerDataPath(string domain, string name = "peer0") => Path.Combine(Folder, $"{name}.{domain}-data");

    public async Task JoinPeerAsync(NodeProcess peer, string domain, string mspId)
    {
        using var admin = As(domain, $"users/Admin@{domain}", mspId);
        using var channel = Connect(peer);
        await new NodeAdmin.NodeAdminClient(channel).JoinChannelAsync(admin.Admin(new AdminRequest { JoinChannel = new JoinChannelRequest { GenesisBlock = Genesis.ToByteString() } }));
    }

    /// <summary>A gRPC channel to <paramref name="node"/> as the network's test code connects: over TLS (as Org1's User1, whose client certificate mutual TLS asks for) unless the network is insecure.</summary>
    public static GrpcChannel Connect(NodeProcess node) =>
        GrpcConnections.Open(node.Address, node.ClientTls, maxReceiveMessageBytes: 64 * 1024 * 1024);

    /// <summary>
    /// How test code connects to this network's nodes: plaintext for an insecure network, otherwise TLS trusting every
    /// organisation's TLS CA and presenting <paramref name="who"/>'s TLS client certificate (default Org1's User1).
    /// </summary>
    public ClientTls ClientTls(string domain = "org1.example.com", string who = "users/User1@org1.example.com") =>
        Security == FnzChain.Cli.Network.NetworkShape.Insecure ? FnzChain.Client.Connections.ClientTls.Plaintext : FnzChain.Client.Connections.ClientTls.FromMspFolder(IdentityMsp(domain, who));

    /// <summary>An identity loaded from its msp folder, with its serialized form.</summary>
    public Signer As(string domain, string who, string mspId) => new(SigningIdentityFiles.Load(IdentityMsp(domain, who)), mspId);

    public Signer OrdererAdmin() => As("example.com", "users/Admin@example.com", "OrdererMSP");

    public Signer Org1Client() => As("org1.example.com", "users/User1@org1.example.com", "Org1MSP");

    public Signer Org1Peer() => As("org1.example.com", "peers/peer0.org1.example.com", "Org1MSP");

    public async Task JoinOrdererAsync(NodeProcess orderer)
    {
        using var admin = OrdererAdmin();
        using var channel = Connect(orderer);
        await new NodeAdmin.NodeAdminClient(channel).JoinChannelAsync(admin.Admin(new AdminRequest { JoinChannel = new JoinChannelRequest { GenesisBlock = Genesis.ToByteString() } }));
    }

    /// <summary>Runs a <c>fnzchain</c> command to completion; returns its exit code and output.</summary>
    public async Task<(int ExitCode, string Output, string Error)> RunCliAsync(params string[] args)
    {
        var start = new System.Diagnostics.ProcessStartInfo("dotnet") { WorkingDirectory = Folder, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "fnzchain.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = System.Diagnostics.Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await output, await error);
    }

    public string AdminSigner(string mspId, string domain) => $"{mspId}={IdentityMsp(domain, $"users/Admin@{domain}")}";

    /// <summary>Packages the sample fund contract and installs it on each peer (as an admin of its organisation); returns the package id.</summary>
    public async Task<string> InstallFundsAsync(params (NodeProcess Peer, string Domain, string MspId)[] peers)
    {
        var build = Path.Combine(Folder, "funds-build");
        Directory.CreateDirectory(build);
        File.Copy(Path.Combine(AppContext.BaseDirectory, "FundsSample.dll"), Path.Combine(build, "FundsSample.dll"), overwrite: true);
        var packagePath = Path.Combine(Folder, "funds.zip");
        var package = FnzChain.Peer.Chaincode.ChaincodePackage.Create(build, "funds_1.0", "FundsSample.dll", "FnzChain.Samples.Funds.FundContract");
        await File.WriteAllBytesAsync(packagePath, package.Bytes);
        foreach (var (peer, domain, msp) in peers)
        {
            var installed = await RunCliAsync("chaincode", "install", "--node", peer.Address, "--identity", IdentityMsp(domain, $"users/Admin@{domain}"), "--msp-id", msp, "--package", packagePath);
            Assert.That(installed.ExitCode, Is.Zero, installed.Error);
            Assert.That(installed.Output.Trim(), Is.EqualTo(package.PackageId));
        }

        return package.PackageId;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }

        Directory.Delete(Folder, recursive: true);
    }
}

/// <summary>Signs envelopes and admin requests as one identity.</summary>
internal sealed class Signer(SigningIdentityFiles files, string mspId) : IDisposable
{
    public byte[] Serialized { get; } = MspRegistry.Serialize(mspId, files.Certificate);

    public SigningIdentityFiles Files => files;

    public SignedAdminRequest Admin(AdminRequest request) => AdminRequests.Sign(request, Serialized, files.Signer);

    /// <summary>A signed envelope of <paramref name="type"/> carrying <paramref name="data"/>, with a Fabric tx id.</summary>
    public Envelope Envelope(string channel, HeaderType type, ByteString data) =>
        FnzChain.Identity.Channels.SignedEnvelope.Create(channel, type, data, Serialized, files.Signer);

    public void Dispose() => files.Dispose();
}
