namespace FnzChain.Node;

/// <summary>
/// The <c>encryptionAtRest</c> section of a node's configuration: <c>{ "enabled": true, "keyEncryptionKeyFile": "/etc/fnzchain/kek" }</c>,
/// or <c>FNZCHAIN__ENCRYPTIONATREST__ENABLED=true</c> and <c>FNZCHAIN__ENCRYPTIONATREST__KEYENCRYPTIONKEYFILE=…</c>.
/// </summary>
public sealed class EncryptionAtRestOptions
{
    /// <summary>Encrypt block files and every database value of the node's ledgers (docs/security.md, "Encryption at rest").</summary>
    public bool Enabled { get; init; }

    /// <summary>The key-encryption key: a file of 32 random bytes (or their base64), mode 0600, outside the data folder. Relative to the config file.</summary>
    public string? KeyEncryptionKeyFile { get; set; }

    /// <summary>What is wrong with the section (one line naming the field), or null.</summary>
    internal string? Problem(string dataPath)
    {
        if (!Enabled)
        {
            return null;
        }

        if (string.IsNullOrWhiteSpace(KeyEncryptionKeyFile))
        {
            return "encryptionAtRest.keyEncryptionKeyFile is required when encryptionAtRest.enabled is true";
        }

        var data = Path.TrimEndingDirectorySeparator(Path.GetFullPath(dataPath)) + Path.DirectorySeparatorChar;
        return Path.GetFullPath(KeyEncryptionKeyFile).StartsWith(data, StringComparison.Ordinal)
            ? $"encryptionAtRest.keyEncryptionKeyFile {KeyEncryptionKeyFile} is inside the data folder {dataPath}; keep the key apart from the data it protects"
            : null;
    }
}
