using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using FnzChain.Crypto.Keys;

namespace FnzChain.Crypto.Tls;

/// <summary>
/// Loads TLS material from PEM files as cryptogen lays it out (<c>tls/server.crt</c>, <c>server.key</c>, <c>ca.crt</c>;
/// <c>tls/client.crt</c>, <c>client.key</c>) and checks it before anything listens or connects: every problem is a
/// <see cref="TlsConfigurationException"/> whose message is one line naming the file.
/// </summary>
public static class TlsCertificateFiles
{
    /// <summary>
    /// A certificate with its private key, ready for SslStream. The certificate file may hold the chain after the
    /// leaf (returned in <see cref="TlsKeyPair.Chain"/>). Refused: a missing or unreadable file, a key that is not the
    /// certificate's, a certificate outside its validity period (at <paramref name="now"/>), a CA certificate.
    /// </summary>
    public static TlsKeyPair LoadKeyPair(string certificatePath, string keyPath, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrEmpty(certificatePath);
        ArgumentException.ThrowIfNullOrEmpty(keyPath);
        var certificates = ReadCertificates(certificatePath);
        var leaf = certificates[0];
        ECDsa key;
        try
        {
            key = PemFiles.ReadPrivateKey(keyPath);
        }
        catch (KeyFileException e)
        {
            throw new TlsConfigurationException($"TLS key {e.Message}", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TlsConfigurationException($"TLS key {keyPath} cannot be read: {e.Message}", e);
        }

        using (key)
        {
            using var certificateKey = leaf.GetECDsaPublicKey();
            if (certificateKey is null
                || !certificateKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(key.ExportSubjectPublicKeyInfo()))
            {
                throw new TlsConfigurationException($"TLS key {keyPath} is not the private key of certificate {certificatePath} ('{leaf.Subject}')");
            }

            if (ValidityProblem(leaf, now) is { } validity)
            {
                throw new TlsConfigurationException($"TLS certificate {certificatePath}: {validity}");
            }

            if (IsCa(leaf))
            {
                throw new TlsConfigurationException($"TLS certificate {certificatePath} ('{leaf.Subject}') is a CA certificate, not a node's or user's");
            }

            // Through PKCS#12 so that the key is usable by SslStream on every platform (an ephemeral key is not on all).
            using var paired = leaf.CopyWithPrivateKey(key);
            var usable = X509CertificateLoader.LoadPkcs12(paired.Export(X509ContentType.Pkcs12), password: null);
            return new TlsKeyPair(usable, [.. certificates.Skip(1)], certificatePath, keyPath);
        }
    }

    /// <summary>
    /// Trusted CA certificates from files or folders (every <c>*.pem</c>/<c>*.crt</c> file in a folder); a missing
    /// path, an unreadable file or one holding no certificate is refused naming it. Expired CAs are refused too.
    /// </summary>
    public static IReadOnlyList<X509Certificate2> LoadCertificateAuthorities(IEnumerable<string> paths, DateTimeOffset now, string what)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var result = new List<X509Certificate2>();
        foreach (var path in paths)
        {
            IEnumerable<string> files;
            if (Directory.Exists(path))
            {
                files = Directory.EnumerateFiles(path).Where(f => f.EndsWith(".pem", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".crt", StringComparison.OrdinalIgnoreCase)).Order(StringComparer.Ordinal).ToList();
                if (!files.Any())
                {
                    throw new TlsConfigurationException($"{what} {path} is a folder without any .pem or .crt file");
                }
            }
            else
            {
                files = [path];
            }

            foreach (var file in files)
            {
                foreach (var certificate in ReadCertificates(file, what))
                {
                    if (ValidityProblem(certificate, now) is { } validity)
                    {
                        throw new TlsConfigurationException($"{what} {file}: {validity}");
                    }

                    result.Add(certificate);
                }
            }
        }

        return result;
    }

    /// <summary>Why <paramref name="certificate"/> is not valid at <paramref name="now"/>, or null.</summary>
    public static string? ValidityProblem(X509Certificate2 certificate, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var notBefore = new DateTimeOffset(certificate.NotBefore.ToUniversalTime(), TimeSpan.Zero);
        var notAfter = new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero);
        if (now < notBefore)
        {
            return $"'{certificate.Subject}' is not valid before {notBefore:yyyy-MM-dd HH:mm:ss}Z";
        }

        return now > notAfter ? $"'{certificate.Subject}' expired at {notAfter:yyyy-MM-dd HH:mm:ss}Z" : null;
    }

    /// <summary>SHA-256 of the certificate's DER bytes: what Fabric puts in a channel header's <c>tls_cert_hash</c>.</summary>
    public static byte[] Hash(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return SHA256.HashData(certificate.RawData);
    }

    private static bool IsCa(X509Certificate2 certificate) =>
        certificate.Extensions.OfType<X509BasicConstraintsExtension>().Any(b => b.CertificateAuthority);

    private static IReadOnlyList<X509Certificate2> ReadCertificates(string path, string what = "TLS certificate")
    {
        if (!File.Exists(path))
        {
            throw new TlsConfigurationException($"{what} {path} does not exist");
        }

        try
        {
            var certificates = PemFiles.ReadCertificates(path);
            return certificates.Count > 0 ? certificates : throw new TlsConfigurationException($"{what} {path} holds no certificate");
        }
        catch (KeyFileException e)
        {
            throw new TlsConfigurationException($"{what} {e.Message}", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TlsConfigurationException($"{what} {path} cannot be read: {e.Message}", e);
        }
    }
}

/// <summary>A TLS certificate with its private key (<see cref="Certificate"/>), the chain certificates that followed it in its file, and where both came from.</summary>
public sealed record TlsKeyPair(X509Certificate2 Certificate, IReadOnlyList<X509Certificate2> Chain, string CertificatePath, string KeyPath);

/// <summary>TLS material that cannot be used; the message is one line naming the file.</summary>
public sealed class TlsConfigurationException : Exception
{
    public TlsConfigurationException()
    {
    }

    public TlsConfigurationException(string message)
        : base(message)
    {
    }

    public TlsConfigurationException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
