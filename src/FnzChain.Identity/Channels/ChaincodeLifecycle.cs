using System.Text.RegularExpressions;
using FnzChain.Identity.Msp;
using FnzChain.Identity.Policies;
using FnzChain.Protos.Common;
using FnzChain.Protos.Lifecycle;
using Google.Protobuf;
using ApplicationPolicy = FnzChain.Protos.Peer.ApplicationPolicy;

namespace FnzChain.Identity.Channels;

/// <summary>
/// The rules of chaincode definitions, which live (as in Fabric v2) in world state under the <c>_lifecycle</c>
/// namespace, key <c>namespaces/&lt;name&gt;</c>, written by the peers' built-in <c>_lifecycle</c> contract's
/// <c>CommitChaincodeDefinition</c>. Its argument, <see cref="DefinitionApprovals"/>, carries the definition and the
/// organisations' admins' approvals of exactly its bytes; the endorsing peer and every validating peer apply
/// <see cref="Check"/>, so a definition takes effect only if it is well formed, follows the committed one, and is
/// approved under <see cref="ApprovalPolicy"/>. Deterministic: a function of the transaction and the definitions in
/// force before its block.
/// </summary>
public static partial class ChaincodeLifecycle
{
    /// <summary>The namespace (and chaincode name) of the built-in lifecycle contract.</summary>
    public const string Namespace = "_lifecycle";

    public const string CommitFunction = "CommitChaincodeDefinition";
    public const string QueryFunction = "QueryChaincodeDefinition";
    public const string QueryAllFunction = "QueryChaincodeDefinitions";

    /// <summary>Prefix of the keys holding definitions.</summary>
    public const string DefinitionKeyPrefix = "namespaces/";

    /// <summary>The policy the approvals must satisfy: the Application group's admins (MAJORITY Admins by default).</summary>
    public const string ApprovalPolicy = "/Channel/Application/Admins";

    /// <summary>The policy the commit transaction's endorsements must satisfy (MAJORITY Endorsement by default).</summary>
    public const string EndorsementPolicy = ChannelBundle.LifecycleEndorsement;

    /// <summary>Largest definition accepted (collections included): definitions are configuration, not data.</summary>
    public const int MaxDefinitionBytes = 256 * 1024;

    /// <summary>Most approvals one definition may carry (each is a signature every peer verifies): far more than any channel's organisations.</summary>
    public const int MaxApprovals = 100;

    public static string DefinitionKey(string name) => DefinitionKeyPrefix + name;

    /// <summary>The chaincode a definition key names, or null when <paramref name="key"/> is not one.</summary>
    public static string? NameOfKey(string key) =>
        key.StartsWith(DefinitionKeyPrefix, StringComparison.Ordinal) && key.Length > DefinitionKeyPrefix.Length ? key[DefinitionKeyPrefix.Length..] : null;

    /// <summary>Reads a stored or proposed definition strictly; a <see cref="FormatException"/> names <paramref name="what"/>.</summary>
    public static ChaincodeDefinition ParseDefinition(ReadOnlySpan<byte> bytes, string what)
    {
        if (bytes.Length > MaxDefinitionBytes)
        {
            throw new FormatException($"{what} is {bytes.Length} bytes; at most {MaxDefinitionBytes} are accepted");
        }

        try
        {
            return ChaincodeDefinition.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new FormatException($"{what} does not parse as a chaincode definition: {e.Message}", e);
        }
    }

    /// <summary>The proposal <paramref name="approvals"/> approve and the definition in it; a <see cref="FormatException"/> says what does not parse.</summary>
    public static (DefinitionProposal Proposal, ChaincodeDefinition Definition) Read(DefinitionApprovals approvals)
    {
        ArgumentNullException.ThrowIfNull(approvals);
        DefinitionProposal proposal;
        try
        {
            proposal = DefinitionProposal.Parser.ParseFrom(approvals.Proposal);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new FormatException($"the approved proposal does not parse: {e.Message}", e);
        }

        return (proposal, ParseDefinition(proposal.Definition.Span, "the approved definition"));
    }

