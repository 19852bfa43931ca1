using System.Text.Json.Nodes;
using FnzChain.Ledger.Encryption;

namespace FnzChain.Ledger.Tests.Encryption;

[TestFixture]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class KeyringTests
{
    [Test]
    public async Task A_new_keyring_has_data_key_1_wrapped_and_not_in_the_clear()
    {
        using var keys = new KeyFolder();
        var keyring = await Keyring.CreateAsync(keys.KeyringPath, keys.Kek);

        var text = await File.ReadAllTextAsync(keys.KeyringPath);
        Assert.Multiple(() =>
        {
            Assert.That(keyring.ActiveKeyId, Is.EqualTo(1u));
            Assert.That(keyring.KeyIds, Is.EqualTo(new uint[] { 1 }));
            Assert.That(JsonNode.Parse(text)!["keys"]!.AsArray(), Has.Count.EqualTo(1));
            Assert.That(File.GetUnixFileMode(keys.KeyringPath), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
        });
    }

    [Test]
    public async Task Opening_with_the_wrong_key_encryption_key_fails_in_one_line_naming_both_files()
    {
        using var keys = new KeyFolder();
        await Keyring.CreateAsync(keys.KeyringPath, keys.Kek);
        var wrong = keys.NewKek("wrong-kek");

        var e = Assert.ThrowsAsync<EncryptionAtRestException>(() => Keyring.OpenAsync(keys.KeyringPath, KeyEncryptionKeyFile.Load(wrong)));

        Assert.That(e!.Message, Is.EqualTo($"the key-encryption key in {wrong} does not unwrap data key 1 of {keys.KeyringPath}: wrong key"));
        Assert.That(e.Message, Does.Not.Contain("\n"));
    }

    [Test]
    public async Task Rotate_adds_a_key_that_becomes_active_and_keeps_the_old_one()
    {
        using var keys = new KeyFolder();
        await Keyring.CreateAsync(keys.KeyringPath, keys.Kek);

        var id = await Keyring.RotateAsync(keys.KeyringPath, keys.Kek);
        var keyring = await Keyring.OpenAsync(keys.KeyringPath, keys.Kek);

        Assert.Multiple(() =>
        {
            Assert.That(id, Is.EqualTo(2u));
            Assert.That(keyring.ActiveKeyId, Is.EqualTo(2u));
            Assert.That(keyring.KeyIds, Is.EqualTo(new uint[] { 1, 2 }));
        });
    }

    [Test]
    public async Task Rotate_with_the_wrong_key_encryption_key_changes_nothing()
    {
        using var keys = new KeyFolder();
        await Keyring.CreateAsync(keys.KeyringPath, keys.Kek);
        var before = await File.ReadAllTextAsync(keys.KeyringPath);

        Assert.ThrowsAsync<EncryptionAtRestException>(() => Keyring.RotateAsync(keys.KeyringPath, KeyEncryptionKeyFile.Load(keys.NewKek("wrong"))));

        Assert.That(await File.ReadAllTextAsync(keys.KeyringPath), Is.EqualTo(before));
    }

    [Test]
    public async Task Rotating_the_key_encryption_key_rewraps_every_data_key_and_retires_the_old_kek()
    {
        using var keys = new KeyFolder();
        await Keyring.CreateAsync(keys.KeyringPath, keys.Kek);
        await Keyring.RotateAsync(keys.KeyringPath, keys.Kek);
        var newKek = KeyEncryptionKeyFile.Load(keys.NewKek("kek-2027"));
        using var before = await (await Keyring.OpenAsync(keys.KeyringPath, keys.Kek)).CreateCipherAsync();
        var sealedBefore = Seal(before, "written before the KEK rotation");

        await Keyring.RotateKeyEncryptionKeyAsync(keys.KeyringPath, keys.Kek, newKek);

        using var after = await (await Keyring.OpenAsync(keys.KeyringPath, newKek)).CreateCipherAsync(readOnly: true);
        Assert.Multiple(() =>
        {
            Assert.That(System.Text.Encoding.UTF8.GetString(after.Decrypt(AtRestDomain.State, "k"u8, sealedBefore)), Is.EqualTo("written before the KEK rotation"));
            Assert.ThrowsAsync<EncryptionAtRestException>(() => Keyring.OpenAsync(keys.KeyringPath, keys.Kek));
        });
    }

    [Test]
    public async Task Each_writing_cipher_reserves_a_new_nonce_epoch_so_no_two_writers_share_a_nonce()
    {
        using var keys = new KeyFolder();
        var keyring = await Keyring.CreateAsync(keys.KeyringPath, keys.Kek);
        using var first = await keyring.CreateCipherAsync();
        using var second = await (await Keyring.OpenAsync(keys.KeyringPath, keys.Kek)).CreateCipherAsync();

        var a = Seal(first, "same");
        var b = Seal(second, "same");

        // Same key, same first counter value: only the epoch tells the nonces apart.
        Assert.Multiple(() =>
        {
            Assert.That(a.AsSpan(5, 4).ToArray(), Is.Not.EqualTo(b.AsSpan(5, 4).ToArray()), "epochs");
            Assert.That(a.AsSpan(9, 8).ToArray(), Is.EqualTo(b.AsSpan(9, 8).ToArray()), "counters");
            Assert.That(JsonNode.Parse(File.ReadAllText(keys.KeyringPath))!["nextEpoch"]!.GetValue<uint>(), Is.EqualTo(2u));
        });
    }

    [Test]
    public async Task A_read_only_cipher_reserves_nothing_and_cannot_encrypt()
    {
        using var keys = new KeyFolder();
        var keyring = await Keyring.CreateAsync(keys.KeyringPath, keys.Kek);
        using var cipher = await keyring.CreateCipherAsync(readOnly: true);

        Assert.Multiple(() =>
        {
            Assert.That(() => Seal(cipher, "x"), Throws.InvalidOperationException);
            Assert.That(JsonNode.Parse(File.ReadAllText(keys.KeyringPath))!["nextEpoch"]!.GetValue<uint>(), Is.EqualTo(0u));
        });
    }

    [Test]
    public async Task A_ciphertext_does_not_decrypt_under_another_key_or_domain_or_after_a_bit_flip()
    {
        using var keys = new KeyFolder();
        using var cipher = await keys.CipherAsync();
        var stored = Seal(cipher, "value");
        var flipped = (byte[])stored.Clone();
        flipped[^1] ^= 1;

        Assert.Multiple(() =>
        {
            Assert.That(() => cipher.Decrypt(AtRestDomain.State, "other key"u8, stored), Throws.TypeOf<LedgerCorruptedException>().With.Message.Contains("altered or moved"));
            Assert.That(() => cipher.Decrypt(AtRestDomain.History, "k"u8, stored), Throws.TypeOf<LedgerCorruptedException>());
            Assert.That(() => cipher.Decrypt(AtRestDomain.State, "k"u8, flipped), Throws.TypeOf<LedgerCorruptedException>());
            Assert.That(() => cipher.Decrypt(AtRestDomain.State, "k"u8, "plain value written without encryption"u8), Throws.TypeOf<LedgerCorruptedException>().With.Message.Contains("not an encrypted value"));
        });
    }

    private static byte[] Seal(AtRestCipher cipher, string value)
    {
        var plaintext = System.Text.Encoding.UTF8.GetBytes(value);
        var stored = new byte[plaintext.Length + AtRestCipher.Overhead];
        cipher.Encrypt(AtRestDomain.State, "k"u8, plaintext, stored);
        return stored;
    }
}
