using FnzChain.Protos.Common;
using FnzChain.Protos.Msp;
using Google.Protobuf;

namespace FnzChain.Identity.Channels;

/// <summary>
/// The names Fabric gives to the groups, values and policies of a channel's configuration tree
/// (<c>common.Config.channel_group</c>), and small builders for its elements. A path names an element from the root,
/// e.g. <c>/Channel/Application/Dist1/MSP</c>; policies are referenced by absolute path or by a name relative to the
/// group that holds them.
/// </summary>
public static class ConfigTree
{
    public const string ChannelGroup = "Channel";
    public const string ApplicationGroup = "Application";
    public const string OrdererGroup = "Orderer";

    // Channel group values.
    public const string HashingAlgorithmKey = "HashingAlgorithm";
    public const string BlockDataHashingStructureKey = "BlockDataHashingStructure";
    public const string OrdererAddressesKey = "OrdererAddresses";
    public const string CapabilitiesKey = "Capabilities";

    // Orderer group values.
    public const string ConsensusTypeKey = "ConsensusType";
    public const string BatchSizeKey = "BatchSize";
    public const string BatchTimeoutKey = "BatchTimeout";
    public const string KafkaBrokersKey = "KafkaBrokers";
    public const string ChannelRestrictionsKey = "ChannelRestrictions";

    // Application group values.
    public const string AclsKey = "ACLs";

    // Organisation group values.
    public const string MspKey = "MSP";
    public const string AnchorPeersKey = "AnchorPeers";
    public const string EndpointsKey = "Endpoints";

    // Policy names.
    public const string Readers = "Readers";
    public const string Writers = "Writers";
    public const string Admins = "Admins";
    public const string Endorsement = "Endorsement";
    public const string LifecycleEndorsement = "LifecycleEndorsement";
    public const string BlockValidation = "BlockValidation";

    /// <summary>Fabric's capability names written into new channels.</summary>
    public const string ChannelCapability = "V2_0";
    public const string OrdererCapability = "V2_0";
    public const string ApplicationCapability = "V2_5";

    public static string Path(params string[] parts) => "/" + string.Join('/', parts);

    public static ConfigValue Value(IMessage message, string modPolicy = Admins) =>
        new() { Value = message.ToByteString(), ModPolicy = modPolicy };

    public static ConfigPolicy SignaturePolicy(SignaturePolicyEnvelope envelope, string modPolicy = Admins) =>
        new() { Policy = new Policy { Type = (int)Policy.Types.PolicyType.Signature, Value = envelope.ToByteString() }, ModPolicy = modPolicy };

    public static ConfigPolicy ImplicitMetaPolicy(ImplicitMetaPolicy meta, string modPolicy = Admins) =>
        new() { Policy = new Policy { Type = (int)Policy.Types.PolicyType.ImplicitMeta, Value = meta.ToByteString() }, ModPolicy = modPolicy };

    public static Capabilities Capabilities(params string[] names)
    {
        var capabilities = new Capabilities();
        foreach (var name in names)
        {
            capabilities.Capabilities_[name] = new Capability();
        }

        return capabilities;
    }

    /// <summary>Fabric's <c>MSPConfig</c> of type FABRIC (0) wrapping <paramref name="msp"/>.</summary>
    public static MSPConfig MspValue(FabricMSPConfig msp) => new() { Type = 0, Config = msp.ToByteString() };

    /// <summary>An organisation group as Fabric writes one: its MSP, Readers/Writers/Admins(/Endorsement) policies, mod_policy Admins.</summary>
    public static ConfigGroup OrganizationGroup(FabricMSPConfig msp, IReadOnlyDictionary<string, ConfigPolicy> policies)
    {
        ArgumentNullException.ThrowIfNull(msp);
        ArgumentNullException.ThrowIfNull(policies);
        var group = new ConfigGroup { ModPolicy = Admins };
        group.Values[MspKey] = Value(MspValue(msp));
        foreach (var (name, policy) in policies)
        {
            group.Policies[name] = policy;
        }

        return group;
    }

    /// <summary>A deep copy of <paramref name="config"/> (protobuf messages are mutable; bundles keep their own).</summary>
    public static Config Copy(Config config) => config.Clone();
}
