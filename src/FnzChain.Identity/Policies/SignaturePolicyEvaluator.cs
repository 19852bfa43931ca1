using FnzChain.Identity.Msp;
using FnzChain.Protos.Common;
using Google.Protobuf;

namespace FnzChain.Identity.Policies;

/// <summary>
/// A compiled <c>common.SignaturePolicyEnvelope</c>. Principals are decoded once at compile time; evaluation
/// follows Fabric: each signer may satisfy at most one leaf, an N-out-of clause tries its rules in order and
/// keeps the signers a satisfied rule used, and a failed rule gives back the signers it tried.
/// </summary>
public sealed class SignaturePolicyEvaluator : IPolicy
{
    private readonly Node _root;
    private readonly Principal[] _principals;

    private SignaturePolicyEvaluator(SignaturePolicyEnvelope envelope, Node root, Principal[] principals)
    {
        Envelope = envelope;
        _root = root;
        _principals = principals;
        Text = PolicyDsl.Render(envelope);
    }

    public SignaturePolicyEnvelope Envelope { get; }

    public string Text { get; }

    /// <summary>Parses DSL text and compiles it.</summary>
    public static SignaturePolicyEvaluator Parse(string text) => Compile(PolicyDsl.Parse(text));

    /// <summary>Compiles an envelope from the wire; a malformed one fails with a <see cref="PolicyException"/> naming the fault.</summary>
    public static SignaturePolicyEvaluator Compile(SignaturePolicyEnvelope envelope)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        if (envelope.Version != 0)
        {
            throw new PolicyException($"signature policy: version {envelope.Version} is not supported (expected 0)");
        }

