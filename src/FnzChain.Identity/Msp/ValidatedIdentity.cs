using System.Security.Cryptography.X509Certificates;
using FnzChain.Crypto.Signatures;

namespace FnzChain.Identity.Msp;

/// <summary>
/// An identity whose certificate chains to its MSP's CAs, is not revoked and holds a role. Immutable and safe
/// to share between threads; the MSP registry caches it so the hot path does not re-parse certificates.
/// </summary>
public sealed class ValidatedIdentity
{
    private readonly EcdsaVerifier _verifier;

    internal ValidatedIdentity(
        string mspId,
        X509Certificate2 certificate,
        byte[] serialized,
        MspRoles roles,
        IReadOnlyList<string> organizationalUnits,
        EcdsaVerifier verifier)
    {
        MspId = mspId;
        Certificate = certificate;
        Serialized = serialized;
        Roles = roles;
        OrganizationalUnits = organizationalUnits;
        _verifier = verifier;
        Subject = certificate.Subject;
        NotBefore = new DateTimeOffset(certificate.NotBefore.ToUniversalTime());
        NotAfter = new DateTimeOffset(certificate.NotAfter.ToUniversalTime());
    }

    public string MspId { get; }

    public X509Certificate2 Certificate { get; }

    /// <summary>The <c>msp.SerializedIdentity</c> bytes this identity was read from.</summary>
    public ReadOnlyMemory<byte> Serialized { get; }

    public MspRoles Roles { get; }

    public IReadOnlyList<string> OrganizationalUnits { get; }

    public string Subject { get; }

    public DateTimeOffset NotBefore { get; }

    public DateTimeOffset NotAfter { get; }

    public bool HasRole(MspRoles role) => (Roles & role) == role;

    /// <summary>Checks a low-S DER ECDSA signature over SHA-256(<paramref name="message"/>) by this identity.</summary>
    public SignatureCheck Verify(ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature) => _verifier.Verify(message, signature);

    public override string ToString() => $"{MspId} '{Subject}'";
}

/// <summary>The outcome of deserializing and validating an identity: the identity, or why it was refused.</summary>
public readonly record struct IdentityResult(ValidatedIdentity? Identity, string Error)
{
    public bool IsValid => Identity is not null;

    public static IdentityResult Valid(ValidatedIdentity identity) => new(identity, string.Empty);

    public static IdentityResult Invalid(string error) => new(null, error);
}
