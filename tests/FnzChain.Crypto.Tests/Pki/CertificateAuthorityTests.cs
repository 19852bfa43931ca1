using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using FnzChain.Crypto.Pki;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.X509;

namespace FnzChain.Crypto.Tests.Pki;

public sealed class CertificateAuthorityTests
{
    private static readonly CertificateSubject s_caSubject = new("ca.org1.example.com")
    {
        Country = "US",
        Province = "California",
        Locality = "San Francisco",
        Organization = "org1.example.com",
    };

    [Test]
    public void CreateRoot_makes_a_self_signed_P256_CA_with_cert_and_crl_sign()
    {
        var ca = CertificateAuthority.CreateRoot(s_caSubject, TimeSpan.FromDays(3650));
        using var certificate = ca.Certificate;

        var basic = certificate.Extensions.OfType<X509BasicConstraintsExtension>().Single();
        var usage = certificate.Extensions.OfType<X509KeyUsageExtension>().Single();
        Assert.That(basic.CertificateAuthority, Is.True);
        Assert.That(basic.Critical, Is.True);
        Assert.That(usage.KeyUsages, Is.EqualTo(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment));
        Assert.That(certificate.Extensions.OfType<X509SubjectKeyIdentifierExtension>().Single().SubjectKeyIdentifier, Has.Length.EqualTo(64));
        Assert.That(certificate.Subject, Is.EqualTo(certificate.Issuer));
        Assert.That(certificate.Subject, Is.EqualTo("CN=ca.org1.example.com, O=org1.example.com, L=San Francisco, S=California, C=US"));
        Assert.That(certificate.NotAfter - certificate.NotBefore, Is.EqualTo(TimeSpan.FromDays(3650)));
        Assert.That(certificate.GetECDsaPublicKey()!.KeySize, Is.EqualTo(256));
    }

    [Test]
    public void IssueSigningCertificate_chains_to_the_CA_with_AKI_and_the_node_OU()
    {
        var ca = CertificateAuthority.CreateRoot(s_caSubject);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var subject = new CertificateSubject("peer0.org1.example.com") { Organization = "org1.example.com", OrganizationalUnit = "peer" };

        using var leaf = ca.IssueSigningCertificate(subject, key.ExportSubjectPublicKeyInfo(), TimeSpan.FromDays(30));
        using var root = ca.Certificate;

        Assert.That(Chains(leaf, root), Is.True);
        Assert.That(leaf.Subject, Does.Contain("OU=peer"));
        Assert.That(leaf.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority, Is.False);
        Assert.That(leaf.Extensions.OfType<X509KeyUsageExtension>().Single().KeyUsages, Is.EqualTo(X509KeyUsageFlags.DigitalSignature));
        var aki = leaf.Extensions.OfType<X509AuthorityKeyIdentifierExtension>().Single();
        Assert.That(Convert.ToHexString(aki.KeyIdentifier!.Value.Span), Is.EqualTo(root.Extensions.OfType<X509SubjectKeyIdentifierExtension>().Single().SubjectKeyIdentifier));
        Assert.That(leaf.NotAfter - leaf.NotBefore, Is.EqualTo(TimeSpan.FromDays(30)));
        Assert.That(ca.IsIssuerOf(leaf), Is.True);
    }

    [Test]
    public void IssueTlsCertificate_has_server_and_client_auth_and_the_SANs()
    {
        var ca = CertificateAuthority.CreateRoot(s_caSubject with { CommonName = "tlsca.org1.example.com" });
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        using var tls = ca.IssueTlsCertificate(new CertificateSubject("peer0.org1.example.com"), key.ExportSubjectPublicKeyInfo(), ["peer0.org1.example.com", "localhost", "127.0.0.1"]);

        var usages = tls.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages.Cast<Oid>().Select(o => o.Value);
        Assert.That(usages, Is.EquivalentTo(new[] { "1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2" }));
        var san = tls.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        Assert.That(san.EnumerateDnsNames(), Is.EqualTo(new[] { "peer0.org1.example.com", "localhost" }));
        Assert.That(san.EnumerateIPAddresses().Select(ip => ip.ToString()), Is.EqualTo(new[] { "127.0.0.1" }));
        Assert.That(tls.MatchesHostname("localhost"), Is.True);
    }