        var principals = envelope.Identities.Select((p, i) => Principal.Decode(p, i)).ToArray();
        var root = Node.Compile(envelope.Rule, principals.Length, depth: 0);
        return new SignaturePolicyEvaluator(envelope, root, principals);
    }

    public bool IsSatisfiableBy(IReadOnlySet<string> mspIds)
    {
        ArgumentNullException.ThrowIfNull(mspIds);
        return _root.SatisfiableBy(mspIds, _principals);
    }

    public PolicyResult Evaluate(SignatureSet signers)
    {
        ArgumentNullException.ThrowIfNull(signers);
        var identities = signers.Identities;
        Span<bool> used = identities.Count <= 64 ? stackalloc bool[identities.Count] : new bool[identities.Count];
        used.Clear();
        if (_root.Evaluate(identities, _principals, used))
        {
            return PolicyResult.Satisfied;
        }

        var missing = _principals.Where(p => !identities.Any(p.IsSatisfiedBy)).Select(p => p.Text).Distinct().ToList();
        var why = missing.Count > 0
            ? $"no valid signature from {string.Join(", ", missing)}"
            : "not enough distinct signers (one identity satisfies at most one principal)";
        var ignored = signers.Ignored.Count > 0 ? $" (ignored: {string.Join("; ", signers.Ignored)})" : string.Empty;
        return PolicyResult.NotSatisfied($"policy {Text} not satisfied: {why}{ignored}");
    }

    /// <summary>Validates <paramref name="signatures"/> against <paramref name="msps"/> and evaluates.</summary>
    public PolicyResult Evaluate(IEnumerable<SignedData> signatures, MspRegistry msps) => Evaluate(SignatureSet.Validate(signatures, msps));

    private abstract class Node
    {
        public abstract bool Evaluate(IReadOnlyList<ValidatedIdentity> identities, Principal[] principals, Span<bool> used);

        /// <summary>Whether one peer of each of <paramref name="mspIds"/> could satisfy this rule (a peer may sign for several principals here: a plan is optimistic).</summary>
        public abstract bool SatisfiableBy(IReadOnlySet<string> mspIds, Principal[] principals);

        public static Node Compile(SignaturePolicy? rule, int principalCount, int depth)
        {
            if (depth > 64)
            {
                throw new PolicyException("signature policy: rules nested deeper than 64");
            }

            switch (rule?.TypeCase)
            {
                case SignaturePolicy.TypeOneofCase.SignedBy:
                    if (rule.SignedBy < 0 || rule.SignedBy >= principalCount)
                    {
                        throw new PolicyException($"signature policy: signed_by {rule.SignedBy} is outside the {principalCount} identities");
                    }

                    return new SignedBy(rule.SignedBy);
                case SignaturePolicy.TypeOneofCase.NOutOf:
                    var children = rule.NOutOf.Rules.Select(r => Compile(r, principalCount, depth + 1)).ToArray();
                    if (rule.NOutOf.N < 0)
                    {
                        throw new PolicyException($"signature policy: n_out_of.n is negative ({rule.NOutOf.N})");
                    }

                    return new NOutOf(rule.NOutOf.N, children);
                default:
                    throw new PolicyException("signature policy: a rule is empty (neither signed_by nor n_out_of)");
            }
        }
    }

    private sealed class SignedBy(int index) : Node
    {
        public override bool SatisfiableBy(IReadOnlySet<string> mspIds, Principal[] principals) =>
            principals[index].PeerMspId is { } msp && mspIds.Contains(msp);

        public override bool Evaluate(IReadOnlyList<ValidatedIdentity> identities, Principal[] principals, Span<bool> used)
        {
            var principal = principals[index];
            for (var i = 0; i < identities.Count; i++)
            {
                if (!used[i] && principal.IsSatisfiedBy(identities[i]))
                {
                    used[i] = true;
                    return true;
                }
            }

            return false;
        }
    }

    private sealed class NOutOf(int n, Node[] rules) : Node
    {
        public override bool SatisfiableBy(IReadOnlySet<string> mspIds, Principal[] principals) =>
            rules.Count(r => r.SatisfiableBy(mspIds, principals)) >= n;

        public override bool Evaluate(IReadOnlyList<ValidatedIdentity> identities, Principal[] principals, Span<bool> used)
        {
            var satisfied = 0;
            Span<bool> attempt = used.Length <= 64 ? stackalloc bool[used.Length] : new bool[used.Length];
            foreach (var rule in rules)
            {
                used.CopyTo(attempt);
                if (rule.Evaluate(identities, principals, attempt))
                {
                    satisfied++;
                    attempt.CopyTo(used);
                }
            }

            return satisfied >= n;
        }
    }

    /// <summary>A decoded <c>MSPPrincipal</c>.</summary>
    /// <param name="PeerMspId">The MSP whose peers satisfy this principal, when a peer can.</param>
    private sealed record Principal(string Text, Func<ValidatedIdentity, bool> IsSatisfiedBy, string? PeerMspId = null)
    {
        public static Principal Decode(MSPPrincipal principal, int index)
        {
            try
            {
                switch (principal.PrincipalClassification)
                {
                    case MSPPrincipal.Types.Classification.Role:
                        var role = MSPRole.Parser.ParseFrom(principal.Principal);
                        var required = role.Role switch
                        {
                            MSPRole.Types.MSPRoleType.Member => MspRoles.Member,
                            MSPRole.Types.MSPRoleType.Admin => MspRoles.Admin,
                            MSPRole.Types.MSPRoleType.Client => MspRoles.Client,
                            MSPRole.Types.MSPRoleType.Peer => MspRoles.Peer,
                            MSPRole.Types.MSPRoleType.Orderer => MspRoles.Orderer,
                            _ => throw new PolicyException($"signature policy: identity #{index} has unknown role {(int)role.Role}"),
                        };
                        var mspId = role.MspIdentifier;
                        var peerCan = required is MspRoles.Member or MspRoles.Peer;
                        return new Principal(PolicyDsl.RenderPrincipal(principal), id => id.MspId == mspId && id.HasRole(required), peerCan ? mspId : null);
                    case MSPPrincipal.Types.Classification.OrganizationUnit:
                        var ou = OrganizationUnit.Parser.ParseFrom(principal.Principal);
                        return new Principal(
                            PolicyDsl.RenderPrincipal(principal),
                            id => id.MspId == ou.MspIdentifier && id.OrganizationalUnits.Contains(ou.OrganizationalUnitIdentifier, StringComparer.Ordinal),
                            ou.MspIdentifier);
                    case MSPPrincipal.Types.Classification.Identity:
                        var exact = principal.Principal.ToByteArray();
                        return new Principal($"identity #{index}", id => id.Serialized.Span.SequenceEqual(exact));
                    default:
                        throw new PolicyException($"signature policy: identity #{index} uses the {principal.PrincipalClassification} classification, which FnzChain does not support");
                }
            }
            catch (InvalidProtocolBufferException ex)
            {
                throw new PolicyException($"signature policy: identity #{index} does not decode: {ex.Message}", ex);
            }
        }
    }
}
