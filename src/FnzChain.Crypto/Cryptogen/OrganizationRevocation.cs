using System.Security.Cryptography;
using FnzChain.Crypto.Keys;
using FnzChain.Crypto.Pki;

namespace FnzChain.Crypto.Cryptogen;

/// <summary>What a revocation did: the serial revoked (upper-case hex) and where the CRL was written.</summary>
public sealed record RevocationResult(string SerialNumber, string CrlPath, int RevokedCount);

/// <summary>
/// Revokes a certificate in a generated org folder: the org's signing CA (<c>ca/*-cert.pem</c> + <c>ca/priv_sk</c>)
/// adds the serial to its CRL, kept at <c>msp/crls/crl.pem</c> (where Fabric's MSP configuration looks for CRLs).
/// </summary>
public static class OrganizationRevocation
{
    public static RevocationResult Revoke(string orgFolder, string certificatePath, TimeProvider? time = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(orgFolder);
        var caFolder = Path.Combine(orgFolder, "ca");
        if (!Directory.Exists(caFolder))
        {
            throw new KeyFileException(orgFolder, "is not an org folder (no ca/ folder; expected e.g. out/peerOrganizations/org1.example.com)");
        }

        var caCertificates = Directory.GetFiles(caFolder, "*-cert.pem");
        if (caCertificates.Length != 1)
        {
            throw new KeyFileException(caFolder, $"holds {caCertificates.Length} *-cert.pem files; expected the one CA certificate");
        }

        var ca = CertificateAuthority.LoadFiles(caCertificates[0], Path.Combine(caFolder, CryptoMaterialGenerator.PrivateKeyFile), time);
        using var certificate = PemFiles.ReadCertificate(certificatePath);
        if (!ca.IsIssuerOf(certificate))
        {
            throw new KeyFileException($"certificate {certificatePath} (issuer '{certificate.Issuer}') was not issued by the CA of {orgFolder} ('{ca.CommonName}')");
        }

        var crlPath = Path.Combine(orgFolder, "msp", "crls", "crl.pem");
        var existing = File.Exists(crlPath) ? PemFiles.ReadCrl(crlPath) : [];
        byte[] crl;
        try
        {
            crl = ca.Revoke(certificate, existing);
        }
        catch (Exception ex) when (ex is CryptographicException or Org.BouncyCastle.Security.GeneralSecurityException or Org.BouncyCastle.Crypto.CryptoException)
        {
            throw new KeyFileException(crlPath, $"cannot update the CRL: {ex.Message}", ex);
        }

        PemFiles.WriteCrl(crlPath, crl);
        var count = new Org.BouncyCastle.X509.X509CrlParser().ReadCrl(crl).GetRevokedCertificates()?.Count ?? 0;
        return new RevocationResult(OpensslSerial(certificate.SerialNumber), crlPath, count);
    }

    /// <summary>
    /// The serial as openssl prints it (<c>x509 -serial</c>, <c>crl -text</c>): whole bytes in upper-case hex with
    /// leading zero bytes dropped — so 0x05474… keeps its leading 0, while the DER sign byte (00) that
    /// X509Certificate2 shows is removed.
    /// </summary>
    internal static string OpensslSerial(string derSerialHex)
    {
        var serial = derSerialHex;
        while (serial.Length > 2 && serial.StartsWith("00", StringComparison.Ordinal))
        {
            serial = serial[2..];
        }

        return serial.ToUpperInvariant();
    }
}