    [Test]
    public void Issued_serials_are_random_and_positive()
    {
        var ca = CertificateAuthority.CreateRoot(s_caSubject);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var serials = Enumerable.Range(0, 20)
            .Select(_ => ca.IssueSigningCertificate(new CertificateSubject("u"), key.ExportSubjectPublicKeyInfo()))
            .Select(c => new System.Numerics.BigInteger(c.SerialNumberBytes.Span, isUnsigned: false, isBigEndian: true))
            .ToList();

        Assert.That(serials, Is.Unique);
        Assert.That(serials, Has.All.GreaterThan(System.Numerics.BigInteger.Zero));
        Assert.That(serials.Max(), Is.GreaterThan(System.Numerics.BigInteger.Pow(2, 64)));
    }

    [Test]
    public void IssueSigningCertificate_rejects_a_P384_subject_key()
    {
        var ca = CertificateAuthority.CreateRoot(s_caSubject);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);

        Assert.Throws<CryptographicException>(() => ca.IssueSigningCertificate(new CertificateSubject("x"), key.ExportSubjectPublicKeyInfo()));
    }

    [Test]
    public void Revoke_keeps_earlier_entries_and_increments_the_CRL_number()
    {
        var ca = CertificateAuthority.CreateRoot(s_caSubject);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var first = ca.IssueSigningCertificate(new CertificateSubject("a"), key.ExportSubjectPublicKeyInfo());
        using var second = ca.IssueSigningCertificate(new CertificateSubject("b"), key.ExportSubjectPublicKeyInfo());

        var crl1 = new X509CrlParser().ReadCrl(ca.Revoke(first));
        var crl2 = new X509CrlParser().ReadCrl(ca.Revoke(second, crl1.GetEncoded()));

        Assert.That(CrlNumber(crl1), Is.EqualTo(1));
        Assert.That(CrlNumber(crl2), Is.EqualTo(2));
        Assert.That(crl2.GetRevokedCertificates().Select(e => e.SerialNumber.ToString(16)),
            Is.EquivalentTo(new[] { first.SerialNumber, second.SerialNumber }.Select(s => s.TrimStart('0').ToLowerInvariant())));
        Assert.That(crl2.NextUpdate, Is.GreaterThan(crl2.ThisUpdate));
        Assert.That(crl2.GetExtensionValue(X509Extensions.AuthorityKeyIdentifier), Is.Not.Null);
        Assert.DoesNotThrow(() => crl2.Verify(new X509CertificateParser().ReadCertificate(ca.CertificateDer).GetPublicKey()));
    }

    [Test]
    public void Revoke_twice_lists_the_serial_once()
    {
        var ca = CertificateAuthority.CreateRoot(s_caSubject);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var leaf = ca.IssueSigningCertificate(new CertificateSubject("a"), key.ExportSubjectPublicKeyInfo());

        var crl = new X509CrlParser().ReadCrl(ca.Revoke(leaf, ca.Revoke(leaf)));

        Assert.That(crl.GetRevokedCertificates(), Has.Count.EqualTo(1));
    }

    [Test]
    public void Revoke_refuses_a_certificate_of_another_CA()
    {
        var ca = CertificateAuthority.CreateRoot(s_caSubject);
        var other = CertificateAuthority.CreateRoot(s_caSubject);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var foreign = other.IssueSigningCertificate(new CertificateSubject("a"), key.ExportSubjectPublicKeyInfo());

        // Same subject name, different key: only the signature tells them apart.
        Assert.That(ca.IsIssuerOf(foreign), Is.False);
        Assert.Throws<CryptographicException>(() => ca.Revoke(foreign));
    }

    [Test]
    public void Load_rejects_a_key_that_does_not_belong_to_the_certificate()
    {
        var ca = CertificateAuthority.CreateRoot(s_caSubject);
        using var certificate = ca.Certificate;
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        Assert.Throws<CryptographicException>(() => CertificateAuthority.Load(certificate, key));
    }

    private static bool Chains(X509Certificate2 leaf, X509Certificate2 root)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(root);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(leaf);
    }

    private static int CrlNumber(X509Crl crl) =>
        DerInteger.GetInstance(Asn1Object.FromByteArray(crl.GetExtensionValue(X509Extensions.CrlNumber).GetOctets())).IntValueExact;
}
