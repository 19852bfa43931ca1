using System.Text.Json;
using FnzChain.Ledger.Blocks;

namespace FnzChain.Ledger.Encryption;

/// <summary>
/// The file <c>encryption.json</c> in a ledger folder that is encrypted at rest, naming its keyring. A ledger is
/// encrypted from its first block or never: opening an encrypted ledger without encryption configured, an unencrypted
/// ledger that holds blocks with it, or a ledger with another keyring's cipher is refused in one line.
/// </summary>
internal static class LedgerEncryptionMarker
{
    public const string FileName = "encryption.json";

    /// <summary>Checks the folder against the configuration; a new, empty ledger with encryption on gets its marker.</summary>
    public static void Check(string ledgerPath, AtRestCipher? cipher, bool readOnly)
    {
        var path = Path.Combine(ledgerPath, FileName);
        var keyring = Read(path);
        if (keyring is null)
        {
            if (cipher is null)
            {
                return;
            }

            if (HoldsData(ledgerPath))
            {
                throw new EncryptionAtRestException(
                    $"ledger {ledgerPath} is not encrypted at rest but encryption at rest is configured: a ledger is encrypted from its first block or never");
            }

            if (!readOnly)
            {
                Write(path, cipher.KeyringId);
            }

            return;
        }

        if (cipher is null)
        {
            throw new EncryptionAtRestException($"ledger {ledgerPath} is encrypted at rest (keyring {keyring}) but encryption at rest is not configured");
        }

        if (keyring != cipher.KeyringId)
        {
            throw new EncryptionAtRestException($"ledger {ledgerPath} is encrypted under keyring {keyring}, not the configured keyring {cipher.KeyringId}");
        }
    }

    private static bool HoldsData(string ledgerPath) =>
        BlockFiles.List(Path.Combine(ledgerPath, ChannelLedger.BlocksFolder)).Count > 0
        || File.Exists(Path.Combine(ledgerPath, ChannelLedger.DatabaseFolder, "CURRENT"));

    private static string? Read(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path));
            return document.RootElement.TryGetProperty("keyring", out var keyring) && keyring.GetString() is { Length: > 0 } id
                ? id
                : throw new EncryptionAtRestException($"{path} does not name a keyring");
        }
        catch (JsonException e)
        {
            throw new EncryptionAtRestException($"{path} is not JSON: {e.Message}", e);
        }
    }

    private static void Write(string path, string keyringId)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = path + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write))
        {
            JsonSerializer.Serialize(stream, new Dictionary<string, string> { ["keyring"] = keyringId, ["cipher"] = "AES-256-GCM" });
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
        BlockFiles.SyncFolder(Path.GetDirectoryName(path)!);
    }
}
