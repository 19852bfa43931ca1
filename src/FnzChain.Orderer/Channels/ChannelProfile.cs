using FnzChain.Node.Channels;
using FnzChain.Identity.Channels;
using FnzChain.Identity.Policies;
using FnzChain.Node;
using FnzChain.Protos.Common;
using FnzChain.Protos.Orderer;
using FnzChain.Protos.Peer;

namespace FnzChain.Orderer.Channels;

/// <summary>
/// A channel profile file (JSON) from which <c>fnzchain channel create</c> builds the genesis configuration:
/// organisations with their MSP folders and roles, orderer settings, and optional policy overrides. Defaults
/// follow Fabric's sample configtx: organisation Readers = admin|peer|client (orderer orgs: member), Writers =
/// admin|client (orderer orgs: member), Admins = admin, Endorsement = peer; channel Readers "ANY Readers",
/// Writers "ANY Writers", Admins "MAJORITY Admins", Endorsement and LifecycleEndorsement "MAJORITY Endorsement".
/// The result is Fabric's configuration tree as configtxgen writes it: the Channel group (HashingAlgorithm SHA256,
/// BlockDataHashingStructure, OrdererAddresses, Capabilities V2_0, Readers/Writers/Admins), the Orderer group
/// (ConsensusType, BatchSize, BatchTimeout, ChannelRestrictions, KafkaBrokers for kafka, Capabilities, its
/// organisations with MSP and Endpoints, BlockValidation) and the Application group (Capabilities V2_5, ACLs, its
/// organisations with MSP and AnchorPeers, Endorsement and LifecycleEndorsement); every element has a mod_policy.
/// </summary>
public sealed class ChannelProfile
{
    public required string ChannelId { get; init; }

    public required List<OrganizationProfile> Organizations { get; init; }

    public required OrdererProfile Orderer { get; init; }

    /// <summary>Channel-level policies replacing the defaults: name → DSL text or "ANY|ALL|MAJORITY Sub".</summary>
    public Dictionary<string, string> Policies { get; init; } = [];

    public static ChannelProfile Load(string path)
    {
        {
            var profile = NodeConfiguration.Load<ChannelProfile>(path, "channel profile");
            var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
            foreach (var org in profile.Organizations)
            {
                org.MspPath = Path.GetFullPath(org.MspPath, folder);
            }

            return profile;
        }
    }

    /// <summary>The genesis configuration (sequence 0), validated by building its <see cref="ChannelBundle"/>.</summary>
    public Config ToConfig()
    {
        if (ChannelIds.Problem(ChannelId) is { } problem)
        {
            throw new ChannelConfigException(problem);
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var org in Organizations)
        {
            if (string.IsNullOrWhiteSpace(org.Name) || org.Name.Contains('/', StringComparison.Ordinal) || !names.Add(org.Name))
            {
                throw new ChannelConfigException($"channel {ChannelId}: organization name \"{org.Name}\" is empty, contains '/', or is used twice");
            }
        }

        var channelPolicies = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [ConfigTree.Readers] = "ANY Readers",
            [ConfigTree.Writers] = "ANY Writers",
            [ConfigTree.Admins] = "MAJORITY Admins",
        };
        var applicationPolicies = new Dictionary<string, string>(channelPolicies, StringComparer.Ordinal)
        {
            [ConfigTree.Endorsement] = "MAJORITY Endorsement",
            [ConfigTree.LifecycleEndorsement] = "MAJORITY Endorsement",
        };
        var ordererPolicies = new Dictionary<string, string>(channelPolicies, StringComparer.Ordinal)
        {
            [ConfigTree.BlockValidation] = "ANY Writers",
        };
        foreach (var (name, text) in Policies)
        {
            // Endorsement and LifecycleEndorsement live in the Application group, the rest at channel level (as before).
            (name is ConfigTree.Endorsement or ConfigTree.LifecycleEndorsement ? applicationPolicies : channelPolicies)[name] = text;
        }

