using FnzChain.Ledger.Encryption;

namespace FnzChain.Ledger.Tests.Encryption;

[TestFixture]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class KeyEncryptionKeyFileTests
{
    private string _folder = null!;

    [SetUp]
    public void SetUp()
    {
        _folder = Path.Combine(Path.GetTempPath(), "fnzchain-kek-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_folder);
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_folder, recursive: true);

    [Test]
    public void Generate_writes_32_random_bytes_readable_by_the_owner_only()
    {
        var path = Path.Combine(_folder, "kek");
        KeyEncryptionKeyFile.Generate(path);
        var other = Path.Combine(_folder, "kek2");
        KeyEncryptionKeyFile.Generate(other);

        Assert.Multiple(() =>
        {
            Assert.That(new FileInfo(path).Length, Is.EqualTo(32));
            Assert.That(File.GetUnixFileMode(path), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
            Assert.That(File.ReadAllBytes(path), Is.Not.EqualTo(File.ReadAllBytes(other)));
            Assert.That(KeyEncryptionKeyFile.Load(path).Description, Is.EqualTo($"the key-encryption key in {path}"));
        });
    }

    [Test]
    public void Generate_refuses_to_replace_a_file()
    {
        var path = Path.Combine(_folder, "kek");
        KeyEncryptionKeyFile.Generate(path);
        var before = File.ReadAllBytes(path);

        var e = Assert.Throws<EncryptionAtRestException>(() => KeyEncryptionKeyFile.Generate(path));

        Assert.That(e!.Message, Is.EqualTo($"key-encryption key file {path} already exists; remove it or choose another path"));
        Assert.That(File.ReadAllBytes(path), Is.EqualTo(before));
    }

    [TestCase(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, "0640")]
    [TestCase(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead, "0644")]
    [TestCase(UnixFileMode.UserRead | UnixFileMode.OtherWrite, "0402")]
    public void A_key_file_group_or_others_can_access_is_refused(UnixFileMode mode, string octal)
    {
        var path = Path.Combine(_folder, "kek");
        KeyEncryptionKeyFile.Generate(path);
        File.SetUnixFileMode(path, mode);

        var e = Assert.Throws<EncryptionAtRestException>(() => KeyEncryptionKeyFile.Load(path));

        Assert.That(e!.Message, Is.EqualTo($"key-encryption key file {path} is accessible by group or others (mode {octal}); run chmod 600 {path}"));
    }

    [TestCase(0)]
    [TestCase(16)]
    [TestCase(31)]
    [TestCase(33)]
    [TestCase(64)]
    public void A_key_file_of_the_wrong_size_is_refused(int size)
    {
        var path = WriteKeyFile(new byte[size]);

        var e = Assert.Throws<EncryptionAtRestException>(() => KeyEncryptionKeyFile.Load(path));

        Assert.That(e!.Message, Is.EqualTo($"key-encryption key file {path} holds {size} bytes; it must hold 32 random bytes or their base64"));
    }

    [Test]
    public async Task Base64_of_32_bytes_with_a_newline_is_the_same_key_as_the_raw_bytes()
    {
        var key = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
        var raw = KeyEncryptionKeyFile.Load(WriteKeyFile(key));
        var text = KeyEncryptionKeyFile.Load(WriteKeyFile(System.Text.Encoding.ASCII.GetBytes(Convert.ToBase64String(key) + "\n")));
        var context = "ctx"u8.ToArray();

        var wrapped = await raw.WrapAsync(new byte[32], context);

        Assert.That(await text.UnwrapAsync(wrapped, context), Is.EqualTo(new byte[32]));
    }

    [Test]
    public void Base64_of_the_wrong_length_is_refused()
    {
        var path = WriteKeyFile(System.Text.Encoding.ASCII.GetBytes(Convert.ToBase64String(new byte[24]) + "\n"));

        Assert.That(() => KeyEncryptionKeyFile.Load(path), Throws.TypeOf<EncryptionAtRestException>().With.Message.Contains("it must hold 32 random bytes or their base64"));
    }

    [Test]
    public void A_missing_key_file_is_named()
    {
        var path = Path.Combine(_folder, "absent");

        Assert.That(() => KeyEncryptionKeyFile.Load(path), Throws.TypeOf<EncryptionAtRestException>().With.Message.EqualTo($"key-encryption key file {path} does not exist"));
    }

    [Test]
    public async Task Unwrap_with_another_context_or_key_fails()
    {
        var a = KeyEncryptionKeyFile.Load(WriteKeyFile(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));
        var b = KeyEncryptionKeyFile.Load(WriteKeyFile(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));
        var dataKey = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
        var wrapped = await a.WrapAsync(dataKey, "one"u8.ToArray());

        Assert.Multiple(async () =>
        {
            Assert.That(await a.UnwrapAsync(wrapped, "one"u8.ToArray()), Is.EqualTo(dataKey));
            Assert.That(await a.UnwrapAsync(wrapped, "two"u8.ToArray()), Is.Null);
            Assert.That(await b.UnwrapAsync(wrapped, "one"u8.ToArray()), Is.Null);
            Assert.That(wrapped.AsSpan().IndexOf(dataKey), Is.EqualTo(-1));
        });
    }

    private string WriteKeyFile(byte[] content)
    {
        var path = Path.Combine(_folder, Guid.NewGuid().ToString("N"));
        File.WriteAllBytes(path, content);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return path;
    }
}
