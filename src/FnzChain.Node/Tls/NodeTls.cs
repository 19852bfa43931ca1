using System.Security.Cryptography.X509Certificates;
using FnzChain.Client.Connections;
using FnzChain.Crypto.Tls;
using FnzChain.Identity.Msp;

namespace FnzChain.Node.Tls;

/// <summary>
/// A node's TLS material, loaded and checked once at start from its <see cref="NodeTlsOptions"/>: the certificate it
/// serves and presents, the CAs servers it calls must chain to, and — with mutual TLS — the CAs client certificates
/// must chain to: the configured ones plus the TLS root and intermediate CAs of every organisation of the node's
/// channels as they are now (a configuration update that adds an organisation lets its clients in).
/// </summary>
public sealed class NodeTls
{
    private Func<IEnumerable<MspDefinition>> _channelOrganizations = () => [];

    private NodeTls(bool enabled, TlsKeyPair? certificate, IReadOnlyList<X509Certificate2> rootCAs, bool clientAuthRequired, IReadOnlyList<X509Certificate2> clientRootCAs, bool operations)
    {
        Enabled = enabled;
        Certificate = certificate;
        RootCAs = rootCAs;
        ClientAuthRequired = clientAuthRequired;
        ClientRootCAs = clientRootCAs;
        Operations = operations;
    }

    /// <summary>No TLS: plaintext HTTP/2 on the gRPC port and to other nodes.</summary>
    public static NodeTls Off { get; } = new(false, null, [], false, [], false);

    public bool Enabled { get; }

    /// <summary>The node's certificate and key (null when TLS is off).</summary>
    public TlsKeyPair? Certificate { get; }

    public IReadOnlyList<X509Certificate2> RootCAs { get; }

    /// <summary>Mutual TLS: clients must present a trusted certificate, and Deliver requests must carry its hash.</summary>
    public bool ClientAuthRequired { get; }

    public IReadOnlyList<X509Certificate2> ClientRootCAs { get; }

    /// <summary>TLS on the operations listener too.</summary>
    public bool Operations { get; }

    /// <summary>
    /// Loads and checks <paramref name="options"/> at <paramref name="now"/>. Refused, with one line naming the field and
    /// file (<see cref="TlsConfigurationException"/>): a missing or unreadable certificate, key or CA file; a key that is
    /// not the certificate's; a certificate expired or not yet valid; a CA or self-signed certificate, or one that does
    /// not chain to <c>rootCAs</c>; a certificate a CRL of <c>crls</c> revokes, or a CRL no trusted CA signed; mutual
    /// TLS or operations TLS without TLS.
    /// </summary>
    public static NodeTls Load(NodeTlsOptions options, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.Enabled)
        {
            return options.ClientAuthRequired || options.Operations
                ? throw new TlsConfigurationException($"tls.{(options.ClientAuthRequired ? "clientAuthRequired" : "operations")} is true but tls.enabled is false: a node is never half-secured; enable TLS or drop it")
                : Off;
        }

        if (string.IsNullOrEmpty(options.Certificate) || string.IsNullOrEmpty(options.Key))
        {
            throw new TlsConfigurationException($"tls.enabled is true but tls.{(string.IsNullOrEmpty(options.Certificate) ? "certificate" : "key")} is not set");
        }

        if (options.RootCAs.Count == 0)
        {
            throw new TlsConfigurationException("tls.rootCAs is empty: give the TLS CA that issued tls.certificate (cryptogen's tls/ca.crt)");
        }

        var certificate = TlsCertificateFiles.LoadKeyPair(options.Certificate, options.Key, now);
        var roots = TlsCertificateFiles.LoadCertificateAuthorities(options.RootCAs, now, "tls.rootCAs:");
        var trust = new TlsTrust(roots.Where(IsSelfSigned), roots.Where(r => !IsSelfSigned(r)).Concat(certificate.Chain));
        if (trust.ServerProblem(certificate.Certificate, certificate.Chain, now) is { } problem)
        {
            throw new TlsConfigurationException($"TLS certificate {options.Certificate}: {problem} (tls.rootCAs)");
        }

        if (options.ClientAuthRequired && options.ClientRootCAs.Count == 0)
        {
            throw new TlsConfigurationException("tls.clientAuthRequired is true but tls.clientRootCAs is empty: no client could connect before the node joins a channel");
        }

        var clientRoots = TlsCertificateFiles.LoadCertificateAuthorities(options.ClientRootCAs, now, "tls.clientRootCAs:");
        var revocations = options.Crls.Count == 0 ? TlsRevocations.None
            : TlsRevocations.Load(options.Crls, roots.Concat(clientRoots).Concat(certificate.Chain), "tls.crls:");
        if (revocations.Problem(certificate.Certificate) is { } revoked)
        {
            throw new TlsConfigurationException($"TLS certificate {options.Certificate}: {revoked} (tls.crls); issue the node a new certificate");
        }

        return new NodeTls(true, certificate, roots, options.ClientAuthRequired, clientRoots, options.Operations) { Revocations = revocations };
    }

    /// <summary>Where the TLS CAs of the node's channel organisations come from (set once the channel registry exists).</summary>
    public void AttachChannelOrganizations(Func<IEnumerable<MspDefinition>> organizations) =>
        _channelOrganizations = organizations ?? throw new ArgumentNullException(nameof(organizations));

    /// <summary>How this node connects to other nodes now: TLS trusting its root CAs and its channels' organisations' TLS CAs, presenting its certificate.</summary>
    public ClientTls Outbound()
    {
        if (!Enabled)
        {
            return ClientTls.Plaintext;
        }

        var organizations = _channelOrganizations().ToList();
        var all = RootCAs.Concat(organizations.SelectMany(o => o.TlsRootCertificates)).ToList();
        return ClientTls.Create(
            all.Where(IsSelfSigned),
            Certificate,
            all.Where(c => !IsSelfSigned(c)).Concat(organizations.SelectMany(o => o.TlsIntermediateCertificates)));
    }

    /// <summary>The serials the CRLs of <c>tls.crls</c> revoke.</summary>
    public TlsRevocations Revocations { get; private init; } = TlsRevocations.None;

    /// <summary>Why a client's certificate is refused in the handshake, or null when it chains to a client root CA and no CRL of <c>tls.crls</c> revokes it.</summary>
    public string? ClientCertificateProblem(X509Certificate2 certificate, IEnumerable<X509Certificate2>? sentChain)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var organizations = _channelOrganizations().ToList();
        var all = ClientRootCAs.Concat(organizations.SelectMany(o => o.TlsRootCertificates)).ToList();
        var trust = new TlsTrust(all.Where(IsSelfSigned), all.Where(c => !IsSelfSigned(c)).Concat(organizations.SelectMany(o => o.TlsIntermediateCertificates)));
        return trust.ClientProblem(certificate, sentChain) ?? (Revocations.Problem(certificate) is { } revoked ? $"certificate {revoked}" : null);
    }

    private static bool IsSelfSigned(X509Certificate2 certificate) => certificate.SubjectName.RawData.AsSpan().SequenceEqual(certificate.IssuerName.RawData);
}
