using FnzChain.Ledger.Encryption;
using FnzChain.Ledger.Verification;

namespace FnzChain.Cli.Network;

/// <summary>
/// Encryption at rest of a local network (<c>--encrypt-at-rest</c>): one key-encryption key per node in
/// <c>keys/</c> of the network folder — beside, never inside, each node's data folder — and the nodes' config
/// sections pointing at them. A network folder with <c>keys/</c> is encrypted: nodes started into it later (the
/// demo's onboarding peer) are encrypted too.
/// </summary>
internal static class NetworkKeys
{
    public const string Folder = "keys";

    /// <summary>Turns encryption at rest on for the network in <paramref name="networkFolder"/> (creates <c>keys/</c>, mode 0700).</summary>
    public static void Enable(string networkFolder)
    {
        var keys = Path.Combine(networkFolder, Folder);
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(keys);
        }
        else
        {
            Directory.CreateDirectory(keys, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    public static bool IsEnabled(string networkFolder) => Directory.Exists(Path.Combine(networkFolder, Folder));

    /// <summary>The <c>encryptionAtRest</c> config section of node <paramref name="node"/>: its own key file (generated on first use) when the network is encrypted.</summary>
    public static Dictionary<string, object> Section(string networkFolder, string node)
    {
        if (!IsEnabled(networkFolder))
        {
            return new() { ["enabled"] = false };
        }

        var kek = Path.Combine(networkFolder, Folder, node + ".kek");
        if (!File.Exists(kek))
        {
            KeyEncryptionKeyFile.Generate(kek);
        }

        return new() { ["enabled"] = true, ["keyEncryptionKeyFile"] = kek };
    }

    /// <summary>
    /// <c>ledger verify</c> of the channel ledger of the node whose data folder is <paramref name="dataFolder"/>: with the
    /// node's key-encryption key (<c>keys/&lt;folder name&gt;.kek</c>) when the network is encrypted.
    /// </summary>
    public static async Task<VerificationReport> VerifyLedgerAsync(string networkFolder, string dataFolder, CancellationToken cancellationToken)
    {
        var ledger = Path.Combine(dataFolder, "channels", LocalNetwork.Channel);
        if (!IsEnabled(networkFolder))
        {
            return LedgerVerifier.Verify(ledger);
        }

        var kek = KeyEncryptionKeyFile.Load(Path.Combine(networkFolder, Folder, Path.GetFileName(Path.TrimEndingDirectorySeparator(dataFolder)) + ".kek"));
        var keyring = await Keyring.OpenAsync(Path.Combine(dataFolder, Keyring.FileName), kek, cancellationToken).ConfigureAwait(false);
        using var cipher = await keyring.CreateCipherAsync(readOnly: true, cancellationToken).ConfigureAwait(false);
        return LedgerVerifier.Verify(ledger, encryption: cipher);
    }

    /// <summary>The line network up and the demo print: whether the nodes' ledgers are encrypted.</summary>
    public static string Describe(string networkFolder) => IsEnabled(networkFolder)
        ? $"  encryption at rest: on (AES-256-GCM; each node's key-encryption key in {Path.Combine(networkFolder, Folder)}, outside its data folder)"
        : "  encryption at rest: OFF — block files and database values are stored in the clear (--encrypt-at-rest turns it on)";
}
