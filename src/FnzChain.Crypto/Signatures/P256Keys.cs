using System.Security.Cryptography;

namespace FnzChain.Crypto.Signatures;

internal static class P256Keys
{
    private const string P256Oid = "1.2.840.10045.3.1.7";

    /// <summary>Rejects keys on any other curve, naming the curve found.</summary>
    public static void EnsureP256(ECDsa key, string what)
    {
        var curve = key.ExportParameters(includePrivateParameters: false).Curve;
        var oid = curve.Oid?.Value;
        if (oid != P256Oid)
        {
            var name = curve.Oid?.FriendlyName ?? oid ?? "an explicit curve";
            throw new CryptographicException($"{what} is on curve {name}; FnzChain requires ECDSA P-256 (secp256r1)");
        }
    }
}
