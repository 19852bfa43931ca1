using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using FnzChain.Crypto.Signatures;

namespace FnzChain.Crypto.Keys;

/// <summary>
/// Reads and writes the PEM files of an MSP folder: certificates ("CERTIFICATE"), P-256 private keys (written as
/// PKCS#8 "PRIVATE KEY"; "EC PRIVATE KEY" (SEC1) also accepted on read) and CRLs ("X509 CRL"). Reading is strict:
/// an empty file, text that is not PEM, a wrong label, bytes that do not decode, a non-EC key or another curve
/// each fail with a <see cref="KeyFileException"/> naming the file.
/// </summary>
public static class PemFiles
{
    public const string CertificateLabel = "CERTIFICATE";
    public const string PrivateKeyLabel = "PRIVATE KEY";
    public const string EcPrivateKeyLabel = "EC PRIVATE KEY";
    public const string CrlLabel = "X509 CRL";

    private const string EcPublicKeyOid = "1.2.840.10045.2.1";

    /// <summary>Reads a file holding exactly one certificate.</summary>
    public static X509Certificate2 ReadCertificate(string path)
    {
        var der = ReadSingleBlock(path, CertificateLabel);
        return LoadCertificate(path, der);
    }

    /// <summary>Reads a file holding one or more certificates (a bundle), in file order.</summary>
    public static IReadOnlyList<X509Certificate2> ReadCertificates(string path)
    {
        var blocks = ReadBlocks(path);
        var certificates = new List<X509Certificate2>(blocks.Count);
        foreach (var (label, der) in blocks)
        {
            ExpectLabel(path, label, CertificateLabel);
            certificates.Add(LoadCertificate(path, der));
        }

        return certificates;
    }

    /// <summary>
    /// Reads a P-256 private key from PKCS#8 ("PRIVATE KEY") or SEC1 ("EC PRIVATE KEY") PEM; on Unix a file its group
    /// or others may access is refused first (<see cref="KeyFileMode"/>).
    /// </summary>
    public static ECDsa ReadPrivateKey(string path)
    {
        if (KeyFileMode.Problem(path) is { } open)
        {
            throw new KeyFileException(path, $"private key file {open}");
        }

        var blocks = ReadBlocks(path);
        if (blocks.Count != 1)
        {
            throw new KeyFileException(path, $"holds {blocks.Count} PEM blocks; a key file holds exactly one");
        }

        var (label, der) = blocks[0];
        var key = ECDsa.Create();
        try
        {
            switch (label)
            {
                case PrivateKeyLabel:
                    EnsureEcPkcs8(path, der);
                    key.ImportPkcs8PrivateKey(der, out var read);
                    EnsureConsumed(path, read, der.Length);
                    break;
                case EcPrivateKeyLabel:
                    key.ImportECPrivateKey(der, out var readSec1);
                    EnsureConsumed(path, readSec1, der.Length);
                    break;
                case "ENCRYPTED PRIVATE KEY":
                    throw new KeyFileException(path, "is an encrypted private key; FnzChain reads unencrypted PKCS#8 keys only");
                default:
                    throw new KeyFileException(path, $"PEM label is '{label}'; expected '{PrivateKeyLabel}' or '{EcPrivateKeyLabel}'");
            }

            P256Keys.EnsureP256(key, "private key");
            return key;
        }
        catch (KeyFileException)
        {
            key.Dispose();
            throw;
        }
        catch (CryptographicException ex)
        {
            key.Dispose();
            throw new KeyFileException(path, OneLine(ex.Message), ex);
        }
    }

    /// <summary>Reads a DER CRL from a PEM "X509 CRL" file.</summary>
    public static byte[] ReadCrl(string path) => ReadSingleBlock(path, CrlLabel);

    public static void WriteCertificate(string path, X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        WritePem(path, CertificateLabel, certificate.RawData, secret: false);
    }

    /// <summary>Writes DER certificate bytes as PEM.</summary>
    public static void WriteCertificate(string path, ReadOnlySpan<byte> der) => WritePem(path, CertificateLabel, der, secret: false);

    /// <summary>Writes the key as unencrypted PKCS#8 PEM, readable only by the owner on Unix (as cryptogen's priv_sk).</summary>
    public static void WritePrivateKey(string path, ECDsa key)
    {
        ArgumentNullException.ThrowIfNull(key);
        WritePem(path, PrivateKeyLabel, key.ExportPkcs8PrivateKey(), secret: true);
    }