        var application = new ConfigGroup { ModPolicy = ConfigTree.Admins };
        application.Values[ConfigTree.CapabilitiesKey] = ConfigTree.Value(ConfigTree.Capabilities(ConfigTree.ApplicationCapability));
        application.Values[ConfigTree.AclsKey] = ConfigTree.Value(DefaultAcls());
        AddPolicies(application, applicationPolicies, "Application");
        var orderer = Orderer.ToGroup(ChannelId);
        AddPolicies(orderer, ordererPolicies, "Orderer");
        foreach (var org in Organizations)
        {
            var (applicationGroup, ordererGroup) = org.ToGroups(Orderer.Endpoints);
            if (applicationGroup is not null)
            {
                application.Groups[org.Name] = applicationGroup;
            }

            if (ordererGroup is not null)
            {
                orderer.Groups[org.Name] = ordererGroup;
            }
        }

        var channel = new ConfigGroup { ModPolicy = ConfigTree.Admins };
        channel.Groups[ConfigTree.ApplicationGroup] = application;
        channel.Groups[ConfigTree.OrdererGroup] = orderer;
        channel.Values[ConfigTree.HashingAlgorithmKey] = ConfigTree.Value(new HashingAlgorithm { Name = "SHA256" });
        channel.Values[ConfigTree.BlockDataHashingStructureKey] = ConfigTree.Value(new BlockDataHashingStructure { Width = uint.MaxValue });
        var addresses = new OrdererAddresses();
        addresses.Addresses.AddRange(Orderer.Endpoints.Select(e => e.Address));
        channel.Values[ConfigTree.OrdererAddressesKey] = ConfigTree.Value(addresses, "/Channel/Orderer/Admins");
        channel.Values[ConfigTree.CapabilitiesKey] = ConfigTree.Value(ConfigTree.Capabilities(ConfigTree.ChannelCapability));
        AddPolicies(channel, channelPolicies, "channel");

        var config = new Config { Sequence = 0, ChannelGroup = channel };
        _ = ChannelBundle.Create(ChannelId, config);
        return config;
    }

    /// <summary>Fabric's default ACLs of configtx.yaml's Application section: resource → policy path.</summary>
    internal static ACLs DefaultAcls()
    {
        var acls = new ACLs();
        foreach (var (resource, policy) in new[]
        {
            ("_lifecycle/CheckCommitReadiness", "Writers"), ("_lifecycle/CommitChaincodeDefinition", "Writers"),
            ("_lifecycle/QueryChaincodeDefinition", "Writers"), ("_lifecycle/QueryChaincodeDefinitions", "Writers"),
            ("lscc/ChaincodeExists", "Readers"), ("lscc/GetDeploymentSpec", "Readers"), ("lscc/GetChaincodeData", "Readers"),
            ("lscc/GetInstantiatedChaincodes", "Readers"), ("qscc/GetChainInfo", "Readers"), ("qscc/GetBlockByNumber", "Readers"),
            ("qscc/GetBlockByHash", "Readers"), ("qscc/GetTransactionByID", "Readers"), ("qscc/GetBlockByTxID", "Readers"),
            ("cscc/GetConfigBlock", "Readers"), ("cscc/GetChannelConfig", "Readers"), ("peer/Propose", "Writers"),
            ("peer/ChaincodeToChaincode", "Writers"), ("event/Block", "Readers"), ("event/FilteredBlock", "Readers"),
        })
        {
            acls.Acls[resource] = new APIResource { PolicyRef = $"/Channel/Application/{policy}" };
        }

        return acls;
    }

    private static void AddPolicies(ConfigGroup group, Dictionary<string, string> policies, string where)
    {
        foreach (var (name, text) in policies)
        {
            group.Policies[name] = Policy(text, $"{where} policy {name}");
        }
    }

    /// <summary>A policy element from operator text: "ANY|ALL|MAJORITY Sub" (implicit meta) or the signature DSL.</summary>
    public static ConfigPolicy Policy(string text, string what)
    {
        try
        {
            var trimmed = text.Trim();
            return IsImplicitMeta(trimmed)
                ? ConfigTree.ImplicitMetaPolicy(ImplicitMetaPolicyEvaluator.Parse(trimmed))
                : ConfigTree.SignaturePolicy(PolicyDsl.Parse(trimmed));
        }
        catch (PolicyException e)
        {
            throw new ChannelConfigException($"{what} \"{text}\": {e.Message}", e);
        }
    }

    internal static bool IsImplicitMeta(string text) =>
        text.StartsWith("ANY ", StringComparison.Ordinal) || text.StartsWith("ALL ", StringComparison.Ordinal) || text.StartsWith("MAJORITY ", StringComparison.Ordinal);
}

