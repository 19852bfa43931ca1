using System.Security.Cryptography.X509Certificates;
using FnzChain.Identity.Msp;
using Google.Protobuf;
using ProtoMsp = FnzChain.Protos.Config.MspDefinition;

namespace FnzChain.Identity.Channels;

/// <summary>Converts between an MSP as channel configuration carries it (PEM bytes) and the <see cref="MspDefinition"/> the MSP code validates with.</summary>
public static class MspConfig
{
    /// <summary>Reads a cryptogen-style <c>msp</c> folder into channel configuration (certificates and CRLs as PEM bytes).</summary>
    public static ProtoMsp FromFolder(string mspFolder, string mspId)
    {
        var loaded = MspDefinition.LoadFolder(mspFolder, mspId); // validates every file, with one-line errors
        var msp = new ProtoMsp { MspId = mspId, NodeOus = new Protos.Config.NodeOus { Enable = loaded.NodeOusEnabled } };
        msp.RootCerts.AddRange(loaded.RootCertificates.Select(Pem));
        msp.IntermediateCerts.AddRange(loaded.IntermediateCertificates.Select(Pem));
        msp.TlsRootCerts.AddRange(loaded.TlsRootCertificates.Select(Pem));
        msp.TlsIntermediateCerts.AddRange(loaded.TlsIntermediateCertificates.Select(Pem));
        msp.Crls.AddRange(loaded.Crls.Select(ByteString.CopyFrom));
        return msp;
    }

    /// <summary>The MSP definition of channel configuration, every certificate and CRL decoded (PEM or DER).</summary>
    public static MspDefinition ToDefinition(ProtoMsp msp, string organization)
    {
        ArgumentNullException.ThrowIfNull(msp);
        if (string.IsNullOrWhiteSpace(msp.MspId))
        {
            throw new ChannelConfigException($"organization {organization}: msp.msp_id is empty");
        }

        var roots = Certificates(msp.RootCerts, organization, "root_certs");
        if (roots.Count == 0)
        {
            throw new ChannelConfigException($"organization {organization}: msp.root_certs is empty");
        }

        return new MspDefinition
        {
            MspId = msp.MspId,
            RootCertificates = roots,
            IntermediateCertificates = Certificates(msp.IntermediateCerts, organization, "intermediate_certs"),
            TlsRootCertificates = Certificates(msp.TlsRootCerts, organization, "tls_root_certs"),
            TlsIntermediateCertificates = Certificates(msp.TlsIntermediateCerts, organization, "tls_intermediate_certs"),
            Crls = msp.Crls.Select((crl, i) => CrlDer(crl, organization, i)).ToList(),
            NodeOusEnabled = msp.NodeOus?.Enable ?? true,
        };
    }

    private static ByteString Pem(X509Certificate2 certificate) => ByteString.CopyFromUtf8(certificate.ExportCertificatePem() + "\n");

    private static List<X509Certificate2> Certificates(IEnumerable<ByteString> entries, string organization, string field)
    {
        var certificates = new List<X509Certificate2>();
        var index = 0;
        foreach (var entry in entries)
        {
            try
            {
                var text = entry.ToStringUtf8();
                if (text.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal))
                {
                    var collection = new X509Certificate2Collection();
                    collection.ImportFromPem(text);
                    certificates.AddRange(collection);
                }
                else
                {
                    certificates.Add(X509CertificateLoader.LoadCertificate(entry.Span));
                }
            }
            catch (System.Security.Cryptography.CryptographicException e)
            {
                throw new ChannelConfigException($"organization {organization}: msp.{field}[{index}] is not a certificate: {e.Message}", e);
            }

            index++;
        }

        return certificates;
    }

    private static byte[] CrlDer(ByteString crl, string organization, int index)
    {
        var text = crl.ToStringUtf8();
        if (!text.Contains("-----BEGIN", StringComparison.Ordinal))
        {
            return crl.ToByteArray();
        }

        if (!System.Security.Cryptography.PemEncoding.TryFind(text, out var fields) || text[fields.Label] != "X509 CRL")
        {
            throw new ChannelConfigException($"organization {organization}: msp.crls[{index}] is not a PEM \"X509 CRL\" block");
        }

        return Convert.FromBase64String(text[fields.Base64Data]);
    }
}
