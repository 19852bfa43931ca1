using System.Security.Cryptography.X509Certificates;
using FnzChain.Identity.Msp;
using Google.Protobuf;
using FnzChain.Protos.Msp;

namespace FnzChain.Identity.Channels;

/// <summary>
/// Converts between an MSP as channel configuration carries it — Fabric's <c>msp.FabricMSPConfig</c>, certificates and
/// CRLs as PEM bytes — and the <see cref="MspDefinition"/> the MSP code validates with. What FnzChain's MSP does not
/// implement (explicit admin certificates, OU-restricted membership, non-standard node OU names, idemix) is refused
/// with a line naming the field rather than silently meaning something else.
/// </summary>
public static class MspConfig
{
    /// <summary>Fabric's standard node OU names, the only ones FnzChain's MSP reads roles from.</summary>
    public static readonly IReadOnlyList<string> NodeOuNames = ["client", "peer", "admin", "orderer"];

    /// <summary>Reads a cryptogen-style <c>msp</c> folder into channel configuration (certificates and CRLs as PEM bytes).</summary>
    public static FabricMSPConfig FromFolder(string mspFolder, string mspId)
    {
        var loaded = MspDefinition.LoadFolder(mspFolder, mspId); // validates every file, with one-line errors
        return FromDefinition(loaded);
    }

    /// <summary>Channel configuration for an MSP definition, with node OUs as configtxgen writes them from cryptogen's config.yaml.</summary>
    public static FabricMSPConfig FromDefinition(MspDefinition loaded)
    {
        ArgumentNullException.ThrowIfNull(loaded);
        var msp = new FabricMSPConfig
        {
            Name = loaded.MspId,
            CryptoConfig = new FabricCryptoConfig { SignatureHashFamily = "SHA2", IdentityIdentifierHashFunction = "SHA256" },
        };
        msp.RootCerts.AddRange(loaded.RootCertificates.Select(Pem));
        msp.IntermediateCerts.AddRange(loaded.IntermediateCertificates.Select(Pem));
        msp.TlsRootCerts.AddRange(loaded.TlsRootCertificates.Select(Pem));
        msp.TlsIntermediateCerts.AddRange(loaded.TlsIntermediateCertificates.Select(Pem));
        msp.RevocationList.AddRange(loaded.Crls.Select(CrlPem));
        if (loaded.NodeOusEnabled)
        {
            var ca = Pem(loaded.RootCertificates[0]);
            msp.FabricNodeOus = new FabricNodeOUs
            {
                Enable = true,
                ClientOuIdentifier = new FabricOUIdentifier { OrganizationalUnitIdentifier = "client", Certificate = ca },
                PeerOuIdentifier = new FabricOUIdentifier { OrganizationalUnitIdentifier = "peer", Certificate = ca },
                AdminOuIdentifier = new FabricOUIdentifier { OrganizationalUnitIdentifier = "admin", Certificate = ca },
                OrdererOuIdentifier = new FabricOUIdentifier { OrganizationalUnitIdentifier = "orderer", Certificate = ca },
            };
        }

        return msp;
    }

    /// <summary>The <c>FabricMSPConfig</c> inside an organisation's <c>MSP</c> value; a <see cref="ChannelConfigException"/> names what is wrong.</summary>
    public static FabricMSPConfig FromValue(ByteString value, string organization)
    {
        try
        {
            var wrapper = MSPConfig.Parser.ParseFrom(value);
            if (wrapper.Type != 0)
            {
                throw new ChannelConfigException($"organization {organization}: MSP type {wrapper.Type} is not supported (only FABRIC, 0; idemix is not)");
            }

            return FabricMSPConfig.Parser.ParseFrom(wrapper.Config);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new ChannelConfigException($"organization {organization}: the MSP value is not an msp.MSPConfig: {e.Message}", e);
        }
    }

    /// <summary>The MSP definition of channel configuration, every certificate and CRL decoded (PEM or DER).</summary>
    public static MspDefinition ToDefinition(FabricMSPConfig msp, string organization)
    {
        ArgumentNullException.ThrowIfNull(msp);
        if (string.IsNullOrWhiteSpace(msp.Name))
        {
            throw new ChannelConfigException($"organization {organization}: msp.name (the MSP id) is empty");
        }

        var roots = Certificates(msp.RootCerts, organization, "root_certs");
        if (roots.Count == 0)
        {
            throw new ChannelConfigException($"organization {organization}: msp.root_certs is empty");
        }

        if (msp.Admins.Count > 0)
        {
            throw new ChannelConfigException($"organization {organization}: msp.admins lists {msp.Admins.Count} certificate(s); FnzChain reads admins from node OUs only, leave admins empty");
        }

        if (msp.OrganizationalUnitIdentifiers.Count > 0)
        {
            throw new ChannelConfigException($"organization {organization}: msp.organizational_unit_identifiers is not supported; membership is by CA and node OUs");
        }

        if (msp.CryptoConfig is { } crypto && (crypto.SignatureHashFamily is not ("" or "SHA2") || crypto.IdentityIdentifierHashFunction is not ("" or "SHA256")))
        {
            throw new ChannelConfigException($"organization {organization}: msp.crypto_config {crypto.SignatureHashFamily}/{crypto.IdentityIdentifierHashFunction} is not supported; use SHA2/SHA256");
        }

        var nodeOus = msp.FabricNodeOus;
        if (nodeOus?.Enable == true)
        {
            var named = new[] { nodeOus.ClientOuIdentifier, nodeOus.PeerOuIdentifier, nodeOus.AdminOuIdentifier, nodeOus.OrdererOuIdentifier };
            for (var i = 0; i < named.Length; i++)
            {
                if (named[i] is { } ou && ou.OrganizationalUnitIdentifier != NodeOuNames[i])
                {
                    throw new ChannelConfigException(
                        $"organization {organization}: msp.fabric_node_ous {NodeOuNames[i]} OU is \"{ou.OrganizationalUnitIdentifier}\"; FnzChain supports Fabric's standard names only ({string.Join(", ", NodeOuNames)})");
                }
            }
        }

        var crls = msp.RevocationList.Select((crl, i) => CrlDer(crl, organization, i)).ToList();
        return new MspDefinition
        {
            MspId = msp.Name,
            RootCertificates = roots,
            IntermediateCertificates = Certificates(msp.IntermediateCerts, organization, "intermediate_certs"),
            TlsRootCertificates = Certificates(msp.TlsRootCerts, organization, "tls_root_certs"),
            TlsIntermediateCertificates = Certificates(msp.TlsIntermediateCerts, organization, "tls_intermediate_certs"),
            Crls = crls,
            NodeOusEnabled = nodeOus?.Enable ?? false,
        };
    }

    private static ByteString CrlPem(byte[] der) => ByteString.CopyFromUtf8(new string(System.Security.Cryptography.PemEncoding.Write("X509 CRL", der)) + "\n");

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
            throw new ChannelConfigException($"organization {organization}: msp.revocation_list[{index}] is not a PEM \"X509 CRL\" block");
        }

        return Convert.FromBase64String(text[fields.Base64Data]);
    }
}
