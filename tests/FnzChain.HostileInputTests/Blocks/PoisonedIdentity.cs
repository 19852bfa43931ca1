using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using FnzChain.Protos.Msp;
using Google.Protobuf;

namespace FnzChain.HostileInputTests.Blocks;

/// <summary>
/// A real certificate with one digit of its validity period corrupted (an impossible month in notBefore or
/// notAfter), wrapped in a msp.SerializedIdentity: it still looks like a member's certificate to anything that does
/// not read its dates, and .NET throws when it does.
/// </summary>
internal static class PoisonedIdentity
{
    /// <summary>The serialized identity, and which date was corrupted (for messages).</summary>
    public static (byte[] Serialized, string Corruption) Create(string mspId, X509Certificate2 real)
    {
        var der = real.RawData;
        foreach (var (offset, field) in UtcTimes(der))
        {
            // YYMMDDHHMMSSZ: month "13".."19" is impossible, and keeps the length and the DER structure intact.
            var corrupted = (byte[])der.Clone();
            corrupted[offset + 2] = (byte)'1';
            corrupted[offset + 3] = (byte)'9';
            if (DatesThrow(corrupted))
            {
                return (Serialize(mspId, corrupted), $"{field} month set to 19");
            }
        }

        throw new InvalidOperationException("no corruption of the certificate's dates makes .NET throw; the poisoned-block tests need one");
    }

    public static byte[] Serialize(string mspId, byte[] der)
    {
        var pem = PemEncoding.Write("CERTIFICATE", der);
        return new SerializedIdentity { Mspid = mspId, IdBytes = ByteString.CopyFrom(Encoding.ASCII.GetBytes([.. pem, '\n'])) }.ToByteArray();
    }

    private static bool DatesThrow(byte[] der)
    {
        try
        {
            using var certificate = X509CertificateLoader.LoadCertificate(der);
            _ = certificate.NotBefore;
            _ = certificate.NotAfter;
            return false;
        }
        catch (CryptographicException)
        {
            return true;
        }
    }

    /// <summary>Offsets of the 13 characters of each UTCTime (tag 0x17, length 13) in the DER: notBefore, then notAfter.</summary>
    private static IEnumerable<(int Offset, string Field)> UtcTimes(byte[] der)
    {
        var found = 0;
        for (var i = 0; i + 15 <= der.Length && found < 2; i++)
        {
            if (der[i] == 0x17 && der[i + 1] == 13 && der[i + 14] == (byte)'Z')
            {
                yield return (i + 2, found++ == 0 ? "notBefore" : "notAfter");
            }
        }
    }
}
