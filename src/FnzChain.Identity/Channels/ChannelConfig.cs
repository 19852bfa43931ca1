using FnzChain.Protos.Common;
using FnzChain.Protos.Msp;
using FnzChain.Protos.Orderer;
using FnzChain.Protos.Peer;
using Google.Protobuf;

namespace FnzChain.Identity.Channels;

/// <summary>
/// A channel's configuration read from Fabric's tree (<c>common.Config</c>): the organisations of its Application and
/// Orderer groups, the orderer settings, the chaincode definitions, and the tree itself (which policies and config
/// updates work on). Reading is strict: a value that does not decode, a required value that is missing or an
/// unknown consensus type is a <see cref="ChannelConfigException"/> naming the path.
/// </summary>
public sealed class ChannelConfig
{
    private ChannelConfig(string channelId, Config tree, IReadOnlyList<ChannelOrganization> organizations, OrdererSettings orderer)
    {
        ChannelId = channelId;
        Tree = tree;
        Organizations = organizations;
        Orderer = orderer;
    }

    public string ChannelId { get; }

    /// <summary>0 in the genesis block, +1 per accepted config update.</summary>
    public ulong Sequence => Tree.Sequence;

    /// <summary>The configuration as Fabric's tree. Do not modify: copy it (<see cref="ConfigTree.Copy"/>) to derive a new one.</summary>
    public Config Tree { get; }

    /// <summary>Every organisation of the channel, once each; an organisation in both groups has both roles.</summary>
    public IReadOnlyList<ChannelOrganization> Organizations { get; }

    public OrdererSettings Orderer { get; }

    /// <summary>Reads <paramref name="tree"/> as the configuration of channel <paramref name="channelId"/>.</summary>
    public static ChannelConfig Read(string channelId, Config tree)
    {
        ArgumentNullException.ThrowIfNull(tree);
        if (string.IsNullOrWhiteSpace(channelId))
        {
            throw new ChannelConfigException("the channel id is empty");
        }

        var channel = tree.ChannelGroup ?? throw new ChannelConfigException($"channel {channelId}: config has no channel_group");
        var application = channel.Groups.GetValueOrDefault(ConfigTree.ApplicationGroup)
            ?? throw new ChannelConfigException($"channel {channelId}: /Channel has no {ConfigTree.ApplicationGroup} group");
        var ordererGroup = channel.Groups.GetValueOrDefault(ConfigTree.OrdererGroup)
            ?? throw new ChannelConfigException($"channel {channelId}: /Channel has no {ConfigTree.OrdererGroup} group");
        foreach (var key in channel.Groups.Keys)
        {
            if (key is not (ConfigTree.ApplicationGroup or ConfigTree.OrdererGroup))
            {
                throw new ChannelConfigException($"channel {channelId}: /Channel/{key} is not a group an application channel has (Application, Orderer)");
            }
        }

        var organizations = new Dictionary<string, ChannelOrganization>(StringComparer.Ordinal);
        ReadOrganizations(channelId, application, ConfigTree.ApplicationGroup, organizations);
        ReadOrganizations(channelId, ordererGroup, ConfigTree.OrdererGroup, organizations);
        if (organizations.Count == 0)
        {
            throw new ChannelConfigException($"channel {channelId}: has no organisations");
        }

        var byMsp = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var org in organizations.Values)
        {
            if (!byMsp.TryAdd(org.MspId, org.Name))
            {
                throw new ChannelConfigException($"organization {org.Name}: MSP id {org.MspId} is also used by organization {byMsp[org.MspId]}");
            }
        }

