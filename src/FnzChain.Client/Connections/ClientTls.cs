using System.Security.Cryptography.X509Certificates;
using FnzChain.Crypto.Tls;

namespace FnzChain.Client.Connections;

/// <summary>
/// How a client (an application, an operator's command, a node calling another node) secures its gRPC connections:
/// TLS with the CAs that server certificates must chain to and, for servers that require mutual TLS, the client's
/// own TLS certificate; or, only when asked for explicitly, plaintext.
/// </summary>
/// <example>
/// <code>
/// var tls = ClientTls.FromFiles(["crypto/peerOrganizations/org1.example.com/msp/tlscacerts"],
///     "crypto/peerOrganizations/org1.example.com/users/User1@org1.example.com/tls/client.crt",
///     "crypto/peerOrganizations/org1.example.com/users/User1@org1.example.com/tls/client.key");
/// using var gateway = Gateway.Connect("127.0.0.1:7051", user, new GatewayOptions { Tls = tls });
/// </code>
/// </example>
public sealed record ClientTls
{
    private ClientTls(bool insecure, TlsTrust? trust, TlsKeyPair? clientCertificate)
    {
        Insecure = insecure;
        Trust = trust;
        ClientCertificate = clientCertificate;
        CertificateHash = clientCertificate is null ? null : TlsCertificateFiles.Hash(clientCertificate.Certificate);
    }

    /// <summary>Plaintext HTTP/2: only for a node started without TLS (<c>--insecure</c>).</summary>
    public static ClientTls Plaintext { get; } = new(insecure: true, trust: null, clientCertificate: null);

    /// <summary>True for plaintext connections.</summary>
    public bool Insecure { get; }

    /// <summary>The CAs a server's certificate must chain to (null when <see cref="Insecure"/>).</summary>
    public TlsTrust? Trust { get; }

    /// <summary>The client's TLS certificate and key, presented to servers that ask for one; null for none.</summary>
    public TlsKeyPair? ClientCertificate { get; }

    /// <summary>SHA-256 of <see cref="ClientCertificate"/>: the <c>tls_cert_hash</c> of Deliver requests (Fabric's binding).</summary>
    public byte[]? CertificateHash { get; }

    /// <summary>TLS trusting <paramref name="roots"/> (and <paramref name="intermediates"/>), presenting <paramref name="clientCertificate"/> when given.</summary>
    public static ClientTls Create(IEnumerable<X509Certificate2> roots, TlsKeyPair? clientCertificate = null, IEnumerable<X509Certificate2>? intermediates = null)
    {
        var trust = new TlsTrust(roots, intermediates);
        return trust.Roots.Count == 0
            ? throw new TlsConfigurationException("TLS needs at least one root CA certificate to check servers against")
            : new ClientTls(insecure: false, trust, clientCertificate);
    }

    /// <summary>
    /// TLS trusting the CA certificates in <paramref name="rootPaths"/> (files or folders of PEM files), presenting the
    /// certificate and key files when both are given. A bad file is a <see cref="TlsConfigurationException"/> naming it.
    /// </summary>
    public static ClientTls FromFiles(IEnumerable<string> rootPaths, string? certificatePath = null, string? keyPath = null)
    {
        ArgumentNullException.ThrowIfNull(rootPaths);
        var now = DateTimeOffset.UtcNow;
        var roots = TlsCertificateFiles.LoadCertificateAuthorities(rootPaths, now, "TLS root CA");
        if ((certificatePath is null) != (keyPath is null))
        {
            throw new TlsConfigurationException($"a TLS client certificate needs both its certificate and its key file (given: {certificatePath ?? keyPath})");
        }

        return Create(roots, certificatePath is null ? null : TlsCertificateFiles.LoadKeyPair(certificatePath, keyPath!, now));
    }

    /// <summary>
    /// The TLS settings an identity's cryptogen-layout msp folder implies: trust the TLS CAs in its <c>tlscacerts/</c>
    /// and in the <c>msp/tlscacerts/</c> of every organisation in the same crypto folder (<c>peerOrganizations/*</c>,
    /// <c>ordererOrganizations/*</c>), and present the identity's TLS certificate (<c>../tls/client.crt</c> and
    /// <c>client.key</c>, or a node's <c>server.crt</c>/<c>server.key</c>) when it has one.
    /// </summary>
    public static ClientTls FromMspFolder(string mspFolder)
    {
        ArgumentException.ThrowIfNullOrEmpty(mspFolder);
        var full = Path.GetFullPath(mspFolder).TrimEnd(Path.DirectorySeparatorChar);
        var roots = new List<string>();
        if (Directory.Exists(Path.Combine(full, "tlscacerts")))
        {
            roots.Add(Path.Combine(full, "tlscacerts"));
        }

        roots.AddRange(OrganizationTlsCaFolders(full));
        if (roots.Count == 0)
        {
            throw new TlsConfigurationException($"msp folder {mspFolder} has no tlscacerts/ and is not inside a cryptogen-layout crypto folder: give the TLS root CA (--tls-ca) or connect with --insecure");
        }

        var tls = Path.Combine(Path.GetDirectoryName(full)!, "tls");
        var (certificate, key) = File.Exists(Path.Combine(tls, "client.crt"))
            ? (Path.Combine(tls, "client.crt"), Path.Combine(tls, "client.key"))
            : File.Exists(Path.Combine(tls, "server.crt")) ? (Path.Combine(tls, "server.crt"), Path.Combine(tls, "server.key")) : ((string?)null, (string?)null);
        return FromFiles(roots.Distinct(StringComparer.Ordinal), certificate, key);
    }

    /// <summary>The <c>msp/tlscacerts</c> folders of every organisation in the crypto folder that holds <paramref name="mspFolder"/>, if any.</summary>
    public static IReadOnlyList<string> OrganizationTlsCaFolders(string mspFolder)
    {
        // <crypto>/{peer|orderer}Organizations/<domain>/{users|peers|orderers}/<name>/msp, or <crypto>/…/<domain>/msp
        for (var folder = Path.GetDirectoryName(Path.GetFullPath(mspFolder)); folder is not null; folder = Path.GetDirectoryName(folder))
        {
            var name = Path.GetFileName(folder);
            if (name is "peerOrganizations" or "ordererOrganizations")
            {
                var crypto = Path.GetDirectoryName(folder)!;
                return
                [
                    .. new[] { "peerOrganizations", "ordererOrganizations" }
                        .Select(kind => Path.Combine(crypto, kind))
                        .Where(Directory.Exists)
                        .SelectMany(Directory.EnumerateDirectories)
                        .Select(org => Path.Combine(org, "msp", "tlscacerts"))
                        .Where(Directory.Exists)
                        .Order(StringComparer.Ordinal),
                ];
            }
        }

        return [];
    }

    /// <summary>These settings also trusting <paramref name="roots"/>.</summary>
    public ClientTls AlsoTrusting(IEnumerable<X509Certificate2> roots)
    {
        ArgumentNullException.ThrowIfNull(roots);
        return Insecure ? this : Create([.. Trust!.Roots, .. roots], ClientCertificate, Trust.Intermediates);
    }

    /// <summary>The URI scheme of connections with these settings.</summary>
    public string Scheme => Insecure ? "http" : "https";
}
