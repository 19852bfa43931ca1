using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using FnzChain.Crypto.Cryptogen;
using FnzChain.Crypto.Keys;
using FnzChain.Identity.Admin;
using FnzChain.Identity.Msp;
using FnzChain.Identity.Channels;
using FnzChain.Node.Channels;
using FnzChain.Orderer.Channels;
using FnzChain.Peer.Chaincode;
using FnzChain.Protos.Admin;
using FnzChain.Protos.Common;
using FnzChain.Protos.Lifecycle;
using FnzChain.Protos.Orderer;
using Google.Protobuf;
using FnzChain.Client.Connections;

namespace FnzChain.Cli.Network;

/// <summary>
/// What <c>network up</c> writes to <c>connection.json</c>: where everything is and how to reach it.
/// <see cref="Orderer"/>/<see cref="OrdererPid"/> are the first orderer; <see cref="Orderers"/> lists them all.
/// </summary>
internal sealed record ConnectionInfo(string Channel, string Chaincode, string Orderer, int OrdererPid, List<OrganizationInfo> Organizations)
{
    /// <summary>"solo" or "kafka".</summary>
    public string Consenter { get; init; } = "solo";

    /// <summary>Every orderer of the channel (one for solo).</summary>
    public List<OrdererInfo> Orderers { get; init; } = [];

    /// <summary>The Kafka bootstrap brokers (kafka only).</summary>
    public string? KafkaBrokers { get; init; }

    /// <summary>The process id of the local Kafka stand-in that <c>network up</c> started (kafka without <c>--kafka-brokers</c>).</summary>
    public int? KafkaPid { get; init; }

    /// <summary>The peers' state database: "rocksdb" (embedded) or "couchdb" (a local CouchDB-compatible server per peer).</summary>
    public string StateDatabase { get; init; } = "rocksdb";

    /// <summary>How the nodes' gRPC listeners are secured: "tls" (the default), "mutual-tls" (client certificates required) or "insecure" (plaintext, <c>--insecure</c>).</summary>
    public string Security { get; init; } = NetworkShape.Tls;

    /// <summary>How a client acting as the identity in <paramref name="mspFolder"/> connects to this network's nodes.</summary>
    public ClientTls ClientTlsFor(string mspFolder) => Security == NetworkShape.Insecure ? ClientTls.Plaintext : ClientTls.FromMspFolder(mspFolder);
}

/// <summary>One orderer of the local network: its name (cryptogen host, data folder, config file), address, process and operations endpoint (<c>/healthz</c>, <c>/metrics</c>).</summary>
internal sealed record OrdererInfo(string Name, string Address, int Pid, string? Operations = null)
{
    /// <summary>The TLS CA certificate (PEM file) the orderer's TLS certificate chains to; null when the network is insecure.</summary>
    public string? TlsRootCert { get; init; }
}

/// <summary>
/// How the local network orders and stores: the consenter, how many orderers (kafka: 1 or more; solo: exactly 1), for
/// kafka the brokers to use — null starts librdkafka's in-memory mock cluster as a local stand-in (decision 0015) —,
/// and the peers' state database: rocksdb (embedded) or couchdb (a local CouchDB-compatible server per peer, decision 0018).
/// </summary>
internal sealed record NetworkShape(string Consenter = "solo", int Orderers = 1, string? KafkaBrokers = null, string StateDatabase = "rocksdb", string Security = NetworkShape.Tls)
{
    public const int MaxOrderers = 9;

    /// <summary>TLS on every node's gRPC listener and connection (the default).</summary>
    public const string Tls = "tls";

    /// <summary>TLS, and every node requires a client certificate from its channels' organisations' TLS CAs.</summary>
    public const string MutualTls = "mutual-tls";

    /// <summary>Plaintext everywhere (<c>--insecure</c>).</summary>
    public const string Insecure = "insecure";

    /// <summary>Encrypt every node's ledgers at rest (<c>--encrypt-at-rest</c>, <see cref="NetworkKeys"/>).</summary>
    public bool EncryptAtRest { get; init; }

    public static NetworkShape Solo { get; } = new();

    /// <summary>The command-line check: one line naming the option when the combination cannot run.</summary>
    public NetworkShape Checked()
    {
        if (Consenter is not ("solo" or "kafka"))
        {
            throw new CliException($"--consenter must be solo or kafka, not '{Consenter}'");
        }

        if (Orderers is < 1 or > MaxOrderers)
        {
            throw new CliException($"--orderers must be 1 to {MaxOrderers}, not {Orderers}");
        }

        if (Consenter == "solo" && Orderers != 1)
        {
            throw new CliException($"--orderers {Orderers} needs --consenter kafka: a solo orderer cannot share a channel with another orderer");
        }

        if (Consenter == "solo" && KafkaBrokers is not null)
        {
            throw new CliException("--kafka-brokers needs --consenter kafka");
        }

        if (Security is not (Tls or MutualTls or Insecure))
        {
            throw new CliException($"network security must be {Tls}, {MutualTls} or {Insecure}, not '{Security}'");
        }

        if (StateDatabase is not ("rocksdb" or "couchdb"))
        {
            throw new CliException($"--state-db must be rocksdb or couchdb, not '{StateDatabase}'");
        }

        return this;
    }
}

