using FnzChain.Ledger.Encryption;

namespace FnzChain.Ledger.Tests.Encryption;

/// <summary>A temp folder holding a key-encryption key file (outside any ledger folder) and a keyring; deleted on dispose.</summary>
internal sealed class KeyFolder : IDisposable
{
    public KeyFolder()
    {
        Directory.CreateDirectory(Folder);
        KeyEncryptionKeyFile.Generate(KekPath);
    }

    public string Folder { get; } = Path.Combine(Path.GetTempPath(), "fnzchain-keys-" + Guid.NewGuid().ToString("N"));

    public string KekPath => Path.Combine(Folder, "kek");

    public string KeyringPath => Path.Combine(Folder, Keyring.FileName);

    public KeyEncryptionKeyFile Kek => KeyEncryptionKeyFile.Load(KekPath);

    /// <summary>A writing cipher over the keyring (created on first use).</summary>
    public async Task<AtRestCipher> CipherAsync()
    {
        var keyring = await Keyring.OpenOrCreateAsync(KeyringPath, Kek);
        return await keyring.CreateCipherAsync();
    }

    /// <summary>A second key file, for wrong-key and KEK-rotation cases.</summary>
    public string NewKek(string name)
    {
        var path = Path.Combine(Folder, name);
        KeyEncryptionKeyFile.Generate(path);
        return path;
    }

    public void Dispose()
    {
        if (Directory.Exists(Folder))
        {
            Directory.Delete(Folder, recursive: true);
        }
    }
}
