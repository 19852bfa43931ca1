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

/// <summary>Why an identity was refused: the kind of problem, for status codes, metrics and throttling.</summary>
public enum IdentityRejection
{
    /// <summary>Not refused.</summary>
    None,

    /// <summary>The bytes are not a serialized identity holding one well-formed X.509 certificate.</summary>
    Malformed,

    /// <summary>The identity names an MSP that is not on the channel.</summary>
    UnknownMsp,

    /// <summary>The certificate does not chain to the MSP's CAs, or is a CA certificate itself.</summary>
    Untrusted,

    /// <summary>The certificate (or a CA it chains to) is outside its validity period.</summary>
    OutsideValidity,

    /// <summary>The certificate is revoked by a CRL of the MSP.</summary>
    Revoked,

    /// <summary>The certificate is valid but carries no usable role (node OU) or key.</summary>
    NotAnIdentity,

    /// <summary>The identity is valid but its signature does not verify (or is not a low-S DER signature): not the key's owner.</summary>
    BadSignature,
}

/// <summary>The outcome of deserializing and validating an identity: the identity, or why it was refused (kind and one-line reason).</summary>
public readonly record struct IdentityResult(ValidatedIdentity? Identity, string Error, IdentityRejection Rejection = IdentityRejection.None)
{
    public bool IsValid => Identity is not null;

    public static IdentityResult Valid(ValidatedIdentity identity) => new(identity, string.Empty);

    public static IdentityResult Invalid(string error, IdentityRejection rejection = IdentityRejection.Malformed) => new(null, error, rejection);
}
