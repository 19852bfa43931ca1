using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace FnzChain.Crypto.Signatures;

/// <summary>
/// Verifies ECDSA P-256/SHA-256 DER signatures against one public key. Malformed DER and high-S signatures
/// are rejected before any curve arithmetic, each with its own reason. One instance may be shared by many threads
/// (the platform key is only read; tests run parallel Verify calls on one instance).
/// </summary>
public sealed class EcdsaVerifier : IDisposable
{
    private readonly ECDsa _key;

    private EcdsaVerifier(ECDsa key)
    {
        _key = key;
    }

    /// <summary>Takes ownership of <paramref name="publicKey"/>, which must be on P-256.</summary>
    public static EcdsaVerifier FromKey(ECDsa publicKey)
    {
        ArgumentNullException.ThrowIfNull(publicKey);
        P256Keys.EnsureP256(publicKey, "public key");
        return new EcdsaVerifier(publicKey);
    }

    /// <summary>The certificate's public key; fails with a clear message if it is not ECDSA P-256.</summary>
    public static EcdsaVerifier FromCertificate(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var key = certificate.GetECDsaPublicKey()
            ?? throw new CryptographicException($"certificate '{certificate.Subject}' does not hold an ECDSA public key (algorithm {certificate.PublicKey.Oid.FriendlyName ?? certificate.PublicKey.Oid.Value})");
        P256Keys.EnsureP256(key, $"public key of certificate '{certificate.Subject}'");
        return new EcdsaVerifier(key);
    }

    /// <summary>A SubjectPublicKeyInfo DER public key.</summary>
    public static EcdsaVerifier FromSubjectPublicKeyInfo(ReadOnlySpan<byte> spki)
    {
        var key = ECDsa.Create();
        try
        {
            key.ImportSubjectPublicKeyInfo(spki, out _);
        }
        catch (CryptographicException ex)
        {
            key.Dispose();
            throw new CryptographicException($"public key is not a valid EC SubjectPublicKeyInfo: {ex.Message}", ex);
        }

        return FromKey(key);
    }

    /// <summary>Checks <paramref name="derSignature"/> over SHA-256(<paramref name="message"/>).</summary>
    public SignatureCheck Verify(ReadOnlySpan<byte> message, ReadOnlySpan<byte> derSignature)
    {
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(message, digest);
        return VerifyDigest(digest, derSignature);
    }

    /// <summary>Checks <paramref name="derSignature"/> over an already computed SHA-256 digest.</summary>
    public SignatureCheck VerifyDigest(ReadOnlySpan<byte> sha256Digest, ReadOnlySpan<byte> derSignature)
    {
        Span<byte> fixedSignature = stackalloc byte[EcdsaSignature.FixedSize];
        var decoded = EcdsaSignature.TryDecodeDer(derSignature, fixedSignature);
        if (!decoded.IsValid)
        {
            return decoded;
        }

        return _key.VerifyHash(sha256Digest, fixedSignature, DSASignatureFormat.IeeeP1363FixedFieldConcatenation)
            ? SignatureCheck.Valid
            : SignatureCheck.Mismatch();
    }

    public void Dispose() => _key.Dispose();
}
