using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using FnzChain.Crypto.Cryptogen;
using FnzChain.Crypto.Keys;
using FnzChain.Crypto.Pki;

namespace FnzChain.Cli.Tests.Commands;

/// <summary>
/// A node whose TLS material is wrong refuses to start with one line naming the file (and never starts half-secured):
/// expired, not yet valid, from another CA, self-signed, revoked by a CRL of tls.crls, with a key that is not the
/// certificate's, a missing key, a key file its group or others may read; a CRL no trusted CA signed.
/// </summary>
public sealed class TlsConfigErrorTests
{
    private TempFolder _folder = null!;
    private string _orderer = null!;
    private string _ca = null!;
    private string _otherCa = null!;

    [OneTimeSetUp]
    public void GenerateCrypto()
    {
        _folder = new TempFolder();
        new CryptoMaterialGenerator().Generate(CryptoConfigReader.Parse("""
            {
              "ordererOrgs": [{ "name": "Orderer", "domain": "example.com", "mspId": "OrdererMSP", "hosts": ["orderer"] }],
              "peerOrgs": [{ "name": "Org1", "domain": "org1.example.com", "mspId": "Org1MSP", "peers": 1, "users": 0 }]
            }
            """), _folder.File("crypto"), force: false);
        _orderer = _folder.File("crypto/ordererOrganizations/example.com/orderers/orderer.example.com");
        _ca = Path.Combine(_orderer, "tls", "ca.crt");
        _otherCa = _folder.File("crypto/peerOrganizations/org1.example.com/peers/peer0.org1.example.com/tls/ca.crt");
    }

    [OneTimeTearDown]
    public void RemoveCrypto() => _folder.Dispose();

    [Test]
    public async Task An_expired_certificate_is_refused_naming_the_file()
    {
        var (certificate, key) = IssueWithOrderersTlsCa("expired", issuedAt: DateTimeOffset.UtcNow.AddYears(-2), TimeSpan.FromDays(1));

        await AssertRefusedAsync(Tls(certificate, key), certificate, "expired at");
    }

    [Test]
    public async Task A_certificate_not_yet_valid_is_refused_naming_the_file()
    {
        var (certificate, key) = IssueWithOrderersTlsCa("future", issuedAt: DateTimeOffset.UtcNow.AddDays(30), TimeSpan.FromDays(365));

        await AssertRefusedAsync(Tls(certificate, key), certificate, "is not valid before");
    }

    [Test]
    public async Task A_certificate_of_another_CA_is_refused_naming_the_file()
    {
        // The orderer's own certificate and key, but tls.rootCAs names Org1's TLS CA only.
        var certificate = Path.Combine(_orderer, "tls", "server.crt");
        var config = Tls(certificate, Path.Combine(_orderer, "tls", "server.key"), rootCa: _otherCa);

        await AssertRefusedAsync(config, certificate, "does not chain to a trusted TLS CA");
    }

    [Test]
    public async Task A_self_signed_certificate_is_refused_naming_the_file()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=orderer.example.com", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], critical: false));
        using var selfSigned = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        var (certificate, keyFile) = (_folder.File("self-signed.crt"), _folder.File("self-signed.key"));
        PemFiles.WriteCertificate(certificate, selfSigned.RawData);
        PemFiles.WritePrivateKey(keyFile, key);

