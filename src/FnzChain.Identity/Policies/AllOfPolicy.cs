namespace FnzChain.Identity.Policies;

/// <summary>Satisfied when every one of its policies is: a transaction bound by its chaincode's and its collections' endorsement policies at once.</summary>
public sealed class AllOfPolicy(IReadOnlyList<IPolicy> policies) : IPolicy
{
    public string Text { get; } = string.Join(" and ", policies.Select(p => p.Text));

    public PolicyResult Evaluate(SignatureSet signers)
    {
        foreach (var policy in policies)
        {
            if (policy.Evaluate(signers) is { IsSatisfied: false } failed)
            {
                return PolicyResult.NotSatisfied($"{policy.Text}: {failed.Reason}");
            }
        }

        return PolicyResult.Satisfied;
    }

    public bool IsSatisfiableBy(IReadOnlySet<string> mspIds) => policies.All(p => p.IsSatisfiableBy(mspIds));
}
