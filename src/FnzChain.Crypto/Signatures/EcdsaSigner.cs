using System.Security.Cryptography;

namespace FnzChain.Crypto.Signatures;

/// <summary>
/// Signs with an ECDSA P-256 private key over SHA-256, always emitting a low-S DER signature (what Fabric
/// peers and orderers accept). Uses the platform's ECDSA (OpenSSL on Linux) on this hot path.
/// Safe to share between threads. The platform ECDSA was measured 5x faster than BouncyCastle here (docs/benchmarks.md).
/// </summary>
public sealed class EcdsaSigner : IDisposable
{
    private readonly ECDsa _key;

    private EcdsaSigner(ECDsa key)
    {
        _key = key;
    }

    /// <summary>Takes ownership of <paramref name="key"/>, which must be a P-256 private key.</summary>
    public static EcdsaSigner FromKey(ECDsa key)
    {
        ArgumentNullException.ThrowIfNull(key);
        P256Keys.EnsureP256(key, "signing key");
        return new EcdsaSigner(key);
    }

    /// <summary>A new random P-256 key.</summary>
    public static EcdsaSigner Generate() => new(ECDsa.Create(ECCurve.NamedCurves.nistP256));

    /// <summary>The private key as unencrypted PKCS#8 DER.</summary>
    public byte[] ExportPkcs8() => _key.ExportPkcs8PrivateKey();

    /// <summary>The public key as SubjectPublicKeyInfo DER.</summary>
    public byte[] ExportSubjectPublicKeyInfo() => _key.ExportSubjectPublicKeyInfo();

    /// <summary>The underlying platform key, e.g. to build a certificate request.</summary>
    public ECDsa Key => _key;

    /// <summary>Signs SHA-256(<paramref name="message"/>) and returns the low-S DER signature.</summary>
    public byte[] Sign(ReadOnlySpan<byte> message)
    {
        Span<byte> der = stackalloc byte[EcdsaSignature.MaxDerSize];
        var written = Sign(message, der);
        return der[..written].ToArray();
    }

    /// <summary>Signs SHA-256(<paramref name="message"/>) into <paramref name="destination"/> (at least 72 bytes); returns the length.</summary>
    public int Sign(ReadOnlySpan<byte> message, Span<byte> destination)
    {
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(message, digest);
        return SignDigest(digest, destination);
    }

    /// <summary>Signs an already computed SHA-256 digest; returns the DER length written.</summary>
    public int SignDigest(ReadOnlySpan<byte> sha256Digest, Span<byte> destination)
    {
        Span<byte> fixedSignature = stackalloc byte[EcdsaSignature.FixedSize];
        if (!_key.TrySignHash(sha256Digest, fixedSignature, DSASignatureFormat.IeeeP1363FixedFieldConcatenation, out var written)
            || written != EcdsaSignature.FixedSize)
        {
            throw new CryptographicException("ECDSA signing produced no P-256 signature");
        }

        return EcdsaSignature.EncodeDerLowS(fixedSignature, destination);
    }

    public void Dispose() => _key.Dispose();
}
