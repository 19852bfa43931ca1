using FnzChain.Identity.Msp;
using FnzChain.Identity.Policies;
using FnzChain.Protos.Config;
using MspDefinition = FnzChain.Identity.Msp.MspDefinition;

namespace FnzChain.Identity.Channels;

/// <summary>
/// A channel's configuration made usable: the MSPs of its organisations in one <see cref="MspRegistry"/>, and
/// its policies compiled. Channel-level policies (Readers, Writers, Admins, Endorsement, LifecycleEndorsement …)
/// are signature policies or implicit-meta policies over the organisations' policies of the same sub-name.
/// </summary>
/// <remarks>
/// Implicit-meta policies named <c>Endorsement</c> or <c>LifecycleEndorsement</c> range over the application
/// organisations; all others over every organisation. An organisation that does not define the sub-policy counts
/// as one that does not sign (as in Fabric). Immutable: a config update builds a new bundle.
/// </remarks>
public sealed class ChannelBundle
{
    public const string Readers = "Readers";
    public const string Writers = "Writers";
    public const string Admins = "Admins";
    public const string Endorsement = "Endorsement";
    public const string LifecycleEndorsement = "LifecycleEndorsement";

    private readonly Dictionary<string, IPolicy> _policies;
    private readonly Dictionary<string, Organization> _organizationsByMsp;

    private ChannelBundle(ChannelConfig config, MspRegistry msps, Dictionary<string, IPolicy> policies, Dictionary<string, Organization> organizationsByMsp)
    {
        Config = config;
        Msps = msps;
        _policies = policies;
        _organizationsByMsp = organizationsByMsp;
    }

    public ChannelConfig Config { get; }

    public string ChannelId => Config.ChannelId;

    public MspRegistry Msps { get; }

    /// <summary>Validates and compiles a channel configuration. Every problem is a <see cref="ChannelConfigException"/> naming the field.</summary>
    public static ChannelBundle Create(ChannelConfig config, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (string.IsNullOrWhiteSpace(config.ChannelId))
        {
            throw new ChannelConfigException("channel_id is empty");
        }

        if (config.Organizations.Count == 0)
        {
            throw new ChannelConfigException($"channel {config.ChannelId}: organizations is empty");
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        var byMsp = new Dictionary<string, Organization>(StringComparer.Ordinal);
        var definitions = new List<MspDefinition>();
        foreach (var org in config.Organizations)
        {
            if (string.IsNullOrWhiteSpace(org.Name) || !names.Add(org.Name))
            {
                throw new ChannelConfigException($"channel {config.ChannelId}: organization name \"{org.Name}\" is empty or used twice");
            }

            if (org.Msp is null)
            {
                throw new ChannelConfigException($"organization {org.Name}: msp is missing");
            }

            var definition = MspConfig.ToDefinition(org.Msp, org.Name);
            if (!byMsp.TryAdd(definition.MspId, org))
            {
                throw new ChannelConfigException($"organization {org.Name}: MSP id {definition.MspId} is also used by organization {byMsp[definition.MspId].Name}");
            }

            definitions.Add(definition);
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

        var organizationPolicies = config.Organizations.ToDictionary(
            o => o.Name,
            o => o.Policies.ToDictionary(p => p.Key, p => Compile(p.Value, $"organization {o.Name} policy {p.Key}", null)),
            StringComparer.Ordinal);
        var policies = new Dictionary<string, IPolicy>(StringComparer.Ordinal);
        foreach (var (name, definition) in config.Policies)
        {
            policies[name] = Compile(definition, $"channel {config.ChannelId} policy {name}", subPolicy =>
                config.Organizations
                    .Where(o => !IsEndorsementPolicy(name) || o.Roles.Contains(OrganizationRole.Application))
                    .Select(o => new OrganizationPolicy(o.Name, organizationPolicies[o.Name].GetValueOrDefault(subPolicy)))
                    .ToList());
        }

        foreach (var required in new[] { Readers, Writers, Admins })
        {
            if (!policies.ContainsKey(required))
            {
                throw new ChannelConfigException($"channel {config.ChannelId}: policies has no {required} policy");
            }
        }

        return new ChannelBundle(config, msps, policies, byMsp);
    }

    /// <summary>The channel-level policy <paramref name="name"/>, or null.</summary>
    public IPolicy? FindPolicy(string name) => _policies.GetValueOrDefault(name);

    /// <summary>Evaluates channel policy <paramref name="name"/>; an unknown policy is not satisfied and says so.</summary>
    public PolicyResult Evaluate(string name, IEnumerable<SignedData> signatures, OwnSignatures? own = null)
    {
        ArgumentNullException.ThrowIfNull(signatures);
        return _policies.ContainsKey(name)
            ? Evaluate(name, SignatureSet.Validate(signatures, Msps, own))
            : PolicyResult.NotSatisfied($"channel {ChannelId} has no policy {name}");
    }

    /// <summary>Evaluates channel policy <paramref name="name"/> against signers that are already validated.</summary>
    public PolicyResult Evaluate(string name, SignatureSet signers)
    {
        ArgumentNullException.ThrowIfNull(signers);
        if (!_policies.TryGetValue(name, out var policy))
        {
            return PolicyResult.NotSatisfied($"channel {ChannelId} has no policy {name}");
        }

        var result = policy.Evaluate(signers);
        return result.IsSatisfied ? result : PolicyResult.NotSatisfied($"channel {ChannelId} policy {name}: {result.Reason}");
    }

    /// <summary>The organisation whose MSP is <paramref name="mspId"/>, or null.</summary>
    public Organization? OrganizationOf(string mspId) => _organizationsByMsp.GetValueOrDefault(mspId);

    /// <summary>Chaincode names and their private data collections: valid, unique names, member policies that compile.</summary>
    private static void CheckChaincodes(ChannelConfig config)
    {
        var chaincodes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var chaincode in config.Application?.Chaincodes ?? [])
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
        foreach (var before in previous.Application?.Chaincodes ?? [])
        {
            if (next.Application?.Chaincodes.FirstOrDefault(c => c.Name == before.Name) is not { } after)
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

    private static bool IsEndorsementPolicy(string name) => name is Endorsement or LifecycleEndorsement;

    private static IPolicy Compile(PolicyDefinition definition, string what, Func<string, IReadOnlyList<OrganizationPolicy>>? organizations)
    {
        try
        {
            switch (definition.RuleCase)
            {
                case PolicyDefinition.RuleOneofCase.Signature:
                    return SignaturePolicyEvaluator.Compile(definition.Signature);
                case PolicyDefinition.RuleOneofCase.ImplicitMeta when organizations is not null:
                    return new ImplicitMetaPolicyEvaluator(definition.ImplicitMeta, organizations(definition.ImplicitMeta.SubPolicy));
                case PolicyDefinition.RuleOneofCase.ImplicitMeta:
                    throw new ChannelConfigException($"{what}: implicit-meta policies are allowed at channel level only");
                default:
                    throw new ChannelConfigException($"{what}: has neither a signature nor an implicit-meta rule");
            }
        }
        catch (PolicyException e)
        {
            throw new ChannelConfigException($"{what}: {e.Message}", e);
        }
    }
}