    /// <summary>
    /// Checks <paramref name="approvals"/> as the next definition of its chaincode on this channel, given
    /// <paramref name="current"/> (the committed definition of a name, or null). Returns the definition (and its exact
    /// bytes, what is stored), or a one-line problem.
    /// </summary>
    public static (ChaincodeDefinition? Definition, ByteString? Bytes, string? Problem) Check(ChannelBundle bundle, DefinitionApprovals approvals, Func<string, ChaincodeDefinition?> current, OwnSignatures? own = null)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        ArgumentNullException.ThrowIfNull(approvals);
        ArgumentNullException.ThrowIfNull(current);
        DefinitionProposal proposal;
        ChaincodeDefinition definition;
        try
        {
            (proposal, definition) = Read(approvals);
        }
        catch (FormatException e)
        {
            return (null, null, e.Message);
        }

        if (proposal.ChannelId != bundle.ChannelId)
        {
            return (null, null, $"the definition of chaincode {definition.Name} was approved for channel \"{proposal.ChannelId}\", not {bundle.ChannelId}");
        }

        if ((DefinitionProblem(bundle, definition) ?? TransitionProblem(current(definition.Name), definition)) is { } problem)
        {
            return (null, null, problem);
        }

        if (approvals.Approvals.Count > MaxApprovals)
        {
            return (null, null, $"the definition of chaincode {definition.Name} carries {approvals.Approvals.Count} approvals; at most {MaxApprovals} are accepted");
        }

        List<SignedData> signatures;
        try
        {
            signatures = [.. Approvals(approvals)];
        }
        catch (FormatException e)
        {
            return (null, null, e.Message);
        }

