namespace FnzChain.Identity.Policies;

/// <summary>A policy that a set of validated signers satisfies or not: signature policies and implicit-meta policies.</summary>
public interface IPolicy
{
    /// <summary>The policy as operators write it, e.g. <c>AND('Org1MSP.peer','Org2MSP.peer')</c> or <c>MAJORITY Admins</c>.</summary>
    string Text { get; }

    PolicyResult Evaluate(SignatureSet signers);

    /// <summary>
    /// Whether endorsements from one peer of each organisation in <paramref name="mspIds"/> can satisfy this
    /// policy — the question an endorsement plan asks. A peer is taken to satisfy its MSP's <c>peer</c> and
    /// <c>member</c> roles and any OU principal of its MSP; principals naming one exact identity, or admin, client
    /// and orderer roles, are not counted on.
    /// </summary>
    bool IsSatisfiableBy(IReadOnlySet<string> mspIds);
}

/// <summary>Whether a policy was satisfied and, when not, a one-line reason naming what was missing.</summary>
public sealed record PolicyResult(bool IsSatisfied, string Reason)
{
    public static PolicyResult Satisfied { get; } = new(true, string.Empty);

    public static PolicyResult NotSatisfied(string reason) => new(false, reason);
}
