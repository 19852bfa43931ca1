using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using FnzChain.Crypto.Keys;
using FnzChain.Crypto.Signatures;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Operators;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;
using BcBigInteger = Org.BouncyCastle.Math.BigInteger;
using BcCertificate = Org.BouncyCastle.X509.X509Certificate;

namespace FnzChain.Crypto.Pki;

/// <summary>
/// A development/test certificate authority on an ECDSA P-256 key, issuing what Fabric's cryptogen issues:
/// self-signed roots (signing CA and TLS CA), identity certificates with a node OU, TLS server/client
/// certificates with SANs, and CRLs. Built on BouncyCastle. Not thread-safe: one issuing thread per instance.
/// </summary>
public sealed class CertificateAuthority
{
    /// <summary>Default lifetime of a CA and of issued certificates (cryptogen: about ten years).</summary>
    public static readonly TimeSpan DefaultValidity = TimeSpan.FromDays(3650);

    /// <summary>Default time from a CRL's thisUpdate to its nextUpdate.</summary>
    public static readonly TimeSpan DefaultCrlValidity = TimeSpan.FromDays(365);

    private const string SignatureAlgorithm = "SHA256WITHECDSA";

    // Issued certificates start a little in the past so that a node whose clock lags still accepts them.
    private static readonly TimeSpan s_backdate = TimeSpan.FromMinutes(5);

    private readonly BcCertificate _certificate;
    private readonly AsymmetricKeyParameter _privateKey;
    private readonly byte[] _pkcs8;
    private readonly byte[] _subjectKeyIdentifier;
    private readonly TimeProvider _time;
    private readonly SecureRandom _random = new();

    private CertificateAuthority(BcCertificate certificate, byte[] pkcs8, TimeProvider time)
    {
        _certificate = certificate;
        _pkcs8 = pkcs8;
        _privateKey = PrivateKeyFactory.CreateKey(pkcs8);
        _subjectKeyIdentifier = ComputeSubjectKeyIdentifier(certificate.CertificateStructure.SubjectPublicKeyInfo);
        _time = time;
    }

    /// <summary>The CA certificate (DER).</summary>
    public byte[] CertificateDer => _certificate.GetEncoded();

    /// <summary>The CA certificate.</summary>
    public X509Certificate2 Certificate => X509CertificateLoader.LoadCertificate(_certificate.GetEncoded());

    /// <summary>The CA's common name, e.g. <c>ca.org1.example.com</c>.</summary>
    public string CommonName => _certificate.SubjectDN.GetValueList(X509Name.CN).FirstOrDefault() ?? string.Empty;

    /// <summary>The CA private key as PKCS#8 DER (written as <c>ca/priv_sk</c>).</summary>
    public byte[] ExportPkcs8() => (byte[])_pkcs8.Clone();