        CheckChannelValues(channel, application);
        var orderer = ReadOrderer(channelId, ordererGroup, organizations.Values);
        if (orderer.Endpoints.Count == 0 && channel.Values.TryGetValue(ConfigTree.OrdererAddressesKey, out var global))
        {
            // Fabric 1.x style: orderer addresses at channel level only.
            orderer = orderer with { Endpoints = [.. Decode(OrdererAddresses.Parser, global.Value, "/Channel/OrdererAddresses").Addresses.Select(a => new OrdererEndpoint(string.Empty, a))] };
        }
        return new ChannelConfig(channelId, tree, [.. organizations.Values.OrderBy(o => o.Name, StringComparer.Ordinal)], orderer);
    }

    /// <summary>Fabric's capabilities this node implements, per group; a configuration requiring another is refused.</summary>
    private static readonly Dictionary<string, string[]> KnownCapabilities = new(StringComparer.Ordinal)
    {
        ["/Channel"] = ["V1_1", "V1_3", "V1_4_2", "V1_4_3", "V2_0"],
        ["/Channel/Orderer"] = ["V1_1", "V1_4_2", "V2_0"],
        ["/Channel/Application"] = ["V1_1", "V1_2", "V1_3", "V1_4_2", "V2_0", "V2_5"],
    };

    private static void CheckChannelValues(ConfigGroup channel, ConfigGroup application)
    {
        foreach (var key in channel.Values.Keys)
        {
            if (key is not (ConfigTree.HashingAlgorithmKey or ConfigTree.BlockDataHashingStructureKey or ConfigTree.OrdererAddressesKey or ConfigTree.CapabilitiesKey or "Consortium"))
            {
                throw new ChannelConfigException($"/Channel/{key}: not a value the Channel group has");
            }
        }

        foreach (var key in application.Values.Keys)
        {
            if (key is not (ConfigTree.CapabilitiesKey or ConfigTree.AclsKey))
            {
                throw new ChannelConfigException($"/Channel/Application/{key}: not a value the Application group has (Capabilities, ACLs; chaincode definitions live in _lifecycle state)");
            }
        }

        if (channel.Values.TryGetValue(ConfigTree.HashingAlgorithmKey, out var hashing)
            && Decode(HashingAlgorithm.Parser, hashing.Value, "/Channel/HashingAlgorithm").Name is var name && name != "SHA256")
        {
            throw new ChannelConfigException($"/Channel/HashingAlgorithm: \"{name}\" is not supported (SHA256)");
        }

        if (channel.Values.TryGetValue(ConfigTree.BlockDataHashingStructureKey, out var structure)
            && Decode(BlockDataHashingStructure.Parser, structure.Value, "/Channel/BlockDataHashingStructure").Width is var width && width != uint.MaxValue)
        {
            throw new ChannelConfigException($"/Channel/BlockDataHashingStructure: width {width} is not supported ({uint.MaxValue}, a flat hash of the block data)");
        }

        foreach (var (path, group) in new[] { ("/Channel", channel), ("/Channel/Orderer", channel.Groups[ConfigTree.OrdererGroup]), ("/Channel/Application", application) })
        {
            if (group.Values.TryGetValue(ConfigTree.CapabilitiesKey, out var value))
            {
                var unknown = Decode(Capabilities.Parser, value.Value, path + "/Capabilities").Capabilities_.Keys.Where(c => !KnownCapabilities[path].Contains(c)).ToList();
                if (unknown.Count > 0)
                {
                    throw new ChannelConfigException($"{path}/Capabilities: {string.Join(", ", unknown)} not supported by this node (it supports {string.Join(", ", KnownCapabilities[path])})");
                }
            }
        }
    }

    private static void ReadOrganizations(string channelId, ConfigGroup group, string groupName, Dictionary<string, ChannelOrganization> organizations)
    {
        foreach (var (name, org) in group.Groups)
        {
            var path = $"/Channel/{groupName}/{name}";
            if (org.Groups.Count > 0)
            {
                throw new ChannelConfigException($"{path}: an organisation has no sub-groups, found {string.Join(", ", org.Groups.Keys)}");
            }

            var allowed = groupName == ConfigTree.ApplicationGroup ? new[] { ConfigTree.MspKey, ConfigTree.AnchorPeersKey } : [ConfigTree.MspKey, ConfigTree.EndpointsKey];
            if (org.Values.Keys.FirstOrDefault(k => !allowed.Contains(k)) is { } unknown)
            {
                throw new ChannelConfigException($"{path}/{unknown}: an {groupName.ToLowerInvariant()} organisation's values are {string.Join(" and ", allowed)}");
            }

            if (!org.Values.TryGetValue(ConfigTree.MspKey, out var mspValue))
            {
                throw new ChannelConfigException($"{path}: has no MSP value");
            }

            var msp = MspConfig.FromValue(mspValue.Value, name);
            var anchors = org.Values.TryGetValue(ConfigTree.AnchorPeersKey, out var anchorValue)
                ? Decode(AnchorPeers.Parser, anchorValue.Value, path + "/AnchorPeers").AnchorPeers_.Select(a => $"{a.Host}:{a.Port}").ToList()
                : [];
            var endpoints = org.Values.TryGetValue(ConfigTree.EndpointsKey, out var endpointValue)
                ? Decode(OrdererAddresses.Parser, endpointValue.Value, path + "/Endpoints").Addresses.ToList()
                : [];
            var isApplication = groupName == ConfigTree.ApplicationGroup;
            if (organizations.TryGetValue(name, out var other))
            {
                if (other.MspId != msp.Name || !other.Msp.Equals(msp))
                {
                    throw new ChannelConfigException($"organization {name} is in both the Application and the Orderer group with different MSPs; one organisation has one MSP");
                }

                organizations[name] = other with
                {
                    IsApplication = other.IsApplication || isApplication,
                    IsOrderer = other.IsOrderer || !isApplication,
                    AnchorPeers = isApplication ? anchors : other.AnchorPeers,
                    OrdererEndpoints = isApplication ? other.OrdererEndpoints : endpoints,
                };
            }
            else
            {
                organizations[name] = new ChannelOrganization(name, msp.Name, msp, isApplication, !isApplication, anchors, endpoints);
            }
        }
    }

    private static OrdererSettings ReadOrderer(string channelId, ConfigGroup group, IEnumerable<ChannelOrganization> organizations)
    {
        const string path = "/Channel/Orderer";
        var consensus = Decode(ConsensusType.Parser, Required(group, ConfigTree.ConsensusTypeKey, path), path + "/ConsensusType");
        if (consensus.Type is not ("solo" or "kafka"))
        {
            throw new ChannelConfigException($"{path}/ConsensusType: type \"{consensus.Type}\" is not supported (solo or kafka)");
        }

        if (consensus.State != ConsensusType.Types.State.Normal)
        {
            throw new ChannelConfigException($"{path}/ConsensusType: state {consensus.State} is not supported (maintenance mode belongs to consensus migration)");
        }

        var batch = Decode(BatchSize.Parser, Required(group, ConfigTree.BatchSizeKey, path), path + "/BatchSize");
        if (batch.MaxMessageCount == 0 || batch.PreferredMaxBytes == 0 || batch.PreferredMaxBytes > batch.AbsoluteMaxBytes)
        {
            throw new ChannelConfigException(
                $"{path}/BatchSize: needs max_message_count > 0 and 0 < preferred_max_bytes <= absolute_max_bytes (got {batch.MaxMessageCount}, {batch.PreferredMaxBytes}, {batch.AbsoluteMaxBytes})");
        }

        var timeoutText = Decode(BatchTimeout.Parser, Required(group, ConfigTree.BatchTimeoutKey, path), path + "/BatchTimeout").Timeout;
        var timeout = GoDuration.Parse(timeoutText) is { } parsed && parsed > TimeSpan.Zero
            ? parsed
            : throw new ChannelConfigException($"{path}/BatchTimeout: \"{timeoutText}\" is not a positive duration like \"2s\" or \"250ms\"");
        var brokers = group.Values.TryGetValue(ConfigTree.KafkaBrokersKey, out var kafka)
            ? Decode(KafkaBrokers.Parser, kafka.Value, path + "/KafkaBrokers").Brokers.ToList()
            : [];
        if (consensus.Type == "kafka" && brokers.Count == 0)
        {
            throw new ChannelConfigException($"{path}/KafkaBrokers: a kafka channel needs at least one broker");
        }

        var restrictions = group.Values.TryGetValue(ConfigTree.ChannelRestrictionsKey, out var restriction)
            ? Decode(ChannelRestrictions.Parser, restriction.Value, path + "/ChannelRestrictions")
            : new ChannelRestrictions();
        foreach (var key in group.Values.Keys)
        {
            if (key is not (ConfigTree.ConsensusTypeKey or ConfigTree.BatchSizeKey or ConfigTree.BatchTimeoutKey or ConfigTree.KafkaBrokersKey or ConfigTree.ChannelRestrictionsKey or ConfigTree.CapabilitiesKey))
            {
                throw new ChannelConfigException($"{path}/{key}: not a value the Orderer group has");
            }
        }

        var endpoints = organizations.Where(o => o.IsOrderer).SelectMany(o => o.OrdererEndpoints.Select(a => new OrdererEndpoint(o.Name, a))).ToList();
        return new OrdererSettings(consensus.Type, batch, timeout, brokers, endpoints, restrictions.MaxCount);
    }

    private static ByteString Required(ConfigGroup group, string key, string path) =>
        group.Values.TryGetValue(key, out var value) ? value.Value : throw new ChannelConfigException($"{path} has no {key} value");

    internal static T Decode<T>(MessageParser<T> parser, ByteString bytes, string path)
        where T : IMessage<T>
    {
        try
        {
            return parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new ChannelConfigException($"{path}: not a {typeof(T).Name}: {e.Message}", e);
        }
    }
}

/// <summary>One organisation of a channel: its name (the group key), MSP, roles, anchor peers and orderer endpoints ("host:port").</summary>
public sealed record ChannelOrganization(
    string Name,
    string MspId,
    FabricMSPConfig Msp,
    bool IsApplication,
    bool IsOrderer,
    IReadOnlyList<string> AnchorPeers,
    IReadOnlyList<string> OrdererEndpoints);

/// <summary>The Orderer group's settings. <see cref="ConsensusType"/> is Fabric's name: "solo" or "kafka".</summary>
public sealed record OrdererSettings(
    string ConsensusType,
    BatchSize BatchSize,
    TimeSpan BatchTimeout,
    IReadOnlyList<string> KafkaBrokers,
    IReadOnlyList<OrdererEndpoint> Endpoints,
    ulong MaxChannels);

/// <summary>Where an orderer of <paramref name="Organization"/> listens, "host:port".</summary>
public sealed record OrdererEndpoint(string Organization, string Address);
