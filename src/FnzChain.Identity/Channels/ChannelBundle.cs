using FnzChain.Identity.Msp;
using FnzChain.Identity.Policies;
using FnzChain.Protos.Common;
using FnzChain.Protos.Config;
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

    private ChannelBundle(ChannelConfig config, MspRegistry msps, Dictionary<string, IPolicy> policies)
    {
        Config = config;
        Msps = msps;
        _policies = policies;
        _organizationsByMsp = config.Organizations.ToDictionary(o => o.MspId, StringComparer.Ordinal);
    }

    public ChannelConfig Config { get; }

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

        CheckChaincodes(config);
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

        return new ChannelBundle(config, msps, policies);
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

    /// <summary>Chaincode names and their private data collections: valid, unique names, member policies that compile.</summary>
    private static void CheckChaincodes(ChannelConfig config)
    {
        var chaincodes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var chaincode in config.Chaincodes)
        {
            if (!System.Text.RegularExpressions.Regex.IsMatch(chaincode.Name, "^[A-Za-z0-9]+([-_][A-Za-z0-9]+)*$") || !chaincodes.Add(chaincode.Name))
            {
                throw new ChannelConfigException($"channel {config.ChannelId}: chaincode name \"{chaincode.Name}\" is not letters and digits joined by '-' or '_', or is defined twice");
            }

            var collections = new HashSet<string>(StringComparer.Ordinal);
            foreach (var entry in chaincode.Collections?.Config ?? [])
            {
                var collection = entry.StaticCollectionConfig
                    ?? throw new ChannelConfigException($"chaincode {chaincode.Name}: a collection is not a static collection");
                var problem = CollectionNameProblem(collection.Name) ?? (collections.Add(collection.Name) ? null : $"collection {collection.Name} is defined twice");
                if (problem is not null)
                {
                    throw new ChannelConfigException($"chaincode {chaincode.Name}: {problem}");
                }

                if (collection.MemberOrgsPolicy?.SignaturePolicy is not { } members)
                {
                    throw new ChannelConfigException($"chaincode {chaincode.Name} collection {collection.Name}: member_orgs_policy is missing");
                }

                try
                {
                    SignaturePolicyEvaluator.Compile(members);
                }
                catch (PolicyException e)
                {
                    throw new ChannelConfigException($"chaincode {chaincode.Name} collection {collection.Name}: member policy: {e.Message}");
                }

                if (collection.EndorsementPolicy?.TypeCase == Protos.Peer.ApplicationPolicy.TypeOneofCase.SignaturePolicy)
                {
                    try
                    {
                        SignaturePolicyEvaluator.Compile(collection.EndorsementPolicy.SignaturePolicy);
                    }
                    catch (PolicyException e)
                    {
                        throw new ChannelConfigException($"chaincode {chaincode.Name} collection {collection.Name}: endorsement policy: {e.Message}");
                    }
                }

                if (collection.RequiredPeerCount < 0 || collection.MaximumPeerCount < collection.RequiredPeerCount)
                {
                    throw new ChannelConfigException($"chaincode {chaincode.Name} collection {collection.Name}: requiredPeerCount {collection.RequiredPeerCount} must be 0..maxPeerCount ({collection.MaximumPeerCount})");
                }
            }
        }
    }

    /// <summary>
    /// Why <paramref name="next"/> may not follow <paramref name="previous"/>, or null. As Fabric's lifecycle: a
    /// chaincode that stays defined keeps every collection it had (private data already written must keep a home),
    /// and an existing collection keeps its <c>blockToLive</c> (expiry already scheduled must stay meaningful).
    /// Members, peer counts, read/write rules and endorsement policies may change.
    /// </summary>
    public static string? TransitionProblem(ChannelConfig previous, ChannelConfig next)
    {
        ArgumentNullException.ThrowIfNull(previous);
        ArgumentNullException.ThrowIfNull(next);
        return TransitionProblem(previous.Chaincodes, next.Chaincodes);
    }

    /// <inheritdoc cref="TransitionProblem(ChannelConfig, ChannelConfig)"/>
    public static string? TransitionProblem(IEnumerable<ChaincodeDefinition> previous, IEnumerable<ChaincodeDefinition> next)
    {
        ArgumentNullException.ThrowIfNull(previous);
        ArgumentNullException.ThrowIfNull(next);
        var nextByName = next.ToDictionary(c => c.Name, StringComparer.Ordinal);
        foreach (var before in previous)
        {
            if (!nextByName.TryGetValue(before.Name, out var after))
            {
                continue;
            }

            var now = (after.Collections?.Config ?? []).Select(c => c.StaticCollectionConfig).Where(c => c is not null).ToDictionary(c => c!.Name, StringComparer.Ordinal);
            foreach (var collection in (before.Collections?.Config ?? []).Select(c => c.StaticCollectionConfig).Where(c => c is not null))
            {
                if (!now.TryGetValue(collection!.Name, out var changed))
                {
                    return $"chaincode {before.Name}: collection {collection.Name} cannot be removed (its private data would be orphaned)";
                }

                if (changed!.BlockToLive != collection.BlockToLive)
                {
                    return $"chaincode {before.Name}: the blockToLive of collection {collection.Name} cannot change ({collection.BlockToLive} → {changed.BlockToLive})";
                }
            }
        }

        return null;
    }

    private static string? CollectionNameProblem(string name) =>
        name.Length is 0 or > 64 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')
            ? $"collection name \"{name}\" must be 1 to 64 letters, digits, '-' or '_'"
            : null;
}
