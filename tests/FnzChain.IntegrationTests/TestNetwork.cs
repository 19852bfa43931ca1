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

    private TestNetwork(string folder) => Folder = folder;

    public string Folder { get; }

    public string Crypto => Path.Combine(Folder, "crypto");

    public Block Genesis { get; private set; } = null!;

    /// <summary>A free loopback port for a node whose address must be known before it starts (the CLI's rule: below the ephemeral range, never twice per process).</summary>
    public static int FreePort() => FnzChain.Cli.Network.LocalNetwork.FreePort();

    /// <summary>
    /// The network's material; with <paramref name="org3AnchorPort"/>, a third application organisation Org3 anchored
    /// there; with <paramref name="kafkaBrokers"/>, a channel ordered by the Kafka consenter on those brokers.
    /// </summary>
    public static async Task<TestNetwork> CreateAsync(
        uint maxMessageCount = 10, string batchTimeout = "300ms", int? org1AnchorPort = null, int? org2AnchorPort = null, bool revokeOrg1User = false, int? org3AnchorPort = null,
        string? kafkaBrokers = null)
    {
        var network = new TestNetwork(Directory.CreateTempSubdirectory("fnzchain-it-").FullName);
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
                AbsoluteMaxBytes = 256 * 1024,
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

    /// <summary>Starts the orderer <paramref name="name"/> (again, from the same config and data, when it ran before); a fixed <paramref name="port"/> lets peers find a restarted orderer.</summary>
    public async Task<NodeProcess> StartOrdererAsync(string name = "orderer", int port = 0)
    {
        var config = Path.Combine(Folder, $"{name}.json");
        if (!File.Exists(config))
        {
            await File.WriteAllTextAsync(config, JsonSerializer.Serialize(new
            {
                listenAddress = $"127.0.0.1:{port}",
                operationsAddress = "127.0.0.1:0",
                mspId = "OrdererMSP",
                mspPath = IdentityMsp("example.com", "orderers/orderer.example.com"),
                dataPath = Path.Combine(Folder, name + "-data"),
                durability = "buffered",
                compression = "none", // byte scans must see every stored byte (erasure tests)
            }));
        }

        var node = await NodeProcess.StartAsync(Folder, "orderer listening on ", "orderer", "start", "--config", config);
        _nodes.Add(node);
        return node;
    }

    public async Task<NodeProcess> StartPeerAsync(string domain, string mspId, NodeProcess orderer, string name = "peer0", int port = 0)
    {
        var config = Path.Combine(Folder, $"{name}.{domain}.json");
        if (!File.Exists(config))
        {
            await File.WriteAllTextAsync(config, JsonSerializer.Serialize(new
            {
                listenAddress = $"127.0.0.1:{port}",
                operationsAddress = "127.0.0.1:0",
                mspId,
                mspPath = IdentityMsp(domain, $"peers/{name}.{domain}"),
                dataPath = Path.Combine(Folder, $"{name}.{domain}-data"),
                ordererAddresses = new[] { orderer.Address },
                durability = "buffered",
                compression = "none", // byte scans must see every stored byte (erasure tests)
            }));
        }

        var node = await NodeProcess.StartAsync(Folder, "peer listening on ", "peer", "start", "--config", config);
        _nodes.Add(node);
        return node;
    }

    public async Task JoinPeerAsync(NodeProcess peer, string domain, string mspId)
    {
        using var admin = As(domain, $"users/Admin@{domain}", mspId);
        using var channel = Connect(peer);
        await new NodeAdmin.NodeAdminClient(channel).JoinChannelAsync(admin.Admin(new AdminRequest { JoinChannel = new JoinChannelRequest { GenesisBlock = Genesis.ToByteString() } }));
    }

    public static GrpcChannel Connect(NodeProcess node) =>
        GrpcChannel.ForAddress($"http://{node.Address}", new GrpcChannelOptions { MaxReceiveMessageSize = 64 * 1024 * 1024 });

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
