using System.Collections.Frozen;
using System.Security.Cryptography.X509Certificates;
using FnzChain.Crypto.Keys;
using Org.BouncyCastle.X509;

namespace FnzChain.Crypto.Tls;

/// <summary>
/// The TLS certificates a node's TLS CAs revoked: the serials of the CRLs in its <c>tls.crls</c> setting, each CRL
/// checked at start to be signed by a CA the node trusts (a CRL anyone could write would revoke anyone).
/// </summary>
public sealed class TlsRevocations
{
    private readonly FrozenDictionary<string, FrozenDictionary<string, string>> _revoked;

    private TlsRevocations(FrozenDictionary<string, FrozenDictionary<string, string>> revoked) => _revoked = revoked;

    /// <summary>No CRL: nothing revoked.</summary>
    public static TlsRevocations None { get; } = new(FrozenDictionary<string, FrozenDictionary<string, string>>.Empty);

    /// <summary>How many serials the CRLs revoke, over every issuer.</summary>
    public int Count => _revoked.Values.Sum(s => s.Count);

    /// <summary>
    /// Reads the CRLs in <paramref name="paths"/> (files, or folders of <c>*.pem</c>/<c>*.crl</c> files; PEM "X509 CRL"
    /// or DER). A missing or unreadable file, one that is not a CRL, or a CRL that none of <paramref name="issuers"/>
    /// signed is refused in one line naming the file (<paramref name="what"/> names the setting).
    /// </summary>
    public static TlsRevocations Load(IEnumerable<string> paths, IEnumerable<X509Certificate2> issuers, string what)
    {
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentNullException.ThrowIfNull(issuers);
        var cas = issuers.Select(ca => (Ca: ca, Bc: new X509CertificateParser().ReadCertificate(ca.RawData))).ToList();
        var revoked = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        foreach (var file in Files(paths, what))
        {
            X509Crl crl;
            try
            {
                var bytes = File.ReadAllBytes(file);
                var der = bytes.AsSpan().StartsWith("-----BEGIN"u8) ? PemFiles.ReadCrl(file) : bytes;
                crl = new X509CrlParser().ReadCrl(der) ?? throw new TlsConfigurationException($"{what} {file} holds no CRL");
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or KeyFileException or Org.BouncyCastle.Security.Certificates.CrlException or ArgumentException or InvalidOperationException)
            {
                throw new TlsConfigurationException($"{what} {file} is not a readable X.509 CRL: {ex.Message.ReplaceLineEndings(" ")}", ex);
            }

            var signer = cas.FirstOrDefault(ca => ca.Bc.SubjectDN.Equivalent(crl.IssuerDN) && Verifies(crl, ca.Bc));
            if (signer.Ca is null)
            {
                throw new TlsConfigurationException($"{what} {file}: CRL issuer '{crl.IssuerDN}' is not a TLS CA this node trusts (tls.rootCAs, tls.clientRootCAs), or did not sign it");
            }

            var issuer = Convert.ToHexString(signer.Ca.SubjectName.RawData);
            if (!revoked.TryGetValue(issuer, out var serials))
            {
                revoked[issuer] = serials = new Dictionary<string, string>(StringComparer.Ordinal);
            }

            foreach (var entry in crl.GetRevokedCertificates() ?? new HashSet<X509CrlEntry>())
            {
                serials[entry.SerialNumber.ToString(16).ToUpperInvariant().TrimStart('0')] = file;
            }
        }

        return new TlsRevocations(revoked.ToFrozenDictionary(p => p.Key, p => p.Value.ToFrozenDictionary(StringComparer.Ordinal), StringComparer.Ordinal));
    }

    /// <summary>Why <paramref name="certificate"/> is revoked ("serial … revoked by CRL &lt;file&gt; of '&lt;issuer&gt;'"), or null.</summary>
    public string? Problem(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        if (_revoked.Count == 0 || !_revoked.TryGetValue(Convert.ToHexString(certificate.IssuerName.RawData), out var serials))
        {
            return null;
        }

        var serial = Convert.ToHexString(certificate.SerialNumberBytes.Span).TrimStart('0');
        return serials.TryGetValue(serial, out var file)
            ? $"'{certificate.Subject}' (serial {serial}) is revoked by CRL {file} of '{certificate.Issuer}'"
            : null;
    }

    private static IEnumerable<string> Files(IEnumerable<string> paths, string what)
    {
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
            {
                foreach (var file in Directory.EnumerateFiles(path).Where(f => f.EndsWith(".pem", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".crl", StringComparison.OrdinalIgnoreCase)).Order(StringComparer.Ordinal))
                {
                    yield return file;
                }
            }
            else if (File.Exists(path))
            {
                yield return path;
            }
            else
            {
                throw new TlsConfigurationException($"{what} {path}: file not found");
            }
        }
    }

    private static bool Verifies(X509Crl crl, Org.BouncyCastle.X509.X509Certificate ca)
    {
        try
        {
            crl.Verify(ca.GetPublicKey());
            return true;
        }
        catch (Exception ex) when (ex is Org.BouncyCastle.Security.InvalidKeyException or Org.BouncyCastle.Security.Certificates.CrlException or Org.BouncyCastle.Security.SignatureException)
        {
            return false;
        }
    }
}
