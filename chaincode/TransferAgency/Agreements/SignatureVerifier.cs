using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using FnzChain.Chaincode;

namespace FnzChain.TransferAgency.Agreements;

/// <summary>
/// Checks that a signature was made over a document's SHA-256 with the key of the given certificate: ECDSA
/// (DER or IEEE P1363 encoding, as Fabric and .NET produce them) or RSA PKCS#1 v1.5. The certificate must be valid
/// at the transaction time; its chain to an MSP root is not checked here (the chaincode has no MSP configuration).
/// </summary>
internal static class SignatureVerifier
{
    public static AgreementSigner Verify(AgreementSignature signature, byte[] documentHash, DateTimeOffset now)
    {
        X509Certificate2 certificate;
        byte[] signatureBytes;
        try
        {
            certificate = X509Certificate2.CreateFromPem(signature.CertificatePem);
            signatureBytes = Convert.FromBase64String(signature.Signature);
        }
        catch (Exception e) when (e is CryptographicException or FormatException or ArgumentException)
        {
            throw new ChaincodeException($"a signature is unreadable: it needs a PEM certificate and a base64 signature ({e.Message})", 400);
        }

        using (certificate)
        {
            if (now < certificate.NotBefore || now > certificate.NotAfter)
            {
                throw new ChaincodeException($"the certificate of {certificate.Subject} is not valid at {now:O}", 400);
            }

            string algorithm;
            bool valid;
            if (certificate.GetECDsaPublicKey() is { } ecdsa)
            {
                using (ecdsa)
                {
                    algorithm = "ECDSA-SHA256";
                    valid = ecdsa.VerifyHash(documentHash, signatureBytes, DSASignatureFormat.Rfc3279DerSequence)
                        || ecdsa.VerifyHash(documentHash, signatureBytes, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
                }
            }
            else if (certificate.GetRSAPublicKey() is { } rsa)
            {
                using (rsa)
                {
                    algorithm = "RSA-SHA256";
                    valid = rsa.VerifyHash(documentHash, signatureBytes, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
                }
            }
            else
            {
                throw new ChaincodeException($"the certificate of {certificate.Subject} has neither an ECDSA nor an RSA key", 400);
            }

            return valid
                ? new AgreementSigner(certificate.Subject, certificate.Issuer, Convert.ToHexStringLower(SHA256.HashData(certificate.RawData)), algorithm, now)
                : throw new ChaincodeException($"the signature of {certificate.Subject} is not over this document hash", 400);
        }
    }
}