public sealed class OrganizationProfile
{
    public required string Name { get; init; }

    public required string MspId { get; init; }

    /// <summary>The organisation's msp folder (cacerts/ …), relative to the profile file.</summary>
    public required string MspPath { get; set; }

    /// <summary>"application" and/or "orderer".</summary>
    public required List<string> Roles { get; init; }

    public List<string> AnchorPeers { get; init; } = [];

    public Dictionary<string, string> Policies { get; init; } = [];

    /// <summary>The organisation's group under Application (application role) and under Orderer (orderer role).</summary>
    public (ConfigGroup? Application, ConfigGroup? Orderer) ToGroups(IReadOnlyList<OrdererEndpointProfile> endpoints)
    {
        var msp = MspConfig.FromFolder(MspPath, MspId);
        foreach (var role in Roles)
        {
            if (role is not ("application" or "orderer"))
            {
                throw new ChannelConfigException($"organization {Name}: role \"{role}\" is not \"application\" or \"orderer\"");
            }
        }

        var isApplication = Roles.Contains("application");
        var isOrderer = Roles.Contains("orderer");
        if (!isApplication && !isOrderer)
        {
            throw new ChannelConfigException($"organization {Name}: roles is empty; give \"application\" and/or \"orderer\"");
        }

        var policies = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [ConfigTree.Readers] = !isApplication ? $"OR('{MspId}.member')" : $"OR('{MspId}.admin', '{MspId}.peer', '{MspId}.client')",
            [ConfigTree.Writers] = !isApplication ? $"OR('{MspId}.member')" : $"OR('{MspId}.admin', '{MspId}.client')",
            [ConfigTree.Admins] = $"OR('{MspId}.admin')",
        };
        if (isApplication)
        {
            policies[ConfigTree.Endorsement] = $"OR('{MspId}.peer')";
        }

        foreach (var (name, text) in Policies)
        {
            policies[name] = text;
        }

        var compiled = new Dictionary<string, ConfigPolicy>(StringComparer.Ordinal);
        foreach (var (name, text) in policies)
        {
            if (ChannelProfile.IsImplicitMeta(text.Trim()))
            {
                throw new ChannelConfigException($"organization {Name} policy {name}: must be a signature policy, not \"{text}\"");
            }

            compiled[name] = ChannelProfile.Policy(text, $"organization {Name} policy {name}");
        }

        ConfigGroup? application = null;
        if (isApplication)
        {
            application = ConfigTree.OrganizationGroup(msp, compiled);
            if (AnchorPeers.Count > 0)
            {
                var anchors = new Protos.Peer.AnchorPeers();
                foreach (var peer in AnchorPeers)
                {
                    var (host, port) = NodeConfiguration.ParseRemoteAddress(peer);
                    anchors.AnchorPeers_.Add(new AnchorPeer { Host = host, Port = port });
                }

                application.Values[ConfigTree.AnchorPeersKey] = ConfigTree.Value(anchors);
            }
        }