    /// <summary>Writes PKCS#8 DER private key bytes as PEM.</summary>
    public static void WritePrivateKey(string path, ReadOnlySpan<byte> pkcs8) => WritePem(path, PrivateKeyLabel, pkcs8, secret: true);

    public static void WriteCrl(string path, ReadOnlySpan<byte> der) => WritePem(path, CrlLabel, der, secret: false);

    private static void WritePem(string path, string label, ReadOnlySpan<byte> der, bool secret)
    {
        var text = new string(PemEncoding.Write(label, der)) + "\n";
        var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (secret && !OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var stream = new FileStream(path, options);
        using var writer = new StreamWriter(stream);
        writer.Write(text);
    }

    private static byte[] ReadSingleBlock(string path, string expectedLabel)
    {
        var blocks = ReadBlocks(path);
        if (blocks.Count != 1)
        {
            throw new KeyFileException(path, $"holds {blocks.Count} PEM blocks; expected exactly one '{expectedLabel}'");
        }

        ExpectLabel(path, blocks[0].Label, expectedLabel);
        return blocks[0].Der;
    }

    private static void ExpectLabel(string path, string label, string expected)
    {
        if (label != expected)
        {
            throw new KeyFileException(path, $"PEM label is '{label}'; expected '{expected}'");
        }
    }

    /// <summary>Every PEM block of the file; anything but whitespace between or around blocks is an error.</summary>
    private static List<(string Label, byte[] Der)> ReadBlocks(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (FileNotFoundException)
        {
            throw new KeyFileException(path, "file not found");
        }
        catch (DirectoryNotFoundException)
        {
            throw new KeyFileException(path, "file not found");
        }
        catch (IOException ex)
        {
            throw new KeyFileException(path, $"cannot read: {OneLine(ex.Message)}", ex);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new KeyFileException(path, $"cannot read: {OneLine(ex.Message)}", ex);
        }

        if (string.IsNullOrWhiteSpace(text))
        {
            throw new KeyFileException(path, "file is empty");
        }

        var blocks = new List<(string, byte[])>();
        var rest = text.AsSpan();
        while (!rest.IsWhiteSpace())
        {
            if (!PemEncoding.TryFind(rest, out var fields))
            {
                throw new KeyFileException(path, "malformed PEM (no complete, base64-valid BEGIN/END block)");
            }

            if (!rest[..fields.Location.Start].IsWhiteSpace())
            {
                throw new KeyFileException(path, "malformed PEM (text outside a BEGIN/END block)");
            }

            var label = rest[fields.Label].ToString();
            var der = new byte[fields.DecodedDataLength];
            if (!Convert.TryFromBase64Chars(rest[fields.Base64Data], der, out var written) || written == 0)
            {
                throw new KeyFileException(path, $"malformed PEM ('{label}' block has no valid base64 content)");
            }

            blocks.Add((label, der[..written]));
            rest = rest[fields.Location.End..];
        }

        return blocks;
    }

    private static X509Certificate2 LoadCertificate(string path, byte[] der)
    {
        try
        {
            return X509CertificateLoader.LoadCertificate(der);
        }
        catch (CryptographicException ex)
        {
            throw new KeyFileException(path, $"not a valid X.509 certificate: {OneLine(ex.Message)}", ex);
        }
    }

    // PKCS#8 says which algorithm the key is for; name it rather than letting the EC import fail vaguely.
    private static void EnsureEcPkcs8(string path, byte[] der)
    {
        string algorithm;
        try
        {
            var reader = new AsnReader(der, AsnEncodingRules.DER);
            var info = reader.ReadSequence();
            info.ReadInteger();
            var algorithmIdentifier = info.ReadSequence();
            algorithm = algorithmIdentifier.ReadObjectIdentifier();
        }
        catch (AsnContentException ex)
        {
            throw new KeyFileException(path, $"not a valid PKCS#8 private key: {OneLine(ex.Message)}", ex);
        }

        if (algorithm != EcPublicKeyOid)
        {
            var name = new Oid(algorithm).FriendlyName ?? algorithm;
            throw new KeyFileException(path, $"is a {name} key, not an EC key; FnzChain requires ECDSA P-256");
        }
    }

    private static void EnsureConsumed(string path, int read, int length)
    {
        if (read != length)
        {
            throw new KeyFileException(path, $"{length - read} trailing bytes after the private key");
        }
    }

    private static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();
}
