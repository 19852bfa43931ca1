using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using FnzChain.Crypto.Keys;

namespace FnzChain.Crypto.Tests.Keys;

public sealed class PemFilesTests
{
    private TempFolder _folder = null!;

    [SetUp]
    public void SetUp() => _folder = new TempFolder();

    [TearDown]
    public void TearDown() => _folder.Dispose();

    [Test]
    public void Private_key_round_trips_through_PKCS8_PEM()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var path = _folder.File("priv_sk");

        PemFiles.WritePrivateKey(path, key);
        using var read = PemFiles.ReadPrivateKey(path);

        Assert.That(File.ReadAllText(path), Does.StartWith("-----BEGIN PRIVATE KEY-----"));
        Assert.That(read.ExportSubjectPublicKeyInfo(), Is.EqualTo(key.ExportSubjectPublicKeyInfo()));
        if (!OperatingSystem.IsWindows())
        {
            Assert.That(File.GetUnixFileMode(path), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
        }
    }

    [Test]
    public void ReadPrivateKey_accepts_SEC1_EC_PRIVATE_KEY()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var path = _folder.File("sec1.pem");
        File.WriteAllText(path, key.ExportECPrivateKeyPem());
        OwnerOnly(path);

        using var read = PemFiles.ReadPrivateKey(path);

        Assert.That(read.ExportSubjectPublicKeyInfo(), Is.EqualTo(key.ExportSubjectPublicKeyInfo()));
    }

    [Test]
    public void Certificate_round_trips_through_PEM()
    {
        using var certificate = SelfSigned();
        var path = _folder.File("cert.pem");

        PemFiles.WriteCertificate(path, certificate);
        using var read = PemFiles.ReadCertificate(path);

        Assert.That(read.RawData, Is.EqualTo(certificate.RawData));
    }

    private static IEnumerable<TestCaseData> BadKeyFiles()
    {
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        using var rsa = RSA.Create(2048);
        yield return new TestCaseData("", "file is empty").SetName("ReadPrivateKey_rejects_an_empty_file");
        yield return new TestCaseData("  \n", "file is empty").SetName("ReadPrivateKey_rejects_a_blank_file");
        yield return new TestCaseData("hello", "malformed PEM").SetName("ReadPrivateKey_rejects_text_that_is_not_PEM");
        yield return new TestCaseData("-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----\n", "malformed PEM").SetName("ReadPrivateKey_rejects_bad_base64");
        yield return new TestCaseData("-----BEGIN PRIVATE KEY-----\nMIIB\n", "malformed PEM").SetName("ReadPrivateKey_rejects_a_missing_END_line");
        yield return new TestCaseData("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", "PEM label is 'CERTIFICATE'").SetName("ReadPrivateKey_rejects_a_wrong_label");
        yield return new TestCaseData(p384.ExportPkcs8PrivateKeyPem(), "P-256").SetName("ReadPrivateKey_rejects_a_P384_key");
        yield return new TestCaseData(rsa.ExportPkcs8PrivateKeyPem(), "not an EC key").SetName("ReadPrivateKey_rejects_an_RSA_key");
        yield return new TestCaseData("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", "not a valid PKCS#8").SetName("ReadPrivateKey_rejects_garbage_DER");
        yield return new TestCaseData("junk\n-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", "outside").SetName("ReadPrivateKey_rejects_text_before_the_block");
    }

    [TestCaseSource(nameof(BadKeyFiles))]
    public void ReadPrivateKey_rejects_bad_files_with_one_line_naming_the_file(string content, string problem)
    {
        var path = _folder.File("priv_sk");
        File.WriteAllText(path, content);
        OwnerOnly(path);

        var ex = Assert.Throws<KeyFileException>(() => PemFiles.ReadPrivateKey(path));

        Assert.That(ex!.Message, Does.StartWith(path + ": "));
        Assert.That(ex.Message, Does.Contain(problem));
        Assert.That(ex.Message, Does.Not.Contain('\n'));
    }

    [Test]
    public void ReadCertificate_rejects_a_key_file_naming_the_label()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var path = _folder.File("cert.pem");
        PemFiles.WritePrivateKey(path, key);

        var ex = Assert.Throws<KeyFileException>(() => PemFiles.ReadCertificate(path));

        Assert.That(ex!.Message, Is.EqualTo($"{path}: PEM label is 'PRIVATE KEY'; expected 'CERTIFICATE'"));
    }

    [Test]
    public void ReadCertificate_rejects_DER_that_is_not_a_certificate()
    {
        var path = _folder.File("cert.pem");
        File.WriteAllText(path, "-----BEGIN CERTIFICATE-----\nMAMCAQE=\n-----END CERTIFICATE-----\n");

        var ex = Assert.Throws<KeyFileException>(() => PemFiles.ReadCertificate(path));

        Assert.That(ex!.Message, Does.StartWith($"{path}: not a valid X.509 certificate"));
    }

    [Test]
    public void ReadCertificate_reports_a_missing_file()
    {
        var path = _folder.File("absent.pem");

        var ex = Assert.Throws<KeyFileException>(() => PemFiles.ReadCertificate(path));

        Assert.That(ex!.Message, Is.EqualTo($"{path}: file not found"));
    }

    [Test]
    public void ReadCertificates_reads_a_bundle_in_order()
    {
        using var first = SelfSigned();
        using var second = SelfSigned();
        var path = _folder.File("bundle.pem");
        File.WriteAllText(path, first.ExportCertificatePem() + "\n" + second.ExportCertificatePem() + "\n");

        var read = PemFiles.ReadCertificates(path);

        Assert.That(read.Select(c => c.Thumbprint), Is.EqualTo(new[] { first.Thumbprint, second.Thumbprint }));
    }

    private static X509Certificate2 SelfSigned()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=test", key, HashAlgorithmName.SHA256);
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddDays(1));
    }

    /// <summary>A key file as <see cref="PemFiles"/> writes one (0600), so that the test reaches its content.</summary>
    private static void OwnerOnly(string path)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }
}