        ConfigGroup? orderer = null;
        if (isOrderer)
        {
            orderer = ConfigTree.OrganizationGroup(msp, compiled);
            var addresses = new OrdererAddresses();
            addresses.Addresses.AddRange(endpoints.Where(e => e.Organization == Name).Select(e => e.Address));
            orderer.Values[ConfigTree.EndpointsKey] = ConfigTree.Value(addresses);
        }

        return (application, orderer);
    }
}

public sealed class OrdererProfile
{
    public string Consenter { get; init; } = "solo";

    /// <summary>host:port of each orderer, with its organisation's name.</summary>
    public required List<OrdererEndpointProfile> Endpoints { get; init; }

    public uint MaxMessageCount { get; init; } = 500;

    public uint AbsoluteMaxBytes { get; init; } = 10 * 1024 * 1024;

    public uint PreferredMaxBytes { get; init; } = 2 * 1024 * 1024;

    /// <summary>Cut a non-empty block after this long, e.g. "2s" or "250ms".</summary>
    public string BatchTimeout { get; init; } = "2s";

    /// <summary>host:port of Kafka brokers (consenter "kafka" only).</summary>
    public List<string> KafkaBrokers { get; init; } = [];

    /// <summary>The Orderer group without its organisations and policies.</summary>
    internal ConfigGroup ToGroup(string channelId)
    {
        if (Consenter is not ("solo" or "kafka"))
        {
            throw new ChannelConfigException($"channel {channelId}: orderer.consenter \"{Consenter}\" is not \"solo\" or \"kafka\"");
        }

        if (MaxMessageCount == 0 || PreferredMaxBytes == 0 || PreferredMaxBytes > AbsoluteMaxBytes)
        {
            throw new ChannelConfigException($"channel {channelId}: orderer batch sizes need maxMessageCount > 0 and 0 < preferredMaxBytes <= absoluteMaxBytes");
        }

        foreach (var endpoint in Endpoints)
        {
            _ = NodeConfiguration.ParseRemoteAddress(endpoint.Address); // host:port (IP or DNS name), with a one-line error
        }

        var group = new ConfigGroup { ModPolicy = ConfigTree.Admins };
        group.Values[ConfigTree.ConsensusTypeKey] = ConfigTree.Value(new ConsensusType { Type = Consenter });
        group.Values[ConfigTree.BatchSizeKey] = ConfigTree.Value(new BatchSize { MaxMessageCount = MaxMessageCount, AbsoluteMaxBytes = AbsoluteMaxBytes, PreferredMaxBytes = PreferredMaxBytes });
        group.Values[ConfigTree.BatchTimeoutKey] = ConfigTree.Value(new BatchTimeout { Timeout = GoDuration.Format(ParseDuration(BatchTimeout, channelId)) });
        group.Values[ConfigTree.ChannelRestrictionsKey] = ConfigTree.Value(new ChannelRestrictions());
        group.Values[ConfigTree.CapabilitiesKey] = ConfigTree.Value(ConfigTree.Capabilities(ConfigTree.OrdererCapability));
        if (Consenter == "kafka")
        {
            var brokers = new KafkaBrokers();
            brokers.Brokers.AddRange(KafkaBrokers);
            if (brokers.Brokers.Count == 0)
            {
                throw new ChannelConfigException($"channel {channelId}: orderer.kafkaBrokers is empty; a kafka channel needs its brokers");
            }

            group.Values[ConfigTree.KafkaBrokersKey] = ConfigTree.Value(brokers);
        }

        return group;
    }

    private static TimeSpan ParseDuration(string text, string channelId) =>
        GoDuration.Parse(text) is { } duration && duration > TimeSpan.Zero
            ? duration
            : throw new ChannelConfigException($"channel {channelId}: orderer.batchTimeout \"{text}\" is not a duration like \"2s\" or \"250ms\"");
}

public sealed class OrdererEndpointProfile
{
    public required string Organization { get; init; }

    public required string Address { get; init; }
}
