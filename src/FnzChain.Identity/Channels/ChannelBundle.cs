using FnzChain.Identity.Msp;
using FnzChain.Identity.Policies;
using FnzChain.Protos.Common;
using FnzChain.Protos.Lifecycle;
using MspDefinition = FnzChain.Identity.Msp.MspDefinition;

namespace FnzChain.Identity.Channels;

/// <summary>
/// A channel's configuration made usable: the MSPs of its organisations in one <see cref="MspRegistry"/>, and every
/// policy of its tree compiled under its absolute path (<c>/Channel/Readers</c>, <c>/Channel/Application/Endorsement</c>,
/// <c>/Channel/Application/Dist1/Admins</c> …).
/// </summary>
/// <remarks>
/// As in Fabric, an implicit-meta policy of a group ranges over the group's sub-groups: <c>/Channel/Admins</c>
/// ("MAJORITY Admins") over the Application and Orderer groups, <c>/Channel/Application/Endorsement</c> over the
/// application organisations. A sub-group without the sub-policy counts as one that does not sign. Immutable: a
/// config update builds a new bundle.
/// </remarks>
public sealed class ChannelBundle
{
    public const string Readers = "/Channel/Readers";
    public const string Writers = "/Channel/Writers";
    public const string Admins = "/Channel/Admins";
    public const string Endorsement = "/Channel/Application/Endorsement";
    public const string LifecycleEndorsement = "/Channel/Application/LifecycleEndorsement";

    private readonly Dictionary<string, IPolicy> _policies;
    private readonly Dictionary<string, ChannelOrganization> _organizationsByMsp;
    private readonly Dictionary<string, ChaincodeDefinition> _chaincodes;

    private ChannelBundle(ChannelConfig config, MspRegistry msps, Dictionary<string, IPolicy> policies, IReadOnlyList<ChaincodeDefinition> chaincodes)
    {
        Config = config;
        Msps = msps;
        _policies = policies;
        _organizationsByMsp = config.Organizations.ToDictionary(o => o.MspId, StringComparer.Ordinal);
        Chaincodes = chaincodes;
        _chaincodes = chaincodes.ToDictionary(c => c.Name, StringComparer.Ordinal);
    }

    public ChannelConfig Config { get; }

    /// <summary>
    /// The chaincode definitions in force with this configuration, sorted by name: on a peer, those committed to the
    /// <c>_lifecycle</c> namespace of world state before the block being validated (<see cref="ChaincodeLifecycle"/>).
    /// Empty in a bundle made from configuration alone — definitions are not configuration.
    /// </summary>
    public IReadOnlyList<ChaincodeDefinition> Chaincodes { get; }

    /// <summary>The definition of chaincode <paramref name="name"/>, or null when it is not defined.</summary>
    public ChaincodeDefinition? Chaincode(string name) => _chaincodes.GetValueOrDefault(name);

    /// <summary>This configuration with <paramref name="definitions"/> as the chaincodes in force (the policies are shared, not recompiled).</summary>
    public ChannelBundle WithChaincodes(IEnumerable<ChaincodeDefinition> definitions)
    {
        ArgumentNullException.ThrowIfNull(definitions);
        return new ChannelBundle(Config, Msps, _policies, [.. definitions.OrderBy(c => c.Name, StringComparer.Ordinal)]);
    }

    public string ChannelId => Config.ChannelId;

    public MspRegistry Msps { get; }

    /// <summary>Every compiled policy by absolute path.</summary>
    public IReadOnlyDictionary<string, IPolicy> Policies => _policies;

    /// <summary>Reads and compiles channel <paramref name="channelId"/>'s configuration tree.</summary>
    public static ChannelBundle Create(string channelId, Config tree, TimeProvider? time = null) => Create(ChannelConfig.Read(channelId, tree), time);

    /// <summary>Validates and compiles a channel configuration. Every problem is a <see cref="ChannelConfigException"/> naming the path.</summary>
    public static ChannelBundle Create(ChannelConfig config, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        var definitions = new List<MspDefinition>();
        foreach (var org in config.Organizations)
        {
            definitions.Add(MspConfig.ToDefinition(org.Msp, org.Name));
        }

        MspRegistry msps;
        try
        {
            msps = new MspRegistry(definitions, time);
        }
        catch (MspException e)
        {
            throw new ChannelConfigException($"channel {config.ChannelId}: {e.Message}", e);
        }

        var policies = new Dictionary<string, IPolicy>(StringComparer.Ordinal);
        CompileGroup("/" + ConfigTree.ChannelGroup, config.Tree.ChannelGroup, policies);
        foreach (var required in new[] { Readers, Writers, Admins })
        {
            if (!policies.ContainsKey(required))
            {
                throw new ChannelConfigException($"channel {config.ChannelId}: has no {required} policy");
            }
        }

        return new ChannelBundle(config, msps, policies, []);
    }