/// <summary>One application organisation of the local network (<see cref="UserMsp"/>: its first ordinary user).</summary>
internal sealed record OrganizationInfo(string Name, string MspId, string Peer, int PeerPid, string AdminMsp, string UserMsp)
{
    /// <summary>The TLS CA certificate (PEM file) the peer's TLS certificate chains to — what a Fabric client passes to <c>grpc.credentials.createSsl</c>; null when the network is insecure.</summary>
    public string? TlsRootCert { get; init; }

    /// <summary>The address of the CouchDB-compatible server holding the peer's public state (state database couchdb).</summary>
    public string? CouchDb { get; init; }

    /// <summary>That server's process id, stopped after the peer by <c>network down</c>.</summary>
    public int? CouchDbPid { get; init; }

    /// <summary>host:port of the peer's operations endpoint (<c>/healthz</c>, <c>/metrics</c>), or null when it has none.</summary>
    public string? Operations { get; init; }

    /// <summary>The organisation's DNS domain (from its crypto folder layout).</summary>
    public string Domain => Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(AdminMsp)))!)!;

    /// <summary>The msp folder of the organisation's named user <paramref name="name"/> (a crypto config <c>namedUsers</c> entry).</summary>
    public string NamedUserMsp(string name) => Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(AdminMsp))!, $"{name}@{Domain}", "msp");
}

/// <summary>An application organisation of a local network layout, with any named users (and their attributes).</summary>
internal sealed record NetworkOrganization(string Name, string Domain, string MspId, IReadOnlyList<NamedUserSpec>? NamedUsers = null);

