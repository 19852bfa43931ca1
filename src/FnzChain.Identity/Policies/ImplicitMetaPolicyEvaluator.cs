using FnzChain.Protos.Common;

namespace FnzChain.Identity.Policies;

/// <summary>
/// <c>ANY|ALL|MAJORITY &lt;SubPolicy&gt;</c> over the organisations of a scope (a channel's application or
/// orderer group): counts the organisations whose own policy of that name is satisfied. Thresholds as in
/// Fabric: ANY needs 1, ALL needs every organisation, MAJORITY needs more than half. With no organisations the
/// threshold is 0 for every rule (Fabric's implicitmeta: "consider 0 to be a majority or any"), so the policy is
/// satisfied — kept so that configurations mean the same thing here.
/// </summary>
public sealed class ImplicitMetaPolicyEvaluator : IPolicy
{
    private readonly IReadOnlyList<OrganizationPolicy> _organizations;
    private readonly string _members;

    /// <param name="members">What the members are called in reasons: "organisations", or "groups" at channel level.</param>
    public ImplicitMetaPolicyEvaluator(ImplicitMetaPolicy policy, IReadOnlyList<OrganizationPolicy> organizations, string members = "organisations")
    {
        _members = members;
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(organizations);
        if (string.IsNullOrWhiteSpace(policy.SubPolicy))
        {
            throw new PolicyException("implicit meta policy: the sub-policy name is empty");
        }

        Policy = policy;
        _organizations = organizations;
        Threshold = organizations.Count == 0 ? 0 : policy.Rule switch
        {
            ImplicitMetaPolicy.Types.Rule.Any => 1,
            ImplicitMetaPolicy.Types.Rule.All => organizations.Count,
            ImplicitMetaPolicy.Types.Rule.Majority => (organizations.Count / 2) + 1,
            _ => throw new PolicyException($"implicit meta policy: unknown rule {(int)policy.Rule}"),
        };
        Text = Render(policy);
    }

    public ImplicitMetaPolicy Policy { get; }

    /// <summary>How many organisations' sub-policies must be satisfied.</summary>
    public int Threshold { get; }

    public string Text { get; }

    /// <summary>Parses <c>"ANY Writers"</c>, <c>"ALL Admins"</c>, <c>"MAJORITY Endorsement"</c>.</summary>
    public static ImplicitMetaPolicy Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length != 2)
        {
            throw new PolicyException($"implicit meta policy \"{text}\" is not of the form '<ANY|ALL|MAJORITY> <SubPolicy>'");
        }

        var rule = parts[0].ToUpperInvariant() switch
        {
            "ANY" => ImplicitMetaPolicy.Types.Rule.Any,
            "ALL" => ImplicitMetaPolicy.Types.Rule.All,
            "MAJORITY" => ImplicitMetaPolicy.Types.Rule.Majority,
            _ => throw new PolicyException($"implicit meta policy \"{text}\": unknown rule '{parts[0]}'; expected ANY, ALL or MAJORITY"),
        };
        if (!parts[1].All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
        {
            throw new PolicyException($"implicit meta policy \"{text}\": sub-policy name '{parts[1]}' may hold only letters, digits, '_' and '-'");
        }

        return new ImplicitMetaPolicy { Rule = rule, SubPolicy = parts[1] };
    }

    public static string Render(ImplicitMetaPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return $"{policy.Rule.ToString().ToUpperInvariant()} {policy.SubPolicy}";
    }

    public bool IsSatisfiableBy(IReadOnlySet<string> mspIds) =>
        _organizations.Count(o => o.Policy?.IsSatisfiableBy(mspIds) == true) >= Threshold;

    public PolicyResult Evaluate(SignatureSet signers)
    {
        ArgumentNullException.ThrowIfNull(signers);
        var remaining = Threshold;
        if (remaining <= 0)
        {
            return PolicyResult.Satisfied;
        }

        // Members' signature policies would each repeat the signatures that did not count; say that once, at the end.
        var counted = signers.Ignored.Count == 0 ? signers : SignatureSet.Verified([.. signers.Identities]);
        var failures = new List<string>();
        foreach (var organization in _organizations)
        {
            var result = organization.Policy is { } policy
                ? policy.Evaluate(counted)
                : PolicyResult.NotSatisfied($"{organization.Name} has no '{Policy.SubPolicy}' policy");
            if (result.IsSatisfied)
            {
                if (--remaining == 0)
                {
                    return PolicyResult.Satisfied;
                }
            }
            else
            {
                failures.Add($"{organization.Name}: {result.Reason}");
            }
        }

        var satisfied = Threshold - remaining;
        var detail = (failures.Count > 0 ? $"; {string.Join("; ", failures)}" : string.Empty)
            + (signers.Ignored.Count > 0 ? $" (ignored: {string.Join("; ", signers.Ignored)})" : string.Empty);
        return PolicyResult.NotSatisfied(
            $"policy {Text} not satisfied: {satisfied} of {_organizations.Count} {_members}' {Policy.SubPolicy} policies satisfied, {Threshold} required{detail}");
    }
}

/// <summary>One organisation's policy of the implicit-meta policy's sub-policy name (null when it has none).</summary>
public sealed record OrganizationPolicy(string Name, IPolicy? Policy);
