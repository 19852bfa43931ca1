namespace FnzChain.Node.Tls;

/// <summary>
/// The <c>tls</c> section of a node's configuration file (Fabric's <c>peer.tls</c> / <c>General.TLS</c>). Example, as
/// <c>network up</c> writes it:
/// <c>"tls": { "enabled": true, "certificate": "crypto/…/peer0.org1.example.com/tls/server.crt", "key": "…/server.key",
/// "rootCAs": ["…/tls/ca.crt"], "clientAuthRequired": true, "clientRootCAs": ["…/org1.example.com/msp/tlscacerts"] }</c>.
/// Paths are relative to the configuration file. Without the section the node runs plaintext and says so at start.
/// </summary>
public sealed class NodeTlsOptions
{
    /// <summary>TLS on the gRPC listener and on every outbound connection.</summary>
    public bool Enabled { get; init; }

    /// <summary>The node's TLS certificate (PEM; may be followed by its intermediate CAs), used as server and as client certificate.</summary>
    public string? Certificate { get; set; }

    /// <summary>The private key of <see cref="Certificate"/> (PEM, unencrypted PKCS#8 or SEC1).</summary>
    public string? Key { get; set; }

    /// <summary>
    /// TLS CA certificates (files or folders of PEM files) that servers this node connects to must chain to — besides
    /// the TLS CAs of the organisations of its channels. The node's own certificate must chain to one of them.
    /// </summary>
    public List<string> RootCAs { get; set; } = [];

    /// <summary>Mutual TLS: a client without a certificate that chains to a client root CA is refused in the handshake.</summary>
    public bool ClientAuthRequired { get; init; }

    /// <summary>
    /// TLS CA certificates (files or folders) that clients' certificates may chain to, besides the TLS root and
    /// intermediate CAs of the organisations of the node's channels (which change with channel configuration).
    /// </summary>
    public List<string> ClientRootCAs { get; set; } = [];

    /// <summary>
    /// Certificate revocation lists (files or folders of PEM/DER CRLs) of the TLS CAs in <see cref="RootCAs"/> and
    /// <see cref="ClientRootCAs"/>: a node whose own certificate is revoked refuses to start, and under mutual TLS a
    /// client certificate they revoke is refused in the handshake. Read at start; a CRL no trusted CA signed is refused.
    /// </summary>
    public List<string> Crls { get; set; } = [];

    /// <summary>
    /// TLS (server-side only) on the operations listener too. False keeps <c>/healthz</c> and <c>/metrics</c> plaintext
    /// HTTP for scrapers on a management network; the node says so at start.
    /// </summary>
    public bool Operations { get; init; }

    /// <summary>Resolves relative paths against <paramref name="folder"/>.</summary>
    internal void ResolvePaths(string folder)
    {
        Certificate = Certificate is null ? null : Path.GetFullPath(Certificate, folder);
        Key = Key is null ? null : Path.GetFullPath(Key, folder);
        RootCAs = [.. RootCAs.Select(p => Path.GetFullPath(p, folder))];
        ClientRootCAs = [.. ClientRootCAs.Select(p => Path.GetFullPath(p, folder))];
        Crls = [.. Crls.Select(p => Path.GetFullPath(p, folder))];
    }
}