/// <summary>
/// What a local network runs: its organisations and the one chaincode it deploys (assembly copied next to
/// fnzchain.dll), with an endorsement policy (null: the channel's <c>Endorsement</c>, a MAJORITY of organisations)
/// and private data collections.
/// </summary>
internal sealed record NetworkLayout(
    IReadOnlyList<NetworkOrganization> Organizations,
    string Chaincode,
    string Assembly,
    string ContractType,
    string Label,
    string? EndorsementPolicy,
    Protos.Peer.CollectionConfigPackage? Collections = null)
{
    /// <summary>
    /// <c>network up</c> and <c>bench network</c>: a transfer agent and a distributor, the sample fund contract,
    /// endorsement by both, and the sample's two collections (both organisations members): <c>investorPII</c>
    /// (member-only reads) and <c>kycEvidence</c> (kept for 100 blocks); each organisation has a compliance officer.
    /// </summary>
    public static NetworkLayout Sample { get; } = new(
        [new("TransferAgent", "ta.example.com", "TransferAgentMSP", [Compliance]), new("Distributor", "distributor.example.com", "DistributorMSP", [Compliance])],
        "funds", "FundsSample.dll", "FnzChain.Samples.Funds.FundContract", "funds_1.0", "AND('TransferAgentMSP.peer','DistributorMSP.peer')",
        new Protos.Peer.CollectionConfigPackage
        {
            Config =
            {
                SampleCollection("investorPII", memberOnlyRead: true, blockToLive: 0),
                SampleCollection("kycEvidence", memberOnlyRead: false, blockToLive: 100),
            },
        });

    /// <summary>A compliance officer (certificate attribute <c>fnz.role=compliance</c>): who may run <c>fnzchain private purge</c>.</summary>
    private static NamedUserSpec Compliance => new() { Name = "compliance", Attributes = new Dictionary<string, string> { ["fnz.role"] = "compliance" } };

    private static Protos.Peer.CollectionConfig SampleCollection(string name, bool memberOnlyRead, ulong blockToLive) => new()
    {
        StaticCollectionConfig = new Protos.Peer.StaticCollectionConfig
        {
            Name = name,
            MemberOrgsPolicy = new Protos.Peer.CollectionPolicyConfig { SignaturePolicy = Identity.Policies.PolicyDsl.Parse("OR('TransferAgentMSP.member','DistributorMSP.member')") },
            RequiredPeerCount = 0,
            MaximumPeerCount = 1,
            BlockToLive = blockToLive,
            MemberOnlyRead = memberOnlyRead,
        },
    };
}
/// <summary>
/// A local network on loopback: a solo orderer and one peer for each organisation of a <see cref="NetworkLayout"/>
/// (by default a transfer agent and a distributor) as separate <c>fnzchain</c> processes, channel <c>funds</c> with
/// the layout's chaincode installed and defined. Everything lives in one folder.
/// </summary>
internal static class LocalNetwork
{
    public const string Channel = "funds";
    public const string ConnectionFile = "connection.json";

    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>
    /// Starts the network in <paramref name="folder"/>. <paramref name="uncompressed"/> runs the nodes with
    /// uncompressed table files (<c>compression: none</c>) so that a byte scan of their folders sees every stored
    /// byte — the demo's erasure evidence.
    /// </summary>
    /// <remarks>
    /// A folder that holds a running network (its <c>connection.json</c>) is refused. A folder that holds a stopped
    /// one (what <c>network down</c> leaves: crypto, configs, ledgers, logs) is refused unless
    /// <paramref name="force"/>, which erases those entries — and only those — and starts a new network there.
    /// </remarks>
    public static async Task<ConnectionInfo> UpAsync(
        string folder, TextWriter output, CancellationToken cancellationToken, NetworkLayout? layout = null, bool uncompressed = false, bool force = false, NetworkShape? ordering = null)
    {
        var compression = uncompressed ? "none" : "lz4";
        layout ??= NetworkLayout.Sample;
        ordering = (ordering ?? NetworkShape.Solo).Checked();
        var organizationsOf = layout.Organizations;
        if (File.Exists(Path.Combine(folder, ConnectionFile)))
        {
            throw new CliException($"{folder} holds a running network ({ConnectionFile}); stop it first with: fnzchain network down --dir {folder}");
        }

        var leftOver = NetworkEntries(folder);
        if (leftOver.Count > 0)
        {
            if (!force)
            {
                throw new CliException($"{folder} holds a stopped network (crypto, configs, ledgers, logs); pass --force to erase it and start a new one there, or choose another folder");
            }

            foreach (var entry in leftOver)
            {
                if (Directory.Exists(entry))
                {
                    Directory.Delete(entry, recursive: true);
                }
                else
                {
                    File.Delete(entry);
                }
            }

            output.WriteLine($"  --force: erased the stopped network in {folder} ({leftOver.Count} entries)");
        }

        Directory.CreateDirectory(folder);
        if (ordering.EncryptAtRest)
        {
            NetworkKeys.Enable(folder);
        }

        output.WriteLine(NetworkKeys.Describe(folder));
        var crypto = Path.Combine(folder, "crypto");
        new CryptoMaterialGenerator().Generate(
            CryptoConfigReader.Parse($$"""
                {
                  "ordererOrgs": [{ "name": "Orderer", "domain": "example.com", "mspId": "OrdererMSP", "hosts": {{JsonSerializer.Serialize(OrdererNames(ordering.Orderers))}} }],
                  "peerOrgs": [{{string.Join(",", organizationsOf.Select(o => $$"""{ "name": "{{o.Name}}", "domain": "{{o.Domain}}", "mspId": "{{o.MspId}}", "peers": 1, "users": 1, "namedUsers": {{JsonSerializer.Serialize(o.NamedUsers ?? [], s_json)}} }"""))}}]
                }
                """),
            crypto,
            force: false);
        output.WriteLine($"  crypto material for {organizationsOf.Count + 1} organisations in {crypto}");

        var ordererNames = OrdererNames(ordering.Orderers);
        var ordererPorts = ordererNames.Select(_ => FreePort()).ToArray();
        var peerPorts = organizationsOf.Select(_ => FreePort()).ToArray();
        var info = new ConnectionInfo(Channel, layout.Chaincode, string.Empty, 0, []) { Consenter = ordering.Consenter, StateDatabase = ordering.StateDatabase, Security = ordering.Security };
        output.WriteLine(ordering.Security switch
        {
            NetworkShape.Insecure => "  --insecure: TLS is OFF; every node listens in plaintext and every connection is plaintext (local development only)",
            NetworkShape.MutualTls => "  TLS with mutual authentication: every node requires a client certificate from a TLS CA of the channel's organisations",
            _ => "  TLS on every node (TLS 1.2+, certificates from each organisation's TLS CA); --insecure for plaintext",
        });
        try
        {
            if (ordering.Consenter == "kafka")
            {
                info = await StartKafkaAsync(folder, ordering, info, output, cancellationToken).ConfigureAwait(false);
            }

            var profile = new ChannelProfile
            {
                ChannelId = Channel,
                Organizations =
                [
                    .. organizationsOf.Select((o, i) => new OrganizationProfile
                    {
                        Name = o.Name, MspId = o.MspId, MspPath = Path.Combine(crypto, "peerOrganizations", o.Domain, "msp"), Roles = ["application"], AnchorPeers = [$"127.0.0.1:{peerPorts[i]}"],
                    }),
                    new OrganizationProfile { Name = "OrdererOrg", MspId = "OrdererMSP", MspPath = Path.Combine(crypto, "ordererOrganizations/example.com/msp"), Roles = ["orderer"] },
                ],
                Orderer = new OrdererProfile
                {
                    Endpoints = [.. ordererPorts.Select(port => new OrdererEndpointProfile { Organization = "OrdererOrg", Address = $"127.0.0.1:{port}" })],
                    BatchTimeout = "100ms",
                    MaxMessageCount = 500,
                    Consenter = ordering.Consenter,
                    KafkaBrokers = info.KafkaBrokers?.Split(',').ToList() ?? [],
                },
            };
            var genesis = ConfigBlock.CreateGenesis(Channel, profile.ToConfig(), DateTimeOffset.UtcNow);
            await File.WriteAllBytesAsync(Path.Combine(folder, $"{Channel}.block"), genesis.ToByteArray(), cancellationToken).ConfigureAwait(false);

            for (var i = 0; i < ordererNames.Count; i++)
            {
                var name = ordererNames[i];
                var ordererNode = Path.Combine(crypto, $"ordererOrganizations/example.com/orderers/{name}.example.com");
                var ordererConfig = await WriteConfigAsync(folder, name, new Dictionary<string, object>
                {
                    ["listenAddress"] = $"127.0.0.1:{ordererPorts[i]}",
                    ["mspId"] = "OrdererMSP",
                    ["mspPath"] = Path.Combine(ordererNode, "msp"),
                    ["dataPath"] = OrdererDataFolder(folder, name),
                    ["compression"] = compression,
                    ["operationsAddress"] = "127.0.0.1:0",
                    ["tls"] = TlsSection(ordererNode, ordering.Security),
                    ["encryptionAtRest"] = NetworkKeys.Section(folder, name),
                }).ConfigureAwait(false);
                var orderer = await StartOrdererAsync(folder, name, cancellationToken).ConfigureAwait(false);
                orderer = orderer with { TlsRootCert = ordering.Security == NetworkShape.Insecure ? null : Path.Combine(ordererNode, "tls", "ca.crt") };
                info.Orderers.Add(orderer);
                info = i == 0 ? info with { Orderer = orderer.Address, OrdererPid = orderer.Pid } : info;
                output.WriteLine($"  {name} ({ordering.Consenter}) listening on {orderer.Address}, pid {orderer.Pid}, health on http://{orderer.Operations}/healthz");
                await JoinAsync(orderer.Address, AdminMsp(crypto, "example.com"), "OrdererMSP", genesis, info.ClientTlsFor(AdminMsp(crypto, "example.com")), cancellationToken).ConfigureAwait(false);
            }

            var organizations = info.Organizations;
            var couchDb = ordering.StateDatabase == "couchdb" ? await CouchDbServers.EnsureInstalledAsync(output, cancellationToken).ConfigureAwait(false) : null;
            for (var i = 0; i < organizationsOf.Count; i++)
            {
                var (name, domain, mspId, _) = organizationsOf[i];
                var organization = await StartPeerAsync(folder, name, mspId, Path.Combine(crypto, "peerOrganizations", domain), peerPorts[i], uncompressed, cancellationToken, couchDb, ordering.Security).ConfigureAwait(false);
                organizations.Add(organization);
                output.WriteLine($"  peer of {name} listening on {organization.Peer}, pid {organization.PeerPid}"
                    + (organization.Operations is { } operations ? $", health on http://{operations}/healthz" : string.Empty)
                    + (organization.CouchDb is { } server ? $", public state in a local CouchDB-compatible server (pouchdb-server) on {server}, pid {organization.CouchDbPid}" : string.Empty));
                await JoinAsync(organization.Peer, organization.AdminMsp, mspId, genesis, info.ClientTlsFor(organization.AdminMsp), cancellationToken).ConfigureAwait(false);
            }

            output.WriteLine($"  channel {Channel} joined by {(ordererNames.Count == 1 ? "the orderer" : $"{ordererNames.Count} orderers")} and {organizationsOf.Count} peers");
            await DeployAsync(folder, info, layout, output, cancellationToken).ConfigureAwait(false);
            await SaveAsync(folder, info, cancellationToken).ConfigureAwait(false);
            return info;
        }
        catch
        {
            await DownAsync(info).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Starts (or restarts, from the same config, ledger and port) the orderer <paramref name="name"/> of the network in
    /// <paramref name="folder"/>; a previous log is kept as <c>&lt;name&gt;.log.1</c>.
    /// </summary>
    public static async Task<OrdererInfo> StartOrdererAsync(string folder, string name, CancellationToken cancellationToken)
    {
        var log = OrdererDataFolder(folder, name) + ".log";
        if (File.Exists(log))
        {
            File.Move(log, log + ".1", overwrite: true);
        }

        var (pid, address) = await NodeLauncher.StartDetachedAsync("orderer", Path.Combine(folder, $"{name}.json"), log, cancellationToken).ConfigureAwait(false);
        return new OrdererInfo(name, address, pid, NodeLauncher.LineAfter(log, "orderer operations on "));
    }

    /// <summary>
    /// Starts the peer of an organisation whose crypto material is in <paramref name="organizationFolder"/> (cryptogen's
    /// <c>peerOrganizations/&lt;domain&gt;</c>, wherever it lives) on <paramref name="port"/>, with its config, data folder
    /// and log in <paramref name="folder"/>; the peer has joined no channel yet.
    /// </summary>
    /// <remarks>
    /// With <paramref name="couchDbServer"/> (the start script <see cref="CouchDbServers.EnsureInstalledAsync"/> returned)
    /// the peer keeps its public state in a CouchDB-compatible server of its own, started first; it is stopped again
    /// when the peer does not start.
    /// </remarks>
    public static async Task<OrganizationInfo> StartPeerAsync(
        string folder, string name, string mspId, string organizationFolder, int port, bool uncompressed, CancellationToken cancellationToken, string? couchDbServer = null, string security = NetworkShape.Tls)
    {
        var domain = Path.GetFileName(Path.TrimEndingDirectorySeparator(organizationFolder));
        (int Pid, string Address)? couchDb = couchDbServer is null ? null : await CouchDbServers.StartAsync(couchDbServer, folder, $"peer0.{domain}", cancellationToken).ConfigureAwait(false);
        try
        {
            var settings = new Dictionary<string, object>
            {
                ["listenAddress"] = $"127.0.0.1:{port}",
                ["mspId"] = mspId,
                ["mspPath"] = Path.Combine(organizationFolder, "peers", $"peer0.{domain}", "msp"),
                ["dataPath"] = PeerDataFolder(folder, domain),
                ["compression"] = uncompressed ? "none" : "lz4",
                ["operationsAddress"] = "127.0.0.1:0",
                ["tls"] = TlsSection(Path.Combine(organizationFolder, "peers", $"peer0.{domain}"), security),
                ["encryptionAtRest"] = NetworkKeys.Section(folder, $"peer0.{domain}"),
            };
            if (couchDb is { } server)
            {
                settings["stateDatabase"] = "couchdb";
                settings["couchDb"] = new Dictionary<string, object> { ["address"] = server.Address };
            }

            var config = await WriteConfigAsync(folder, $"peer-{domain}", settings).ConfigureAwait(false);
            var (pid, address) = await NodeLauncher.StartDetachedAsync("peer", config, PeerDataFolder(folder, domain) + ".log", cancellationToken).ConfigureAwait(false);
            var users = Path.Combine(organizationFolder, "users");
            return new OrganizationInfo(name, mspId, address, pid, Path.Combine(users, $"Admin@{domain}", "msp"), Path.Combine(users, $"User1@{domain}", "msp"))
            {
                CouchDb = couchDb?.Address,
                CouchDbPid = couchDb?.Pid,
                Operations = NodeLauncher.LineAfter(PeerDataFolder(folder, domain) + ".log", "peer operations on "),
                TlsRootCert = security == NetworkShape.Insecure ? null : Path.Combine(organizationFolder, "peers", $"peer0.{domain}", "tls", "ca.crt"),
            };
        }
        catch when (couchDb is { } started)
        {
            await NodeLauncher.StopAsync(started.Pid).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Rewrites <c>connection.json</c> after an organisation joined the running network, so that <c>network down</c> stops its peer too.</summary>
    public static Task SaveAsync(string folder, ConnectionInfo info, CancellationToken cancellationToken) =>
        File.WriteAllTextAsync(Path.Combine(folder, ConnectionFile), JsonSerializer.Serialize(info, s_json), cancellationToken);

    /// <summary>The data folder (ledgers, installed chaincodes) of the peer of organisation <paramref name="domain"/>; its log is this path + ".log".</summary>
    public static string PeerDataFolder(string folder, string domain) => Path.Combine(folder, $"peer0.{domain}");

    /// <summary>The first orderer's data folder; its log is this path + ".log".</summary>
    public static string OrdererDataFolder(string folder) => OrdererDataFolder(folder, "orderer");

    /// <summary>The data folder of the orderer <paramref name="name"/> (<see cref="OrdererNames"/>); its log is this path + ".log".</summary>
    public static string OrdererDataFolder(string folder, string name) => Path.Combine(folder, name);

    /// <summary>The data folders of every orderer of <paramref name="info"/>.</summary>
    public static IReadOnlyList<string> OrdererDataFolders(string folder, ConnectionInfo info) =>
        info.Orderers.Count == 0 ? [OrdererDataFolder(folder)] : [.. info.Orderers.Select(o => OrdererDataFolder(folder, o.Name))];

    /// <summary>The orderers' names (cryptogen hosts, data folders, config files): orderer, orderer2, orderer3, …</summary>
    public static IReadOnlyList<string> OrdererNames(int count) => [.. Enumerable.Range(1, count).Select(i => i == 1 ? "orderer" : $"orderer{i}")];

    /// <summary>Where the local Kafka stand-in writes its output (its bootstrap line, librdkafka's log).</summary>
    public static string KafkaLog(string folder) => Path.Combine(folder, "kafka.log");

    /// <summary>
    /// Kafka for the channel: the brokers given (the channel topic is created there with one partition, unless it exists),
    /// or the local stand-in — librdkafka's in-memory mock cluster with three brokers and the topic, as a background process.
    /// </summary>
    private static async Task<ConnectionInfo> StartKafkaAsync(string folder, NetworkShape ordering, ConnectionInfo info, TextWriter output, CancellationToken cancellationToken)
    {
        if (ordering.KafkaBrokers is { } brokers)
        {
            var replication = await KafkaTopics.EnsureChannelTopicAsync(brokers, Channel, cancellationToken).ConfigureAwait(false);
            output.WriteLine($"  Kafka brokers {brokers}: topic {Channel} with 1 partition, replication {replication}");
            return info with { KafkaBrokers = brokers };
        }

        var mock = Path.Combine(AppContext.BaseDirectory, "FnzChain.KafkaMock.dll");
        if (!File.Exists(mock))
        {
            throw new CliException($"the local Kafka stand-in {mock} is missing (rebuild fnzchain), or give the brokers of a real cluster with --kafka-brokers");
        }

        var (pid, bootstrap) = await NodeLauncher.StartDetachedAsync(
            "local Kafka stand-in", [NodeLauncher.DotnetHost(), mock, "--brokers", "3", "--topic", $"{Channel}:1:3", "--detach"], KafkaLog(folder), "kafka-mock bootstrap ", cancellationToken).ConfigureAwait(false);
        output.WriteLine($"  Kafka: an IN-MEMORY LOCAL STAND-IN (librdkafka's mock cluster, 3 brokers on {bootstrap}, pid {pid}), not a durable cluster —");
        output.WriteLine($"         its data is lost when it stops; give a real cluster with --kafka-brokers. Topic {Channel}: 1 partition, replication 3");
        return info with { KafkaBrokers = bootstrap, KafkaPid = pid };
    }

    /// <summary>
    /// The entries of <paramref name="folder"/> that <c>network up</c> writes (crypto, genesis block, node configs,
    /// data folders and logs, chaincode build, the Kafka stand-in's log) — what a stopped network leaves and <c>--force</c> erases.
    /// </summary>
    public static IReadOnlyList<string> NetworkEntries(string folder)
    {
        if (!Directory.Exists(folder))
        {
            return [];
        }

        // "onboarding": the demo's organisation that joins later keeps its own crypto folder there, with the update files.
        string[] named = ["crypto", "chaincode-build", $"{Channel}.block", "kafka.log", "onboarding", NetworkKeys.Folder];
        return
        [
            .. named.Select(n => Path.Combine(folder, n)).Where(p => File.Exists(p) || Directory.Exists(p)),
            .. Directory.EnumerateFileSystemEntries(folder, "orderer*").Where(p => IsOrdererEntry(Path.GetFileName(p))),
            .. Directory.EnumerateFiles(folder, "peer-*.json"),
            .. Directory.EnumerateFileSystemEntries(folder, "peer0.*"),
            .. Directory.EnumerateDirectories(folder, "couchdb-peer0.*"),
        ];
    }

    /// <summary>orderer, orderer2 … orderer9, each as a data folder, <c>.json</c> config or <c>.log</c>.</summary>
    private static bool IsOrdererEntry(string name)
    {
        var stem = name.EndsWith(".json", StringComparison.Ordinal) ? name[..^5] : name.EndsWith(".log", StringComparison.Ordinal) ? name[..^4] : name;
        stem = stem.EndsWith(".log.1", StringComparison.Ordinal) ? stem[..^6] : stem;
        return OrdererNames(NetworkShape.MaxOrderers).Contains(stem);
    }

    /// <summary>Stops the network in <paramref name="folder"/>; null when the network there is already stopped.</summary>
    public static async Task<ConnectionInfo?> DownAsync(string folder)
    {
        var path = Path.Combine(folder, ConnectionFile);
        if (!File.Exists(path))
        {
            if (!Directory.Exists(folder))
            {
                throw new CliException($"{folder} does not exist: no network there to stop");
            }

            return NetworkEntries(folder).Count > 0
                ? null
                : throw new CliException($"{folder} holds no network: it has no {ConnectionFile} and none of the files network up writes");
        }

        var info = JsonSerializer.Deserialize<ConnectionInfo>(await File.ReadAllTextAsync(path).ConfigureAwait(false), s_json)
            ?? throw new CliException($"{path} is empty");
        await DownAsync(info).ConfigureAwait(false);
        File.Delete(path);
        return info;
    }

    private static async Task DownAsync(ConnectionInfo info)
    {
        foreach (var organization in info.Organizations)
        {
            await NodeLauncher.StopAsync(organization.PeerPid).ConfigureAwait(false);
            if (organization.CouchDbPid is { } couchDb)
            {
                await NodeLauncher.StopAsync(couchDb).ConfigureAwait(false); // after its peer, which writes to it until it stops
            }
        }

        await Task.WhenAll(info.Orderers.Count == 0 ? [NodeLauncher.StopAsync(info.OrdererPid)] : info.Orderers.Select(o => NodeLauncher.StopAsync(o.Pid))).ConfigureAwait(false);
        if (info.KafkaPid is { } kafka)
        {
            await NodeLauncher.StopAsync(kafka).ConfigureAwait(false); // last: the orderers flush to it as they stop
        }
    }

    /// <summary>Packages the layout's contract, installs it on every peer, and defines it with every organisation's admin.</summary>
    private static async Task DeployAsync(string folder, ConnectionInfo info, NetworkLayout layout, TextWriter output, CancellationToken cancellationToken)
    {
        var build = Path.Combine(folder, "chaincode-build");
        Directory.CreateDirectory(build);
        File.Copy(Path.Combine(AppContext.BaseDirectory, layout.Assembly), Path.Combine(build, layout.Assembly), overwrite: true);
        // The contract's CouchDB index definitions (shipped next to fnzchain.dll) go where Fabric's packages keep them.
        var indexes = Path.Combine(AppContext.BaseDirectory, "chaincode-indexes", Path.GetFileNameWithoutExtension(layout.Assembly));
        if (Directory.Exists(indexes))
        {
            foreach (var file in Directory.GetFiles(indexes, "*.json", SearchOption.AllDirectories))
            {
                var target = Path.Combine(build, "META-INF", Path.GetRelativePath(indexes, file));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(file, target, overwrite: true);
            }
        }

        var package = ChaincodePackage.Create(build, layout.Label, layout.Assembly, layout.ContractType);
        foreach (var organization in info.Organizations)
        {
            using var admin = SigningIdentityFiles.Load(organization.AdminMsp);
            var signed = AdminRequests.Sign(new AdminRequest { InstallChaincode = new InstallChaincodeRequest { Package = ByteString.CopyFrom(package.Bytes) } }, MspRegistry.Serialize(organization.MspId, admin.Certificate), admin.Signer);
            using var channel = GrpcConnections.Open(organization.Peer, info.ClientTlsFor(organization.AdminMsp), maxSendMessageBytes: 128 * 1024 * 1024);
            await new NodeAdmin.NodeAdminClient(channel).InstallChaincodeAsync(signed, cancellationToken: cancellationToken).ResponseAsync.ConfigureAwait(false);
        }

        output.WriteLine($"  chaincode package {package.PackageId} installed on {info.Organizations.Count} peers");
        var admins = info.Organizations.Select(o => (o.MspId, Files: SigningIdentityFiles.Load(o.AdminMsp))).ToList();
        ulong block;
        try
        {
            var policy = layout.EndorsementPolicy ?? "channel policy Endorsement (MAJORITY of organisations)";
            var approvals = Commands.ChaincodeDefinitionFlow.Propose(Channel, new ChaincodeDefinition
            {
                Name = layout.Chaincode,
                Version = "1.0",
                Sequence = 1,
                PackageId = package.PackageId,
                EndorsementPolicy = layout.EndorsementPolicy is { } text
                    ? new Protos.Peer.ApplicationPolicy { SignaturePolicy = FnzChain.Identity.Policies.PolicyDsl.Parse(text) }
                    : new Protos.Peer.ApplicationPolicy { ChannelConfigPolicyReference = ChannelBundle.Endorsement },
                EndorsementPolicySource = policy,
                Collections = layout.Collections,
            });
            foreach (var (mspId, files) in admins)
            {
                Commands.ChaincodeDefinitionFlow.Approve(approvals, mspId, files);
            }

            var first = info.Organizations[0];
            using var submitter = Client.ClientIdentity.FromMspFolder(first.AdminMsp, first.MspId);
            using var gateway = Client.Gateway.Connect(first.Peer, submitter, new Client.GatewayOptions { Tls = info.ClientTlsFor(first.AdminMsp) });
            block = await Commands.ChaincodeDefinitionFlow.CommitAsync(gateway, Channel, approvals, cancellationToken).ConfigureAwait(false);
            output.WriteLine($"  chaincode {layout.Chaincode} defined on {Channel} (block {block}), approved by every organisation's admin, endorsement policy {policy}"
                + (layout.Collections is { Config.Count: > 0 } c ? $", {c.Config.Count} private data collections" : string.Empty));
        }
        finally
        {
            foreach (var admin in admins)
            {
                admin.Files.Dispose();
            }
        }

        // Peers apply the definition once they commit its block; wait until every peer has it.
        foreach (var organization in info.Organizations)
        {
            using var user = SigningIdentityFiles.Load(organization.UserMsp);
            var tls = info.ClientTlsFor(organization.UserMsp);
            using var peer = GrpcConnections.Open(organization.Peer, tls);
            using var call = new Protos.Peer.Deliver.DeliverClient(peer).DeliverFiltered(cancellationToken: cancellationToken);
            var at = new SeekPosition { Specified = new SeekSpecified { Number = block } };
            await call.RequestStream.WriteAsync(
                SignedEnvelope.Create(Channel, HeaderType.DeliverSeekInfo, new SeekInfo { Start = at, Stop = at }.ToByteString(), MspRegistry.Serialize(organization.MspId, user.Certificate), user.Signer, tlsCertHash: tls.CertificateHash),
                cancellationToken).ConfigureAwait(false);
            await call.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task JoinAsync(string address, string adminMsp, string mspId, Block genesis, ClientTls tls, CancellationToken cancellationToken)
    {
        using var admin = SigningIdentityFiles.Load(adminMsp);
        var signed = AdminRequests.Sign(new AdminRequest { JoinChannel = new JoinChannelRequest { GenesisBlock = genesis.ToByteString() } }, MspRegistry.Serialize(mspId, admin.Certificate), admin.Signer);
        using var channel = GrpcConnections.Open(address, tls);
        await new NodeAdmin.NodeAdminClient(channel).JoinChannelAsync(signed, cancellationToken: cancellationToken).ResponseAsync.ConfigureAwait(false);
    }

    /// <summary>
    /// The <c>tls</c> section of a node's config from its cryptogen folder: its <c>tls/server.crt</c> and key; as root and
    /// client root CAs its organisation's TLS CA and those of every organisation in the same crypto folder (the others
    /// of a joined channel come from the channel's configuration).
    /// </summary>
    internal static Dictionary<string, object> TlsSection(string nodeFolder, string security)
    {
        if (security == NetworkShape.Insecure)
        {
            return new Dictionary<string, object> { ["enabled"] = false };
        }

        var tls = Path.Combine(nodeFolder, "tls");
        List<string> cas = [Path.Combine(tls, "ca.crt"), .. ClientTls.OrganizationTlsCaFolders(Path.Combine(nodeFolder, "msp"))];
        return new Dictionary<string, object>
        {
            ["enabled"] = true,
            ["certificate"] = Path.Combine(tls, "server.crt"),
            ["key"] = Path.Combine(tls, "server.key"),
            ["rootCAs"] = cas,
            ["clientAuthRequired"] = security == NetworkShape.MutualTls,
            ["clientRootCAs"] = cas,
        };
    }

    private static async Task<string> WriteConfigAsync(string folder, string name, object config)
    {
        var path = Path.Combine(folder, $"{name}.json");
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(config, s_json)).ConfigureAwait(false);
        return path;
    }

    private static string AdminMsp(string crypto, string domain) =>
        Path.Combine(crypto, domain == "example.com" ? "ordererOrganizations" : "peerOrganizations", domain, "users", $"Admin@{domain}", "msp");

    private static readonly HashSet<int> s_handedOut = [];

    /// <summary>
    /// A free loopback port for a node whose address must be known before it starts. Taken below Linux's ephemeral
    /// range (32768+), from which the OS assigns "port 0" listeners and outgoing connections: a port handed out here
    /// and bound a moment later cannot be taken by such a socket in between. Never the same port twice per process.
    /// <c>FNZCHAIN_PORT_RANGE=low-high</c> narrows the range, so that processes running side by side (the test
    /// command's two lanes) never pick the same port between checking it and binding it.
    /// </summary>
    public static int FreePort()
    {
        var (low, high) = PortRange();
        lock (s_handedOut)
        {
            for (var attempt = 0; attempt < 1000; attempt++)
            {
                var port = Random.Shared.Next(low, high + 1);
                if (!s_handedOut.Add(port))
                {
                    continue;
                }

                try
                {
                    using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, port);
                    listener.Start();
                    return port;
                }
                catch (System.Net.Sockets.SocketException)
                {
                    // in use: try another
                }
            }

            throw new InvalidOperationException($"no free loopback port found between {low} and {high}");
        }
    }

    private static (int Low, int High) PortRange()
    {
        var text = Environment.GetEnvironmentVariable("FNZCHAIN_PORT_RANGE");
        if (string.IsNullOrEmpty(text))
        {
            return (20_000, 31_999);
        }

        var parts = text.Split('-');
        return parts.Length == 2
            && int.TryParse(parts[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var low)
            && int.TryParse(parts[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var high)
            && low >= 1024 && high <= 65_535 && high - low >= 100
                ? (low, high)
                : throw new CliException($"FNZCHAIN_PORT_RANGE \"{text}\" must be low-high, within 1024-65535 and at least 100 ports wide");
    }
}