    /// <summary>
    /// The absolute path of a policy reference made in the group at <paramref name="groupPath"/>: an absolute path as
    /// it is, a relative name under that group (Fabric's mod_policy and policy-reference rules).
    /// </summary>
    public static string ResolvePolicyPath(string reference, string groupPath = "/Channel") =>
        reference.StartsWith('/') ? reference : $"{groupPath}/{reference}";

    /// <summary>The policy at <paramref name="path"/> (absolute, or relative to /Channel), or null.</summary>
    public IPolicy? FindPolicy(string path) => _policies.GetValueOrDefault(ResolvePolicyPath(path));

    /// <summary>Evaluates policy <paramref name="path"/>; an unknown policy is not satisfied and says so.</summary>
    public PolicyResult Evaluate(string path, IEnumerable<SignedData> signatures, OwnSignatures? own = null)
    {
        ArgumentNullException.ThrowIfNull(signatures);
        return _policies.ContainsKey(ResolvePolicyPath(path))
            ? Evaluate(path, SignatureSet.Validate(signatures, Msps, own))
            : PolicyResult.NotSatisfied($"channel {ChannelId} has no policy {ResolvePolicyPath(path)}");
    }

    /// <summary>Evaluates policy <paramref name="path"/> against signers that are already validated.</summary>
    public PolicyResult Evaluate(string path, SignatureSet signers)
    {
        ArgumentNullException.ThrowIfNull(signers);
        var absolute = ResolvePolicyPath(path);
        if (!_policies.TryGetValue(absolute, out var policy))
        {
            return PolicyResult.NotSatisfied($"channel {ChannelId} has no policy {absolute}");
        }

        var result = policy.Evaluate(signers);
        return result.IsSatisfied ? result : PolicyResult.NotSatisfied($"channel {ChannelId} policy {absolute}: {result.Reason}");
    }

    /// <summary>The organisation whose MSP is <paramref name="mspId"/>, or null.</summary>
    public ChannelOrganization? OrganizationOf(string mspId) => _organizationsByMsp.GetValueOrDefault(mspId);

    private static void CompileGroup(string path, ConfigGroup group, Dictionary<string, IPolicy> compiled)
    {
        foreach (var (name, child) in group.Groups.OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            CompileGroup($"{path}/{name}", child, compiled);
        }

        foreach (var (name, policy) in group.Policies.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            compiled[$"{path}/{name}"] = Compile(policy.Policy, $"{path}/{name}", group, path, compiled);
        }
    }

    private static IPolicy Compile(Policy? policy, string what, ConfigGroup group, string groupPath, Dictionary<string, IPolicy> compiled)
    {
        try
        {
            switch ((Policy.Types.PolicyType)(policy?.Type ?? 0))
            {
                case Policy.Types.PolicyType.Signature:
                    return SignaturePolicyEvaluator.Compile(ChannelConfig.Decode(SignaturePolicyEnvelope.Parser, policy!.Value, what));
                case Policy.Types.PolicyType.ImplicitMeta when group.Groups.Count == 0:
                    throw new ChannelConfigException($"{what}: an implicit-meta policy needs sub-groups to range over; {groupPath} has none");
                case Policy.Types.PolicyType.ImplicitMeta:
                    var meta = ChannelConfig.Decode(ImplicitMetaPolicy.Parser, policy!.Value, what);
                    var members = group.Groups.Keys.Order(StringComparer.Ordinal)
                        .Select(child => new OrganizationPolicy(child, compiled.GetValueOrDefault($"{groupPath}/{child}/{meta.SubPolicy}")))
                        .ToList();
                    return new ImplicitMetaPolicyEvaluator(meta, members, groupPath == "/Channel" ? "groups" : "organisations");
                default:
                    throw new ChannelConfigException($"{what}: policy type {policy?.Type ?? 0} is not supported (SIGNATURE or IMPLICIT_META)");
            }
        }
        catch (PolicyException e)
        {
            throw new ChannelConfigException($"{what}: {e.Message}", e);
        }
    }
}