        await AssertRefusedAsync(Tls(certificate, keyFile), certificate, "does not chain to a trusted TLS CA");
    }

    [Test]
    public async Task A_revoked_certificate_is_refused_naming_it_and_the_CRL()
    {
        var (certificate, key) = IssueWithOrderersTlsCa("revoked", DateTimeOffset.UtcNow.AddDays(-1), TimeSpan.FromDays(30));
        var crl = RevokeWithTlsCa("crypto/ordererOrganizations/example.com/tlsca", certificate, "revoked-crl.pem");
        var config = Tls(certificate, key);
        config["crls"] = new[] { crl };

        var error = await AssertRefusedAsync(config, certificate, "is revoked by CRL");

        Assert.That(error, Does.Contain(crl).And.Contain("(tls.crls)"));
    }

    [Test]
    public async Task A_CRL_no_trusted_TLS_CA_signed_is_refused_naming_it()
    {
        // Org1's TLS CA revokes Org1's peer: a CRL the orderer (which trusts only its own TLS CA) cannot check.
        var peerCertificate = _folder.File("crypto/peerOrganizations/org1.example.com/peers/peer0.org1.example.com/tls/server.crt");
        var crl = RevokeWithTlsCa("crypto/peerOrganizations/org1.example.com/tlsca", peerCertificate, "org1-crl.pem");
        var config = Tls(Path.Combine(_orderer, "tls", "server.crt"), Path.Combine(_orderer, "tls", "server.key"));
        config["crls"] = new[] { crl };

        await AssertRefusedAsync(config, crl, "is not a TLS CA this node trusts");
    }

    [Test]
    public void Under_mutual_TLS_a_client_certificate_a_CRL_revokes_is_refused_and_another_from_the_same_CA_is_not()
    {
        var (revoked, _) = IssueWithOrderersTlsCa("revoked-client", DateTimeOffset.UtcNow.AddDays(-1), TimeSpan.FromDays(30));
        var (kept, _) = IssueWithOrderersTlsCa("kept-client", DateTimeOffset.UtcNow.AddDays(-1), TimeSpan.FromDays(30));
        var crl = RevokeWithTlsCa("crypto/ordererOrganizations/example.com/tlsca", revoked, "client-crl.pem");
        var tls = Node.Tls.NodeTls.Load(
            new Node.Tls.NodeTlsOptions
            {
                Enabled = true, Certificate = Path.Combine(_orderer, "tls", "server.crt"), Key = Path.Combine(_orderer, "tls", "server.key"),
                RootCAs = [_ca], ClientAuthRequired = true, ClientRootCAs = [_ca], Crls = [crl],
            },
            DateTimeOffset.UtcNow);
        using var revokedCertificate = PemFiles.ReadCertificate(revoked);
        using var keptCertificate = PemFiles.ReadCertificate(kept);

        Assert.That(tls.ClientCertificateProblem(revokedCertificate, null), Does.StartWith("certificate 'CN=revoked-client.example.com").And.Contain($"is revoked by CRL {crl}"));
        Assert.That(tls.ClientCertificateProblem(keptCertificate, null), Is.Null);
        Assert.That(tls.Revocations.Count, Is.EqualTo(1));
    }

    [Test]
    public async Task A_key_that_is_not_the_certificates_is_refused_naming_both_files()
    {
        var certificate = Path.Combine(_orderer, "tls", "server.crt");
        var wrongKey = _folder.File("crypto/peerOrganizations/org1.example.com/peers/peer0.org1.example.com/tls/server.key");

        var error = await AssertRefusedAsync(Tls(certificate, wrongKey), wrongKey, "is not the private key of certificate");
        Assert.That(error, Does.Contain(certificate));
    }

    [Test]
    [Platform(Exclude = "Win")]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task A_key_file_others_may_read_is_refused_naming_it_its_mode_and_the_fix()
    {
        var (certificate, keyFile) = IssueWithOrderersTlsCa("readable", DateTimeOffset.UtcNow.AddDays(-1), TimeSpan.FromDays(30));
        File.SetUnixFileMode(keyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var error = await AssertRefusedAsync(Tls(certificate, keyFile), keyFile, "is accessible by group or others (mode 0644)");

        Assert.That(error, Does.EndWith($"run chmod 600 {keyFile}"));
    }

    [Test]
    public async Task A_missing_key_file_is_refused_naming_it()
    {
        var missing = _folder.File("no-such.key");

        await AssertRefusedAsync(Tls(Path.Combine(_orderer, "tls", "server.crt"), missing), missing, "file not found");
    }

    [Test]
    public async Task Mutual_TLS_without_TLS_is_refused_rather_than_half_secured()
    {
        await AssertRefusedAsync(new Dictionary<string, object> { ["enabled"] = false, ["clientAuthRequired"] = true }, "tls.clientAuthRequired", "never half-secured");
    }

    /// <summary>Starts an orderer with <paramref name="tls"/> as its tls section; it must exit 1 with one line naming <paramref name="file"/> and saying <paramref name="reason"/>.</summary>
    private async Task<string> AssertRefusedAsync(Dictionary<string, object> tls, string file, string reason)
    {
        var config = _folder.File($"orderer-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(config, JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["listenAddress"] = "127.0.0.1:0",
            ["mspId"] = "OrdererMSP",
            ["mspPath"] = Path.Combine(_orderer, "msp"),
            ["dataPath"] = _folder.File("data"),
            ["tls"] = tls,
        }));

        var result = await ProcessRunner.FnzchainAsync(_folder.Path, "orderer", "start", "--config", config);

        Assert.That(result.ExitCode, Is.EqualTo(1), result.ToString());
        Assert.That(result.ErrorLines, Has.Length.EqualTo(1), result.ToString());
        Assert.That(result.ErrorLines[0], Does.StartWith($"fnzchain: orderer config {config}").And.Contain(file).And.Contain(reason));
        Assert.That(result.StandardOutput, Does.Not.Contain("listening on"), "the node must not have started");
        return result.ErrorLines[0];
    }

    private Dictionary<string, object> Tls(string certificate, string key, string? rootCa = null) => new()
    {
        ["enabled"] = true,
        ["certificate"] = certificate,
        ["key"] = key,
        ["rootCAs"] = new[] { rootCa ?? _ca },
    };

    /// <summary>A TLS certificate from the orderer organisation's TLS CA, issued at <paramref name="issuedAt"/> for <paramref name="validity"/>.</summary>
    private (string Certificate, string Key) IssueWithOrderersTlsCa(string name, DateTimeOffset issuedAt, TimeSpan validity)
    {
        var tlsCa = _folder.File("crypto/ordererOrganizations/example.com/tlsca");
        var caCertificate = Directory.GetFiles(tlsCa, "*-cert.pem").Single();
        var caKey = Directory.GetFiles(tlsCa).Single(f => f != caCertificate);
        var authority = CertificateAuthority.LoadFiles(caCertificate, caKey, new FixedTime(issuedAt));
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var issued = authority.IssueTlsCertificate(new CertificateSubject($"{name}.example.com"), key.ExportSubjectPublicKeyInfo(), ["127.0.0.1"], validity);
        var (certificate, keyFile) = (_folder.File($"{name}.crt"), _folder.File($"{name}.key"));
        PemFiles.WriteCertificate(certificate, issued.RawData);
        PemFiles.WritePrivateKey(keyFile, key);
        return (certificate, keyFile);
    }

    /// <summary>Revokes <paramref name="certificate"/> with the TLS CA in <paramref name="tlsCaFolder"/>; the CRL's path.</summary>
    private string RevokeWithTlsCa(string tlsCaFolder, string certificate, string crlName)
    {
        var folder = _folder.File(tlsCaFolder);
        var caCertificate = Directory.GetFiles(folder, "*-cert.pem").Single();
        var authority = CertificateAuthority.LoadFiles(caCertificate, Directory.GetFiles(folder).Single(f => f != caCertificate));
        using var revoked = PemFiles.ReadCertificate(certificate);
        var crl = _folder.File(crlName);
        PemFiles.WriteCrl(crl, authority.Revoke(revoked));
        return crl;
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
