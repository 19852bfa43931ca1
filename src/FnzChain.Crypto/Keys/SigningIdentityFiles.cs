using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using FnzChain.Crypto.Signatures;

namespace FnzChain.Crypto.Keys;

/// <summary>
/// A signing identity loaded from a cryptogen-style folder: <c>msp/signcerts/*.pem</c> (exactly one certificate)
/// and <c>msp/keystore/priv_sk</c> (or the single file in <c>keystore</c>, as older cryptogen names it
/// <c>&lt;ski&gt;_sk</c>). The private key must belong to the certificate.
/// </summary>
public sealed class SigningIdentityFiles : IDisposable
{
    private SigningIdentityFiles(X509Certificate2 certificate, EcdsaSigner signer, string certificatePath, string keyPath)
    {
        Certificate = certificate;
        Signer = signer;
        CertificatePath = certificatePath;
        KeyPath = keyPath;
    }

    public X509Certificate2 Certificate { get; }

    public EcdsaSigner Signer { get; }

    public string CertificatePath { get; }

    public string KeyPath { get; }

    /// <summary>
    /// Loads from an identity folder (<c>peers/peer0.org1.example.com</c>, holding <c>msp/</c>) or from the
    /// <c>msp</c> folder itself.
    /// </summary>
    public static SigningIdentityFiles Load(string folder)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        var msp = Directory.Exists(Path.Combine(folder, "msp")) ? Path.Combine(folder, "msp") : folder;
        var certificatePath = FindCertificate(Path.Combine(msp, "signcerts"));
        var keyPath = FindKey(Path.Combine(msp, "keystore"));
        return Load(certificatePath, keyPath);
    }

    /// <summary>Loads an explicit certificate and key pair, checking that they match.</summary>
    public static SigningIdentityFiles Load(string certificatePath, string keyPath)
    {
        var certificate = PemFiles.ReadCertificate(certificatePath);
        ECDsa? key = null;
        try
        {
            key = PemFiles.ReadPrivateKey(keyPath);
            using var certificateKey = certificate.GetECDsaPublicKey()
                ?? throw new KeyFileException(certificatePath, "certificate does not hold an ECDSA public key");
            if (!certificateKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(key.ExportSubjectPublicKeyInfo()))
            {
                throw new KeyFileException($"private key {keyPath} does not match certificate {certificatePath}");
            }

            return new SigningIdentityFiles(certificate, EcdsaSigner.FromKey(key), certificatePath, keyPath);
        }
        catch
        {
            key?.Dispose();
            certificate.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        Signer.Dispose();
        Certificate.Dispose();
    }

    private static string FindCertificate(string signcerts)
    {
        if (!Directory.Exists(signcerts))
        {
            throw new KeyFileException(signcerts, "folder not found (expected the signing certificate here)");
        }

        var files = Directory.GetFiles(signcerts, "*.pem");
        return files.Length == 1
            ? files[0]
            : throw new KeyFileException(signcerts, $"holds {files.Length} .pem files; expected exactly one signing certificate");
    }

    private static string FindKey(string keystore)
    {
        var conventional = Path.Combine(keystore, "priv_sk");
        if (File.Exists(conventional))
        {
            return conventional;
        }

        if (!Directory.Exists(keystore))
        {
            throw new KeyFileException(keystore, "folder not found (expected the private key here)");
        }

        var files = Directory.GetFiles(keystore);
        return files.Length == 1
            ? files[0]
            : throw new KeyFileException(keystore, $"holds {files.Length} files and no priv_sk; expected exactly one private key");
    }
}