    /// <summary>
    /// A new self-signed root on a fresh P-256 key: basic constraints CA, key usage digitalSignature,
    /// keyEncipherment, certSign, cRLSign, extended key usage clientAuth+serverAuth, SKI (SHA-256 of the
    /// public point, as cryptogen). Serves both as signing CA and as TLS CA.
    /// </summary>
    public static CertificateAuthority CreateRoot(CertificateSubject subject, TimeSpan? validity = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(subject);
        time ??= TimeProvider.System;
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var pkcs8 = key.ExportPkcs8PrivateKey();
        var spki = SubjectPublicKeyInfo.GetInstance(key.ExportSubjectPublicKeyInfo());
        var ski = ComputeSubjectKeyIdentifier(spki);
        var name = subject.ToX509Name();

        var generator = NewGenerator(name, name, spki, validity ?? DefaultValidity, time);
        generator.AddExtension(X509Extensions.BasicConstraints, true, new BasicConstraints(true));
        generator.AddExtension(X509Extensions.KeyUsage, true, new KeyUsage(
            KeyUsage.DigitalSignature | KeyUsage.KeyEncipherment | KeyUsage.KeyCertSign | KeyUsage.CrlSign));
        generator.AddExtension(X509Extensions.ExtendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeID.id_kp_clientAuth, KeyPurposeID.id_kp_serverAuth));
        generator.AddExtension(X509Extensions.SubjectKeyIdentifier, false, new SubjectKeyIdentifier(ski));
        var certificate = generator.Generate(new Asn1SignatureFactory(SignatureAlgorithm, PrivateKeyFactory.CreateKey(pkcs8), new SecureRandom()));
        return new CertificateAuthority(certificate, pkcs8, time);
    }

    /// <summary>An existing CA from its certificate and private key; fails if they do not belong together.</summary>
    public static CertificateAuthority Load(X509Certificate2 certificate, ECDsa privateKey, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        ArgumentNullException.ThrowIfNull(privateKey);
        P256Keys.EnsureP256(privateKey, "CA private key");
        using var publicKey = certificate.GetECDsaPublicKey()
            ?? throw new CryptographicException($"CA certificate '{certificate.Subject}' does not hold an ECDSA public key");
        if (!publicKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(privateKey.ExportSubjectPublicKeyInfo()))
        {
            throw new CryptographicException($"CA private key does not match CA certificate '{certificate.Subject}'");
        }

        var parsed = new X509CertificateParser().ReadCertificate(certificate.RawData);
        return new CertificateAuthority(parsed, privateKey.ExportPkcs8PrivateKey(), time ?? TimeProvider.System);
    }

    /// <summary>An existing CA from its PEM certificate and key files (e.g. <c>ca/ca.org1.example.com-cert.pem</c>, <c>ca/priv_sk</c>).</summary>
    public static CertificateAuthority LoadFiles(string certificatePath, string keyPath, TimeProvider? time = null)
    {
        using var certificate = PemFiles.ReadCertificate(certificatePath);
        using var key = PemFiles.ReadPrivateKey(keyPath);
        try
        {
            return Load(certificate, key, time);
        }
        catch (CryptographicException ex)
        {
            throw new KeyFileException($"private key {keyPath} does not belong to CA certificate {certificatePath}: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// An identity certificate (what goes in <c>msp/signcerts</c>): key usage digitalSignature, not a CA,
    /// AKI = this CA's SKI, SKI of the subject key.
    /// </summary>
    public X509Certificate2 IssueSigningCertificate(CertificateSubject subject, ReadOnlySpan<byte> subjectPublicKeyInfo, TimeSpan? validity = null) =>
        Issue(subject, subjectPublicKeyInfo, validity, KeyUsage.DigitalSignature, extendedKeyUsage: null, subjectAlternativeNames: []);

    /// <summary>The object identifier of Fabric CA's enrollment-attributes extension; its value is <c>{"attrs":{…}}</c> JSON.</summary>
    public const string AttributesExtensionOid = "1.2.3.4.5.6.7.8.1";

    /// <summary>An identity certificate carrying enrollment attributes in Fabric CA's extension (non-critical).</summary>
    public X509Certificate2 IssueSigningCertificate(CertificateSubject subject, ReadOnlySpan<byte> subjectPublicKeyInfo, IReadOnlyDictionary<string, string> attributes, TimeSpan? validity = null)
    {
        ArgumentNullException.ThrowIfNull(attributes);
        var json = attributes.Count == 0 ? null : System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new { attrs = attributes.OrderBy(a => a.Key, StringComparer.Ordinal).ToDictionary(a => a.Key, a => a.Value) });
        return Issue(subject, subjectPublicKeyInfo, validity, KeyUsage.DigitalSignature, extendedKeyUsage: null, subjectAlternativeNames: [], attributesJson: json);
    }

    /// <summary>
    /// A TLS certificate usable as server and client (extended key usage serverAuth+clientAuth, key usage
    /// digitalSignature+keyEncipherment as cryptogen). Each SAN that parses as an IP address becomes an IP SAN,
    /// the others DNS names.
    /// </summary>
    public X509Certificate2 IssueTlsCertificate(CertificateSubject subject, ReadOnlySpan<byte> subjectPublicKeyInfo, IEnumerable<string> subjectAlternativeNames, TimeSpan? validity = null)
    {
        ArgumentNullException.ThrowIfNull(subjectAlternativeNames);
        return Issue(subject, subjectPublicKeyInfo, validity, KeyUsage.DigitalSignature | KeyUsage.KeyEncipherment,
            new ExtendedKeyUsage(KeyPurposeID.id_kp_serverAuth, KeyPurposeID.id_kp_clientAuth), [.. subjectAlternativeNames]);
    }

    /// <summary>True when <paramref name="certificate"/> names this CA as issuer and carries its signature.</summary>
    public bool IsIssuerOf(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var parsed = new X509CertificateParser().ReadCertificate(certificate.RawData);
        if (!parsed.IssuerDN.Equivalent(_certificate.SubjectDN, inOrder: true))
        {
            return false;
        }

        return parsed.IsSignatureValid(_certificate.GetPublicKey());
    }

    /// <summary>
    /// Adds <paramref name="certificate"/>'s serial to this CA's CRL and returns the new CRL (DER): entries of
    /// <paramref name="existingCrlDer"/> are kept, the CRL number goes up by one, thisUpdate is now and
    /// nextUpdate now + <paramref name="crlValidity"/>, AKI names this CA. Revoking an already revoked serial
    /// keeps one entry. Fails if this CA did not issue the certificate or the existing CRL.
    /// </summary>
    public byte[] Revoke(X509Certificate2 certificate, ReadOnlySpan<byte> existingCrlDer = default, TimeSpan? crlValidity = null)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        if (!IsIssuerOf(certificate))
        {
            throw new CryptographicException($"certificate '{certificate.Subject}' (serial {certificate.SerialNumber}) was not issued by CA '{_certificate.SubjectDN}'");
        }

        var now = _time.GetUtcNow().UtcDateTime;
        var serial = new BcBigInteger(1, certificate.SerialNumberBytes.ToArray());
        var generator = new X509V2CrlGenerator();
        generator.SetIssuerDN(_certificate.SubjectDN);
        generator.SetThisUpdate(now);
        generator.SetNextUpdate(now + (crlValidity ?? DefaultCrlValidity));

        var crlNumber = BcBigInteger.One;
        var alreadyRevoked = false;
        if (!existingCrlDer.IsEmpty)
        {
            var existing = new X509CrlParser().ReadCrl(existingCrlDer.ToArray());
            if (!existing.IssuerDN.Equivalent(_certificate.SubjectDN, inOrder: true))
            {
                throw new CryptographicException($"existing CRL was issued by '{existing.IssuerDN}', not by CA '{_certificate.SubjectDN}'");
            }

            existing.Verify(_certificate.GetPublicKey());
            generator.AddCrl(existing);
            alreadyRevoked = existing.GetRevokedCertificate(serial) is not null;
            var number = existing.GetExtensionValue(X509Extensions.CrlNumber);
            if (number is not null)
            {
                crlNumber = DerInteger.GetInstance(Asn1Object.FromByteArray(number.GetOctets())).Value.Add(BcBigInteger.One);
            }
        }

        if (!alreadyRevoked)
        {
            generator.AddCrlEntry(serial, now, CrlReason.Unspecified);
        }

        generator.AddExtension(X509Extensions.AuthorityKeyIdentifier, false, new AuthorityKeyIdentifier(_subjectKeyIdentifier));
        generator.AddExtension(X509Extensions.CrlNumber, false, new CrlNumber(crlNumber));
        return generator.Generate(new Asn1SignatureFactory(SignatureAlgorithm, _privateKey, _random)).GetEncoded();
    }

    private X509Certificate2 Issue(CertificateSubject subject, ReadOnlySpan<byte> subjectPublicKeyInfo, TimeSpan? validity, int keyUsage, ExtendedKeyUsage? extendedKeyUsage, string[] subjectAlternativeNames, byte[]? attributesJson = null)
    {
        ArgumentNullException.ThrowIfNull(subject);
        SubjectPublicKeyInfo spki;
        try
        {
            spki = SubjectPublicKeyInfo.GetInstance(subjectPublicKeyInfo.ToArray());
            using var check = ECDsa.Create();
            check.ImportSubjectPublicKeyInfo(subjectPublicKeyInfo, out _);
            P256Keys.EnsureP256(check, "subject public key");
        }
        catch (ArgumentException ex)
        {
            throw new CryptographicException($"subject public key is not a valid SubjectPublicKeyInfo: {ex.Message}", ex);
        }

        var generator = NewGenerator(_certificate.SubjectDN, subject.ToX509Name(), spki, validity ?? DefaultValidity, _time);
        generator.AddExtension(X509Extensions.BasicConstraints, true, new BasicConstraints(false));
        generator.AddExtension(X509Extensions.KeyUsage, true, new KeyUsage(keyUsage));
        if (extendedKeyUsage is not null)
        {
            generator.AddExtension(X509Extensions.ExtendedKeyUsage, false, extendedKeyUsage);
        }

        generator.AddExtension(X509Extensions.SubjectKeyIdentifier, false, new SubjectKeyIdentifier(ComputeSubjectKeyIdentifier(spki)));
        generator.AddExtension(X509Extensions.AuthorityKeyIdentifier, false, new AuthorityKeyIdentifier(_subjectKeyIdentifier));
        if (subjectAlternativeNames.Length > 0)
        {
            var names = subjectAlternativeNames
                .Select(name => IPAddress.TryParse(name, out _)
                    ? new GeneralName(GeneralName.IPAddress, name)
                    : new GeneralName(GeneralName.DnsName, name))
                .ToArray();
            generator.AddExtension(X509Extensions.SubjectAlternativeName, false, new GeneralNames(names));
        }

        if (attributesJson is not null)
        {
            // extnValue is the JSON itself, as Fabric CA writes it (not an OCTET STRING inside the OCTET STRING).
            generator.AddExtension(new Org.BouncyCastle.Asn1.X509.Extension(new Org.BouncyCastle.Asn1.DerObjectIdentifier(AttributesExtensionOid), Org.BouncyCastle.Asn1.DerBoolean.False, new Org.BouncyCastle.Asn1.DerOctetString(attributesJson)));
        }

        var certificate = generator.Generate(new Asn1SignatureFactory(SignatureAlgorithm, _privateKey, _random));
        return X509CertificateLoader.LoadCertificate(certificate.GetEncoded());
    }

    private static X509V3CertificateGenerator NewGenerator(X509Name issuer, X509Name subject, SubjectPublicKeyInfo spki, TimeSpan validity, TimeProvider time)
    {
        if (validity <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(validity), validity, "certificate validity must be positive");
        }

        var notBefore = time.GetUtcNow().UtcDateTime - s_backdate;
        notBefore = notBefore.AddTicks(-(notBefore.Ticks % TimeSpan.TicksPerSecond));
        var generator = new X509V3CertificateGenerator();
        generator.SetSerialNumber(RandomSerial());
        generator.SetIssuerDN(issuer);
        generator.SetSubjectDN(subject);
        generator.SetNotBefore(notBefore);
        generator.SetNotAfter(notBefore + validity);
        generator.SetPublicKey(PublicKeyFactory.CreateKey(spki));
        return generator;
    }

    /// <summary>A random positive serial of up to 128 bits (never zero), as cryptogen.</summary>
    private static BcBigInteger RandomSerial()
    {
        Span<byte> bytes = stackalloc byte[16];
        BcBigInteger serial;
        do
        {
            RandomNumberGenerator.Fill(bytes);
            serial = new BcBigInteger(1, bytes.ToArray());
        }
        while (serial.SignValue == 0);

        return serial;
    }

    // RFC 7093 method 4 with SHA-256 over the public point, as cryptogen computes SKIs.
    private static byte[] ComputeSubjectKeyIdentifier(SubjectPublicKeyInfo spki) => SHA256.HashData(spki.PublicKey.GetOctets());
}
