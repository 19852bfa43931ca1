using FnzChain.Node.Channels;
using FnzChain.Identity.Channels;
using FnzChain.Identity.Policies;
using FnzChain.Node;
using FnzChain.Protos.Config;
using Google.Protobuf.WellKnownTypes;

namespace FnzChain.Orderer.Channels;

/// <summary>
/// A channel profile file (JSON) from which <c>fnzchain channel create</c> builds the genesis configuration:
/// organisations with their MSP folders and roles, orderer settings, and optional policy overrides. Defaults
/// follow Fabric's sample configtx: organisation Readers = admin|peer|client (orderer orgs: member), Writers =
/// admin|client (orderer orgs: member), Admins = admin, Endorsement = peer; channel Readers "ANY Readers",
/// Writers "ANY Writers", Admins "MAJORITY Admins", Endorsement and LifecycleEndorsement "MAJORITY Endorsement".
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
    public ChannelConfig ToConfig()
    {
        if (ChannelIds.Problem(ChannelId) is { } problem)
        {
            throw new ChannelConfigException(problem);
        }

        var config = new ChannelConfig { ChannelId = ChannelId, Sequence = 0, Orderer = Orderer.ToConfig(ChannelId), Application = new ApplicationConfig() };
        config.Capabilities.Add("V2_5");
        foreach (var org in Organizations)
        {
            config.Organizations.Add(org.ToConfig());
        }

        var policies = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [ChannelBundle.Readers] = "ANY Readers",
            [ChannelBundle.Writers] = "ANY Writers",
            [ChannelBundle.Admins] = "MAJORITY Admins",
            [ChannelBundle.Endorsement] = "MAJORITY Endorsement",
            [ChannelBundle.LifecycleEndorsement] = "MAJORITY Endorsement",
        };
        foreach (var (name, text) in Policies)
        {
            policies[name] = text;
        }

        foreach (var (name, text) in policies)
        {
            config.Policies[name] = Policy(text, $"channel policy {name}");
        }

        _ = ChannelBundle.Create(config);
        return config;
    }

    internal static PolicyDefinition Policy(string text, string what)
    {
        try
        {
            var trimmed = text.Trim();
            return trimmed.StartsWith("ANY ", StringComparison.Ordinal) || trimmed.StartsWith("ALL ", StringComparison.Ordinal) || trimmed.StartsWith("MAJORITY ", StringComparison.Ordinal)
                ? new PolicyDefinition { ImplicitMeta = ImplicitMetaPolicyEvaluator.Parse(trimmed), Source = trimmed }
                : new PolicyDefinition { Signature = PolicyDsl.Parse(trimmed), Source = trimmed };
        }
        catch (PolicyException e)
        {
            throw new ChannelConfigException($"{what} \"{text}\": {e.Message}", e);
        }
    }
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

    internal Organization ToConfig()
    {
        var org = new Organization { Name = Name, Msp = MspConfig.FromFolder(MspPath, MspId) };
        foreach (var role in Roles)
        {
            org.Roles.Add(role switch
            {
                "application" => OrganizationRole.Application,
                "orderer" => OrganizationRole.Orderer,
                _ => throw new ChannelConfigException($"organization {Name}: role \"{role}\" is not \"application\" or \"orderer\""),
            });
        }

        foreach (var peer in AnchorPeers)
        {
            var endpoint = NodeConfiguration.ParseEndpoint(peer);
            org.AnchorPeers.Add(new Endpoint { Host = endpoint.Address.ToString(), Port = (uint)endpoint.Port });
        }

        var isOrderer = org.Roles.Contains(OrganizationRole.Orderer) && !org.Roles.Contains(OrganizationRole.Application);
        var defaults = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [ChannelBundle.Readers] = isOrderer ? $"OR('{MspId}.member')" : $"OR('{MspId}.admin', '{MspId}.peer', '{MspId}.client')",
            [ChannelBundle.Writers] = isOrderer ? $"OR('{MspId}.member')" : $"OR('{MspId}.admin', '{MspId}.client')",
            [ChannelBundle.Admins] = $"OR('{MspId}.admin')",
        };
        if (!isOrderer)
        {
            defaults[ChannelBundle.Endorsement] = $"OR('{MspId}.peer')";
        }

        foreach (var (name, text) in Policies)
        {
            defaults[name] = text;
        }

        foreach (var (name, text) in defaults)
        {
            var policy = ChannelProfile.Policy(text, $"organization {Name} policy {name}");
            if (policy.RuleCase != PolicyDefinition.RuleOneofCase.Signature)
            {
                throw new ChannelConfigException($"organization {Name} policy {name}: must be a signature policy, not \"{text}\"");
            }

            org.Policies[name] = policy;
        }

        return org;
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

    internal OrdererConfig ToConfig(string channelId)
    {
        var config = new OrdererConfig
        {
            ConsenterType = Consenter switch
            {
                "solo" => ConsenterType.Solo,
                "kafka" => ConsenterType.Kafka,
                _ => throw new ChannelConfigException($"channel {channelId}: orderer.consenter \"{Consenter}\" is not \"solo\" or \"kafka\""),
            },
            BatchSize = new BatchSize { MaxMessageCount = MaxMessageCount, AbsoluteMaxBytes = AbsoluteMaxBytes, PreferredMaxBytes = PreferredMaxBytes },
            BatchTimeout = Duration.FromTimeSpan(ParseDuration(BatchTimeout, channelId)),
        };
        if (MaxMessageCount == 0 || PreferredMaxBytes == 0 || PreferredMaxBytes > AbsoluteMaxBytes)
        {
            throw new ChannelConfigException($"channel {channelId}: orderer batch sizes need maxMessageCount > 0 and 0 < preferredMaxBytes <= absoluteMaxBytes");
        }

        foreach (var endpoint in Endpoints)
        {
            var parsed = NodeConfiguration.ParseEndpoint(endpoint.Address);
            config.Endpoints.Add(new OrdererEndpoint
            {
                Organization = endpoint.Organization,
                Endpoint = new Endpoint { Host = parsed.Address.ToString(), Port = (uint)parsed.Port },
            });
        }

        return config;
    }

    private static TimeSpan ParseDuration(string text, string channelId)
    {
        var (number, unit) = text.EndsWith("ms", StringComparison.Ordinal) ? (text[..^2], 1.0)
            : text.EndsWith('s') ? (text[..^1], 1000.0)
            : (text, double.NaN);
        return !double.IsNaN(unit) && double.TryParse(number, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var value) && value > 0
            ? TimeSpan.FromMilliseconds(value * unit)
            : throw new ChannelConfigException($"channel {channelId}: orderer.batchTimeout \"{text}\" is not a duration like \"2s\" or \"250ms\"");
    }
}

public sealed class OrdererEndpointProfile
{
    public required string Organization { get; init; }

    public required string Address { get; init; }
}
