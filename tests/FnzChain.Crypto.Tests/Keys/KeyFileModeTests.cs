using System.Security.Cryptography;
using FnzChain.Crypto.Keys;

namespace FnzChain.Crypto.Tests.Keys;

[Platform(Exclude = "Win")]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class KeyFileModeTests
{
    private TempFolder _folder = null!;

    [SetUp]
    public void SetUp() => _folder = new TempFolder();

    [TearDown]
    public void TearDown() => _folder.Dispose();

    [TestCase("600", null)]
    [TestCase("400", null)]
    [TestCase("700", null)]
    [TestCase("640", "0640")]
    [TestCase("644", "0644")]
    [TestCase("604", "0604")]
    [TestCase("620", "0620")]
    [TestCase("602", "0602")]
    [TestCase("610", "0610")]
    [TestCase("666", "0666")]
    public void A_key_file_its_group_or_others_may_access_is_refused_with_its_mode_and_the_fix(string octal, string? refusedAs)
    {
        var path = _folder.File("server.key");
        File.WriteAllText(path, "secret");
        File.SetUnixFileMode(path, (UnixFileMode)Convert.ToInt32(octal, 8));

        var problem = KeyFileMode.Problem(path);

        Assert.That(problem, refusedAs is null ? Is.Null : Is.EqualTo($"is accessible by group or others (mode {refusedAs}); run chmod 600 {path}"));
    }

    [Test]
    public void A_missing_file_is_left_to_its_reader_to_name()
    {
        Assert.That(KeyFileMode.Problem(_folder.File("absent.key")), Is.Null);
    }

    [Test]
    public void ReadPrivateKey_refuses_a_key_others_may_read_before_reading_it()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var path = _folder.File("priv_sk");
        PemFiles.WritePrivateKey(path, key);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);

        var e = Assert.Throws<KeyFileException>(() => PemFiles.ReadPrivateKey(path));

        Assert.That(e!.Message, Is.EqualTo($"{path}: private key file is accessible by group or others (mode 0604); run chmod 600 {path}"));
    }

    [Test]
    public void A_key_copied_with_File_Copy_keeps_the_owner_only_mode_PemFiles_wrote()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var original = _folder.File("priv_sk");
        PemFiles.WritePrivateKey(original, key);
        var copy = _folder.File("copy_sk");
        File.WriteAllText(copy, "an older, world-readable file");
        File.SetUnixFileMode(copy, (UnixFileMode)Convert.ToInt32("644", 8));

        File.Copy(original, copy, overwrite: true);

        Assert.That(File.GetUnixFileMode(original), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
        Assert.That(File.GetUnixFileMode(copy), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
        using var read = PemFiles.ReadPrivateKey(copy);
        Assert.That(read.ExportSubjectPublicKeyInfo(), Is.EqualTo(key.ExportSubjectPublicKeyInfo()));
    }
}