        var approved = bundle.Evaluate(ApprovalPolicy, signatures, own);
        return approved.IsSatisfied
            ? (definition, proposal.Definition, null)
            : (null, null, $"chaincode {definition.Name} sequence {definition.Sequence} is not approved by enough organisations: {approved.Reason}");
    }

    /// <summary>Each approval as signed data: signature header ‖ proposal bytes, as Fabric signs config updates.</summary>
    public static IEnumerable<SignedData> Approvals(DefinitionApprovals approvals)
    {
        ArgumentNullException.ThrowIfNull(approvals);
        return ConfigUpdateRules.SignedData(approvals.Approvals, approvals.Proposal, "approval");
    }

    /// <summary>Why <paramref name="chaincode"/> is not a valid definition on this channel, or null: its name, its endorsement policy, its collections.</summary>
    public static string? DefinitionProblem(ChannelBundle bundle, ChaincodeDefinition chaincode)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        ArgumentNullException.ThrowIfNull(chaincode);
        if (!ChaincodeName().IsMatch(chaincode.Name) || chaincode.Name.Length > 128)
        {
            return $"chaincode name \"{chaincode.Name}\" is not letters and digits joined by '-' or '_' (at most 128)";
        }

        if (chaincode.Sequence < 1)
        {
            return $"chaincode {chaincode.Name}: sequence {chaincode.Sequence} is not positive";
        }

        if (PolicyProblem(bundle, chaincode.EndorsementPolicy) is { } policy)
        {
            return $"chaincode {chaincode.Name}: endorsement policy: {policy}";
        }

        var collections = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in chaincode.Collections?.Config ?? [])
        {
            if (entry.StaticCollectionConfig is not { } collection)
            {
                return $"chaincode {chaincode.Name}: a collection is not a static collection";
            }

            if ((CollectionNameProblem(collection.Name) ?? (collections.Add(collection.Name) ? null : $"collection {collection.Name} is defined twice")) is { } name)
            {
                return $"chaincode {chaincode.Name}: {name}";
            }

            if (collection.MemberOrgsPolicy?.SignaturePolicy is not { } members)
            {
                return $"chaincode {chaincode.Name} collection {collection.Name}: member_orgs_policy is missing";
            }

            try
            {
                SignaturePolicyEvaluator.Compile(members);
            }
            catch (PolicyException e)
            {
                return $"chaincode {chaincode.Name} collection {collection.Name}: member policy: {e.Message}";
            }

            if (collection.EndorsementPolicy is { TypeCase: not ApplicationPolicy.TypeOneofCase.None } && PolicyProblem(bundle, collection.EndorsementPolicy) is { } endorsement)
            {
                return $"chaincode {chaincode.Name} collection {collection.Name}: endorsement policy: {endorsement}";
            }

            if (collection.RequiredPeerCount < 0 || collection.MaximumPeerCount < collection.RequiredPeerCount)
            {
                return $"chaincode {chaincode.Name} collection {collection.Name}: requiredPeerCount {collection.RequiredPeerCount} must be 0..maxPeerCount ({collection.MaximumPeerCount})";
            }
        }

        return null;
    }

    /// <summary>
    /// Why <paramref name="next"/> may not follow <paramref name="previous"/> (null: the chaincode is new), or null. As
    /// Fabric's lifecycle: the sequence goes up by one; a chaincode keeps every collection it had (private data already
    /// written must keep a home), and an existing collection keeps its <c>blockToLive</c> (expiry already scheduled
    /// must stay meaningful). Members, peer counts, read/write rules and endorsement policies may change.
    /// </summary>
    public static string? TransitionProblem(ChaincodeDefinition? previous, ChaincodeDefinition next)
    {
        ArgumentNullException.ThrowIfNull(next);
        var expected = (previous?.Sequence ?? 0) + 1;
        if (next.Sequence != expected)
        {
            return previous is null
                ? $"chaincode {next.Name} is not defined yet: its first definition has sequence 1, not {next.Sequence}"
                : $"chaincode {next.Name}: sequence {next.Sequence} does not follow the committed sequence {previous.Sequence} (expected {expected})";
        }

        if (previous is null)
        {
            return null;
        }

        var now = (next.Collections?.Config ?? []).Select(c => c.StaticCollectionConfig).Where(c => c is not null).ToDictionary(c => c!.Name, StringComparer.Ordinal);
        foreach (var collection in (previous.Collections?.Config ?? []).Select(c => c.StaticCollectionConfig).Where(c => c is not null))
        {
            if (!now.TryGetValue(collection!.Name, out var changed))
            {
                return $"chaincode {previous.Name}: collection {collection.Name} cannot be removed (its private data would be orphaned)";
            }

            if (changed!.BlockToLive != collection.BlockToLive)
            {
                return $"chaincode {previous.Name}: the blockToLive of collection {collection.Name} cannot change ({collection.BlockToLive} → {changed.BlockToLive})";
            }
        }

        return null;
    }

    /// <summary>An endorsement policy must be a channel policy that exists or a signature policy that compiles.</summary>
    private static string? PolicyProblem(ChannelBundle bundle, ApplicationPolicy? policy)
    {
        if (policy is null || policy.TypeCase == ApplicationPolicy.TypeOneofCase.None)
        {
            return null; // the channel's Endorsement policy
        }

        if (policy.TypeCase == ApplicationPolicy.TypeOneofCase.ChannelConfigPolicyReference)
        {
            var path = ChannelBundle.ResolvePolicyPath(policy.ChannelConfigPolicyReference, "/Channel/Application");
            return bundle.FindPolicy(path) is null ? $"channel {bundle.ChannelId} has no policy {path}" : null;
        }

        try
        {
            SignaturePolicyEvaluator.Compile(policy.SignaturePolicy);
            return null;
        }
        catch (PolicyException e)
        {
            return e.Message;
        }
    }

    private static string? CollectionNameProblem(string name) =>
        name.Length is 0 or > 64 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')
            ? $"collection name \"{name}\" must be 1 to 64 letters, digits, '-' or '_'"
            : null;

    [GeneratedRegex("^[A-Za-z0-9]+([-_][A-Za-z0-9]+)*$")]
    private static partial Regex ChaincodeName();
}
