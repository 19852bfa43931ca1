using FnzChain.Ledger.Encryption;
using Microsoft.Extensions.Logging;

namespace FnzChain.Node;

/// <summary>
/// Opens a node's encryption at rest from its options: the key-encryption key file, then the keyring in the data
/// folder (<c>keyring.json</c>, created with the first data key when the folder is new), then a cipher for the node's
/// ledgers. A data folder with a keyring is never opened with encryption off.
/// </summary>
public static class NodeEncryptionAtRest
{
    /// <summary>The keyring of a node's data folder.</summary>
    public static string KeyringPath(string dataPath) => Path.Combine(dataPath, Keyring.FileName);

    /// <summary>The cipher the node's ledgers use, or null when encryption at rest is off; refuses a mismatch in one line.</summary>
    public static async Task<AtRestCipher?> OpenAsync(NodeOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var keyring = KeyringPath(options.DataPath);
        if (!options.EncryptionAtRest.Enabled)
        {
            return File.Exists(keyring)
                ? throw new EncryptionAtRestException($"data folder {options.DataPath} is encrypted at rest ({keyring}) but encryptionAtRest.enabled is not set in the node's configuration")
                : null;
        }

        var kek = KeyEncryptionKeyFile.Load(options.EncryptionAtRest.KeyEncryptionKeyFile!);
        Directory.CreateDirectory(options.DataPath);
        var opened = await Keyring.OpenOrCreateAsync(keyring, kek, cancellationToken).ConfigureAwait(false);
        return await opened.CreateCipherAsync(readOnly: false, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Logs whether the node's ledgers are encrypted, and under which key.</summary>
    public static void LogState(ILogger logger, NodeOptions options, AtRestCipher? cipher)
    {
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(options);
        if (cipher is null)
        {
            logger.LogWarning("Encryption at rest is OFF: block files and database values in {DataPath} are stored in the clear", options.DataPath);
        }
        else
        {
            logger.LogInformation(
                "Encryption at rest is on: keyring {Keyring} (data key {KeyId} for new writes), key-encryption key {Kek}",
                cipher.KeyringId, cipher.ActiveKeyId, options.EncryptionAtRest.KeyEncryptionKeyFile);
        }
    }
}
