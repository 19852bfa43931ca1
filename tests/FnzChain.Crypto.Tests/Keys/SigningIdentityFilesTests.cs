using FnzChain.Crypto.Cryptogen;
using FnzChain.Crypto.Keys;

namespace FnzChain.Crypto.Tests.Keys;

public sealed class SigningIdentityFilesTests
{
    private TempFolder _folder = null!;
    private string _org = null!;

    [SetUp]
    public void SetUp()
    {
        _folder = new TempFolder();
        var config = CryptoConfigReader.Parse("""{ "peerOrgs": [{ "name": "Org1", "domain": "org1.example.com", "mspId": "Org1MSP", "peers": 1, "users": 1 }] }""");
        _org = new CryptoMaterialGenerator().Generate(config, _folder.Path, force: false).Single();
    }

    [TearDown]
    public void TearDown() => _folder.Dispose();

    [Test]
    public void Load_reads_a_generated_peer_identity_whose_key_signs_for_its_certificate()
    {
        using var identity = SigningIdentityFiles.Load(Path.Combine(_org, "peers", "peer0.org1.example.com"));
        using var verifier = FnzChain.Crypto.Signatures.EcdsaVerifier.FromCertificate(identity.Certificate);

        Assert.That(identity.Certificate.Subject, Does.Contain("CN=peer0.org1.example.com"));
        Assert.That(identity.KeyPath, Does.EndWith("priv_sk"));
        Assert.That(verifier.Verify("x"u8, identity.Signer.Sign("x"u8)).IsValid, Is.True);
    }

    [Test]
    public void Load_accepts_the_msp_folder_itself()
    {
        using var identity = SigningIdentityFiles.Load(Path.Combine(_org, "users", "User1@org1.example.com", "msp"));

        Assert.That(identity.Certificate.Subject, Does.Contain("CN=User1@org1.example.com"));
    }

    [Test]
    public void Load_rejects_a_private_key_of_another_identity()
    {
        var peer = Path.Combine(_org, "peers", "peer0.org1.example.com", "msp");
        var otherKey = Path.Combine(_org, "users", "User1@org1.example.com", "msp", "keystore", "priv_sk");
        File.Copy(otherKey, Path.Combine(peer, "keystore", "priv_sk"), overwrite: true);

        var ex = Assert.Throws<KeyFileException>(() => SigningIdentityFiles.Load(peer));

        var certificate = Path.Combine(peer, "signcerts", "peer0.org1.example.com-cert.pem");
        Assert.That(ex!.Message, Is.EqualTo($"private key {Path.Combine(peer, "keystore", "priv_sk")} does not match certificate {certificate}"));
    }

    [Test]
    [Platform(Exclude = "Win")]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void Load_refuses_a_signing_key_others_may_read_naming_the_file_its_mode_and_the_fix()
    {
        var peer = Path.Combine(_org, "peers", "peer0.org1.example.com", "msp");
        var key = Path.Combine(peer, "keystore", "priv_sk");
        File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var ex = Assert.Throws<KeyFileException>(() => SigningIdentityFiles.Load(peer));

        Assert.That(ex!.Message, Is.EqualTo($"{key}: private key file is accessible by group or others (mode 0644); run chmod 600 {key}"));
    }

    [Test]
    public void Load_reports_a_folder_without_signcerts()
    {
        var ex = Assert.Throws<KeyFileException>(() => SigningIdentityFiles.Load(_folder.Path));

        Assert.That(ex!.Message, Does.Contain("signcerts"));
    }
}
