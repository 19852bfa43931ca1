using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace FnzChain.Crypto.Tls;

/// <summary>
/// Which CAs a TLS peer's certificate must chain to: the given roots only (never the machine's store), with
/// intermediates. Used for server certificates by clients and for client certificates by nodes with mutual TLS.
/// </summary>
public sealed class TlsTrust
{
    private static readonly Oid s_serverAuth = new("1.3.6.1.5.5.7.3.1");
    private static readonly Oid s_clientAuth = new("1.3.6.1.5.5.7.3.2");

    public TlsTrust(IEnumerable<X509Certificate2> roots, IEnumerable<X509Certificate2>? intermediates = null)
    {
        ArgumentNullException.ThrowIfNull(roots);
        Roots = [.. roots.DistinctBy(c => c.Thumbprint)];
        Intermediates = [.. (intermediates ?? []).DistinctBy(c => c.Thumbprint)];
    }

    public IReadOnlyList<X509Certificate2> Roots { get; }

    public IReadOnlyList<X509Certificate2> Intermediates { get; }

    /// <summary>Why <paramref name="certificate"/> (with the chain its owner sent) is not trusted as a TLS server's certificate, or null.</summary>
    public string? ServerProblem(X509Certificate2 certificate, IEnumerable<X509Certificate2>? sentChain = null, DateTimeOffset? at = null) =>
        Problem(certificate, sentChain, s_serverAuth, at);

    /// <summary>Why <paramref name="certificate"/> is not trusted as a TLS client's certificate, or null.</summary>
    public string? ClientProblem(X509Certificate2 certificate, IEnumerable<X509Certificate2>? sentChain = null, DateTimeOffset? at = null) =>
        Problem(certificate, sentChain, s_clientAuth, at);

    private string? Problem(X509Certificate2 certificate, IEnumerable<X509Certificate2>? sentChain, Oid purpose, DateTimeOffset? at)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        if (Roots.Count == 0)
        {
            return $"no TLS root CA is configured to check '{certificate.Subject}' against";
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.ChainPolicy.CustomTrustStore.AddRange(Roots.ToArray());
        chain.ChainPolicy.ExtraStore.AddRange(Intermediates.ToArray());
        chain.ChainPolicy.ExtraStore.AddRange((sentChain ?? []).Where(c => c.Thumbprint != certificate.Thumbprint).ToArray());
        chain.ChainPolicy.ApplicationPolicy.Add(purpose);
        if (at is { } time)
        {
            chain.ChainPolicy.VerificationTime = time.UtcDateTime;
        }

        if (chain.Build(certificate))
        {
            return null;
        }

        var statuses = chain.ChainStatus.Select(s => s.Status).Where(s => s != X509ChainStatusFlags.NoError).ToHashSet();
        if (statuses.Contains(X509ChainStatusFlags.NotTimeValid))
        {
            return $"certificate '{certificate.Subject}' is outside its validity period ({certificate.NotBefore.ToUniversalTime():yyyy-MM-dd HH:mm}Z to {certificate.NotAfter.ToUniversalTime():yyyy-MM-dd HH:mm}Z)";
        }

        if (statuses.Contains(X509ChainStatusFlags.UntrustedRoot) || statuses.Contains(X509ChainStatusFlags.PartialChain))
        {
            return $"certificate '{certificate.Subject}' issued by '{certificate.Issuer}' does not chain to a trusted TLS CA ({string.Join(", ", Roots.Select(r => $"'{r.Subject}'"))})";
        }

        if (statuses.Contains(X509ChainStatusFlags.NotValidForUsage))
        {
            return $"certificate '{certificate.Subject}' is not for TLS {(purpose.Value == s_serverAuth.Value ? "server" : "client")} authentication (extended key usage)";
        }

        return $"certificate '{certificate.Subject}' is not trusted: {string.Join(", ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).Distinct())}";
    }
}
