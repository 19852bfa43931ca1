using System.Security.Cryptography;
using FnzChain.Crypto.Keys;
using FnzChain.Crypto.Pki;

namespace FnzChain.Crypto.Cryptogen;

/// <summary>
/// Writes the MSP and TLS material of a <see cref="CryptoConfig"/> in Fabric cryptogen's layout:
/// <c>peerOrganizations/&lt;domain&gt;</c> and <c>ordererOrganizations/&lt;domain&gt;</c>, each with <c>ca</c>,
/// <c>tlsca</c>, the org's verifying <c>msp</c>, its nodes (<c>peers</c> or <c>orderers</c>) and <c>users</c>
/// (<c>Admin@domain</c>, <c>User1@domain</c>, ...). Node OUs are always enabled.
/// </summary>
public sealed class CryptoMaterialGenerator
{
    public const string PeerOrganizations = "peerOrganizations";
    public const string OrdererOrganizations = "ordererOrganizations";
    public const string PrivateKeyFile = "priv_sk";

    private const string DefaultCountry = "US";
    private const string DefaultProvince = "California";
    private const string DefaultLocality = "San Francisco";

    private readonly TimeProvider _time;

    public CryptoMaterialGenerator(TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
    }

    /// <summary>The org folders <paramref name="config"/> writes under <paramref name="outputFolder"/>.</summary>
    public static IReadOnlyList<string> OrgFolders(CryptoConfig config, string outputFolder)
    {
        ArgumentNullException.ThrowIfNull(config);
        return
        [
            .. config.OrdererOrgs.Select(org => Path.Combine(outputFolder, OrdererOrganizations, org.Domain)),
            .. config.PeerOrgs.Select(org => Path.Combine(outputFolder, PeerOrganizations, org.Domain)),
        ];
    }

    /// <summary>
    /// Generates every org. An org folder that exists and is not empty is refused (nothing is written), unless
    /// <paramref name="force"/>, which deletes it first. Returns the org folders written.
    /// </summary>
    public IReadOnlyList<string> Generate(CryptoConfig config, string outputFolder, bool force)
    {
        ArgumentNullException.ThrowIfNull(config);
        var folders = OrgFolders(config, outputFolder);
        foreach (var folder in folders)
        {
            if (Directory.Exists(folder) && Directory.EnumerateFileSystemEntries(folder).Any() && !force)
            {
                throw new IOException($"output folder {folder} already exists and is not empty; remove it or pass --force to replace it");
            }
        }

        foreach (var org in config.OrdererOrgs)
        {
            var folder = Path.Combine(outputFolder, OrdererOrganizations, org.Domain);
            Write(folder, () => GenerateOrg(folder, org, "orderers", org.Hosts, NodeOuConfig.OrdererOu));
        }

        foreach (var org in config.PeerOrgs)
        {
            var folder = Path.Combine(outputFolder, PeerOrganizations, org.Domain);
            var peers = Enumerable.Range(0, org.Peers).Select(i => $"peer{i}").ToArray();
            Write(folder, () => GenerateOrg(folder, org, "peers", peers, NodeOuConfig.PeerOu));
        }

        return folders;
    }

    // A failed org leaves no half-written folder behind.
    private static void Write(string folder, Action generate)
    {
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }

