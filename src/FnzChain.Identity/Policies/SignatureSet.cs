using FnzChain.Crypto.Signatures;
using FnzChain.Identity.Msp;

namespace FnzChain.Identity.Policies;

/// <summary>One signature to weigh against a policy: who claims to sign, what was signed, the signature.</summary>
public readonly record struct SignedData(ReadOnlyMemory<byte> Identity, ReadOnlyMemory<byte> Data, ReadOnlyMemory<byte> Signature);

/// <summary>A signer set aside because it did not authenticate: the identity bytes it claimed, and why (for audit and throttling).</summary>
public readonly record struct SignerRejection(ReadOnlyMemory<byte> Identity, IdentityRejection Kind);

/// <summary>
/// The distinct, valid signers among a set of signed data, as Fabric computes them before evaluating a policy:
/// identities that do not validate and signatures that do not verify are set aside with their reason, and an
/// identity that signed more than once counts once. Evaluate several policies against one set to verify
/// each signature only once.
/// </summary>
public sealed class SignatureSet
{
    private SignatureSet(IReadOnlyList<ValidatedIdentity> identities, IReadOnlyList<string> ignored, IReadOnlyList<SignerRejection>? rejected = null)
    {
        Identities = identities;
        Ignored = ignored;
        Rejected = rejected ?? [];
    }

    /// <summary>Signers whose identity was refused or whose signature did not verify (not those counted once for signing twice).</summary>
    public IReadOnlyList<SignerRejection> Rejected { get; }

    /// <summary>Distinct identities whose signatures verified, in the order first seen.</summary>
    public IReadOnlyList<ValidatedIdentity> Identities { get; }

    /// <summary>Why each signature that does not count was set aside.</summary>
    public IReadOnlyList<string> Ignored { get; }

    /// <summary>
    /// A set of identities whose signatures the caller has just verified itself (an endorser checks the proposal's
    /// signature before it asks the Writers policy), so that policy evaluation does not verify them a second time.
    /// </summary>
    public static SignatureSet Verified(params ValidatedIdentity[] identities)
    {
        ArgumentNullException.ThrowIfNull(identities);
        var distinct = new List<ValidatedIdentity>();
        foreach (var identity in identities)
        {
            if (!distinct.Any(seen => seen.Serialized.Span.SequenceEqual(identity.Serialized.Span)))
            {
                distinct.Add(identity);
            }
        }

        return new SignatureSet(distinct, []);
    }

    /// <summary>
    /// Validates each signer and verifies each signature. A signature found in <paramref name="own"/> (made by this
    /// process over exactly that message) counts as verified without a second ECDSA verification.
    /// </summary>
    public static SignatureSet Validate(IEnumerable<SignedData> signatures, MspRegistry msps, OwnSignatures? own = null)
    {
        ArgumentNullException.ThrowIfNull(signatures);
        ArgumentNullException.ThrowIfNull(msps);
        var identities = new List<ValidatedIdentity>();
        var ignored = new List<string>();
        List<SignerRejection>? rejected = null;
        foreach (var signed in signatures)
        {
            var result = msps.Deserialize(signed.Identity.Span);
            if (result.Identity is not { } identity)
            {
                ignored.Add(result.Error);
                (rejected ??= []).Add(new SignerRejection(signed.Identity, result.Rejection));
                continue;
            }

            if (identities.Any(seen => seen.Serialized.Span.SequenceEqual(identity.Serialized.Span)))
            {
                ignored.Add($"{identity} signed more than once; counted once");
                continue;
            }

            var check = own is not null && own.Contains(identity.Serialized.Span, signed.Data.Span, signed.Signature.Span)
                ? SignatureCheck.Valid
                : identity.Verify(signed.Data.Span, signed.Signature.Span);
            if (!check.IsValid)
            {
                ignored.Add($"signature of {identity}: {check.Reason}");
                (rejected ??= []).Add(new SignerRejection(signed.Identity, IdentityRejection.BadSignature));
                continue;
            }

            identities.Add(identity);
        }

        return new SignatureSet(identities, ignored, rejected);
    }
}
