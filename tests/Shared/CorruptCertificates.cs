using System.Security.Cryptography.X509Certificates;
using System.Text;
using FnzChain.Protos.Msp;
using Google.Protobuf;

namespace FnzChain.Tests.Shared;

/// <summary>
/// Certificates damaged the way an attacker would damage them: still a certificate the platform loads, but with a
/// field that throws when read. The signature no longer matches; what matters is that nothing reading them throws.
/// </summary>
internal static class CorruptCertificates
{
    /// <summary>
    /// <paramref name="certificate"/>'s DER with the month of its first UTCTime (notBefore) set to "13", which .NET's
    /// <see cref="X509Certificate2.NotBefore"/> refuses with a <c>CryptographicException</c>.
    /// </summary>
    public static byte[] WithCorruptValidity(X509Certificate2 certificate)
    {
        var der = certificate.RawData.ToArray();
        for (var i = 0; i + 15 <= der.Length; i++)
        {
            // UTCTime: tag 0x17, length 13, "YYMMDDHHMMSSZ".
            if (der[i] == 0x17 && der[i + 1] == 13 && der[i + 14] == (byte)'Z')
            {
                der[i + 4] = (byte)'1';
                der[i + 5] = (byte)'3';
                return der;
            }
        }

        throw new InvalidOperationException("certificate has no UTCTime validity");
    }

    /// <summary>An <c>msp.SerializedIdentity</c> of <paramref name="mspId"/> holding <paramref name="der"/> as PEM.</summary>
    public static byte[] Serialize(string mspId, byte[] der) =>
        new SerializedIdentity
        {
            Mspid = mspId,
            IdBytes = ByteString.CopyFrom(Encoding.ASCII.GetBytes(System.Security.Cryptography.PemEncoding.WriteString("CERTIFICATE", der) + "\n")),
        }.ToByteArray();
}