        try
        {
            generate();
        }
        catch
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }

            throw;
        }
    }

    private void GenerateOrg(string folder, OrgSpec org, string nodesFolder, IReadOnlyList<string> hosts, string nodeOu)
    {
        var caValidity = TimeSpan.FromDays(org.CaValidityDays ?? (int)CertificateAuthority.DefaultValidity.TotalDays);
        var leafValidity = TimeSpan.FromDays(org.LeafValidityDays ?? (int)CertificateAuthority.DefaultValidity.TotalDays);
        var signCa = CertificateAuthority.CreateRoot(Subject(org, $"ca.{org.Domain}", organizationalUnit: null), caValidity, _time);
        var tlsCa = CertificateAuthority.CreateRoot(Subject(org, $"tlsca.{org.Domain}", organizationalUnit: null), caValidity, _time);
        WriteCa(Path.Combine(folder, "ca"), signCa);
        WriteCa(Path.Combine(folder, "tlsca"), tlsCa);

        var context = new OrgContext(org, signCa, tlsCa, leafValidity);
        WriteVerifyingMsp(Path.Combine(folder, "msp"), context);

        foreach (var host in hosts)
        {
            var name = $"{host}.{org.Domain}";
            WriteIdentity(Path.Combine(folder, nodesFolder, name), name, nodeOu, [name, host, "localhost", "127.0.0.1"], tlsPrefix: "server", context);
        }

        WriteIdentity(Path.Combine(folder, "users", $"Admin@{org.Domain}"), $"Admin@{org.Domain}", NodeOuConfig.AdminOu, [], tlsPrefix: "client", context);
        for (var i = 1; i <= org.Users; i++)
        {
            var name = $"User{i}@{org.Domain}";
            WriteIdentity(Path.Combine(folder, "users", name), name, NodeOuConfig.ClientOu, [], tlsPrefix: "client", context);
        }

        foreach (var user in org.NamedUsers)
        {
            var name = $"{user.Name}@{org.Domain}";
            WriteIdentity(Path.Combine(folder, "users", name), name, user.Admin ? NodeOuConfig.AdminOu : NodeOuConfig.ClientOu, [], tlsPrefix: "client", context, user.Attributes);
        }
    }

    private static void WriteCa(string folder, CertificateAuthority ca)
    {
        PemFiles.WriteCertificate(Path.Combine(folder, CertificateFileName(ca.CommonName)), ca.CertificateDer);
        PemFiles.WritePrivateKey(Path.Combine(folder, PrivateKeyFile), ca.ExportPkcs8());
    }

    /// <summary>The org's MSP as a channel sees it: CA and TLS CA certificates and the Node OU configuration.</summary>
    private static void WriteVerifyingMsp(string msp, OrgContext org)
    {
        Directory.CreateDirectory(Path.Combine(msp, "admincerts"));
        PemFiles.WriteCertificate(Path.Combine(msp, "cacerts", CertificateFileName(org.SignCa.CommonName)), org.SignCa.CertificateDer);
        PemFiles.WriteCertificate(Path.Combine(msp, "tlscacerts", CertificateFileName(org.TlsCa.CommonName)), org.TlsCa.CertificateDer);
        File.WriteAllText(Path.Combine(msp, NodeOuConfig.FileName), NodeOuConfig.Render($"cacerts/{CertificateFileName(org.SignCa.CommonName)}"));
    }

    /// <summary>A node's or user's local MSP (signing certificate and key) and its TLS key pair.</summary>
    private static void WriteIdentity(string folder, string name, string nodeOu, string[] subjectAlternativeNames, string tlsPrefix, OrgContext org, IReadOnlyDictionary<string, string>? attributes = null)
    {
        var msp = Path.Combine(folder, "msp");
        WriteVerifyingMsp(msp, org);

        using (var key = ECDsa.Create(ECCurve.NamedCurves.nistP256))
        {
            using var certificate = org.SignCa.IssueSigningCertificate(Subject(org.Spec, name, nodeOu), key.ExportSubjectPublicKeyInfo(), attributes ?? new Dictionary<string, string>(), org.LeafValidity);
            PemFiles.WriteCertificate(Path.Combine(msp, "signcerts", CertificateFileName(name)), certificate);
            PemFiles.WritePrivateKey(Path.Combine(msp, "keystore", PrivateKeyFile), key);
        }

        var tls = Path.Combine(folder, "tls");
        using (var tlsKey = ECDsa.Create(ECCurve.NamedCurves.nistP256))
        {
            using var certificate = org.TlsCa.IssueTlsCertificate(Subject(org.Spec, name, organizationalUnit: null), tlsKey.ExportSubjectPublicKeyInfo(), subjectAlternativeNames, org.LeafValidity);
            PemFiles.WriteCertificate(Path.Combine(tls, "ca.crt"), org.TlsCa.CertificateDer);
            PemFiles.WriteCertificate(Path.Combine(tls, $"{tlsPrefix}.crt"), certificate);
            PemFiles.WritePrivateKey(Path.Combine(tls, $"{tlsPrefix}.key"), tlsKey);
        }
    }

    private static CertificateSubject Subject(OrgSpec org, string commonName, string? organizationalUnit) => new(commonName)
    {
        Country = org.Country ?? DefaultCountry,
        Province = org.Province ?? DefaultProvince,
        Locality = org.Locality ?? DefaultLocality,
        Organization = org.Domain,
        OrganizationalUnit = organizationalUnit,
    };

    /// <summary>cryptogen's certificate file name: <c>&lt;name&gt;-cert.pem</c>.</summary>
    public static string CertificateFileName(string name) => $"{name}-cert.pem";

    private sealed record OrgContext(OrgSpec Spec, CertificateAuthority SignCa, CertificateAuthority TlsCa, TimeSpan LeafValidity);
}
