using System.Text.Json.Nodes;

namespace FnzChain.Cli.Tests.Commands;

/// <summary>
/// The node settings and commands of encryption at rest, as an operator meets them: a real <c>orderer start</c> and
/// the <c>keys</c> commands as processes, each refusal one line naming the file or field, exit 1.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class EncryptionAtRestCommandTests : CryptoFixture
{
    private const string OrdererMsp = "out/ordererOrganizations/example.com/orderers/orderer.example.com/msp";

    [Test]
    public async Task Enabled_without_a_key_file_is_refused_naming_the_field_also_through_the_environment()
    {
        await File.WriteAllTextAsync(Folder.File("node.json"), """{ "listenAddress": "127.0.0.1:0", "mspId": "X", "mspPath": ".", "dataPath": "d" }""");

        var result = await ProcessRunner.FnzchainAsync(WorkDir, new Dictionary<string, string> { ["FNZCHAIN__ENCRYPTIONATREST__ENABLED"] = "true" }, "orderer", "start", "--config", "node.json");

        Assert.That(result.ExitCode, Is.EqualTo(1), result.ToString());
        Assert.That(result.ErrorLines.Single(), Is.EqualTo("fnzchain: orderer config node.json: encryptionAtRest.keyEncryptionKeyFile is required when encryptionAtRest.enabled is true"));
    }

    [Test]
    public async Task A_key_file_inside_the_data_folder_is_refused()
    {
        await File.WriteAllTextAsync(Folder.File("node.json"), """
            { "listenAddress": "127.0.0.1:0", "mspId": "X", "mspPath": ".", "dataPath": "d",
              "encryptionAtRest": { "enabled": true, "keyEncryptionKeyFile": "d/kek" } }
            """);

        var result = await ProcessRunner.FnzchainAsync(WorkDir, "orderer", "start", "--config", "node.json");

        Assert.That(result.ExitCode, Is.EqualTo(1), result.ToString());
        Assert.That(result.ErrorLines.Single(), Is.EqualTo(
            $"fnzchain: orderer config node.json: encryptionAtRest.keyEncryptionKeyFile {Folder.File("d/kek")} is inside the data folder {Folder.File("d")}; keep the key apart from the data it protects"));
    }

    [Test]
    public async Task A_data_folder_with_a_keyring_is_not_opened_with_encryption_off_and_a_wrong_size_key_file_is_named()
    {
        await GenerateAsync();
        var kek = Folder.File("kek");
        var created = await ProcessRunner.FnzchainAsync(WorkDir, "keys", "new-kek", "--out", kek);
        Assert.That(created.ExitCode, Is.Zero, created.ToString());
        await WriteOrdererConfigAsync(encrypted: true);

        // Started encrypted once (it creates its keyring), stopped by the refusal below of a second start with encryption off.
        using (var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
        {
            var first = await StartUntilListeningAsync(stop.Token);
            Assert.That(first, Does.Contain("orderer listening on"));
        }

        Assert.That(File.Exists(Folder.File("d/keyring.json")), Is.True);
        await WriteOrdererConfigAsync(encrypted: false);
        var plain = await ProcessRunner.FnzchainAsync(WorkDir, "orderer", "start", "--config", "node.json");
        Assert.That(plain.ExitCode, Is.EqualTo(1), plain.ToString());
        Assert.That(plain.ErrorLines.Single(), Is.EqualTo(
            $"fnzchain: data folder {Folder.File("d")} is encrypted at rest ({Folder.File("d/keyring.json")}) but encryptionAtRest.enabled is not set in the node's configuration"));

        await WriteOrdererConfigAsync(encrypted: true);
        await File.WriteAllBytesAsync(kek, new byte[31]);
        var shortKey = await ProcessRunner.FnzchainAsync(WorkDir, "orderer", "start", "--config", "node.json");
        Assert.That(shortKey.ExitCode, Is.EqualTo(1), shortKey.ToString());
        Assert.That(shortKey.ErrorLines.Single(), Is.EqualTo($"fnzchain: key-encryption key file {kek} holds 31 bytes; it must hold 32 random bytes or their base64"));
    }

    [Test]
    public async Task Keys_rotate_kek_rewraps_the_keyring_so_only_the_new_key_opens_it()
    {
        await GenerateAsync();
        var (kek, next) = (Folder.File("kek"), Folder.File("kek-2027"));
        Assert.That((await ProcessRunner.FnzchainAsync(WorkDir, "keys", "new-kek", "--out", kek)).ExitCode, Is.Zero);
        Assert.That((await ProcessRunner.FnzchainAsync(WorkDir, "keys", "new-kek", "--out", next)).ExitCode, Is.Zero);
        Directory.CreateDirectory(Folder.File("d"));
        var keyring = await FnzChain.Ledger.Encryption.Keyring.CreateAsync(Folder.File("d/keyring.json"), FnzChain.Ledger.Encryption.KeyEncryptionKeyFile.Load(kek));
        var before = JsonNode.Parse(await File.ReadAllTextAsync(keyring.Path))!["keys"]![0]!["wrapped"]!.GetValue<string>();

        var rewrapped = await ProcessRunner.FnzchainAsync(WorkDir, "keys", "rotate-kek", "--node", "d", "--kek", kek, "--new-kek", next);
        var oldKek = await ProcessRunner.FnzchainAsync(WorkDir, "keys", "rotate", "--node", "d", "--kek", kek);
        var newKek = await ProcessRunner.FnzchainAsync(WorkDir, "keys", "rotate", "--node", "d", "--kek", next);

        Assert.Multiple(async () =>
        {
            Assert.That(rewrapped.ExitCode, Is.Zero, rewrapped.ToString());
            Assert.That(JsonNode.Parse(await File.ReadAllTextAsync(keyring.Path))!["keys"]![0]!["wrapped"]!.GetValue<string>(), Is.Not.EqualTo(before));
            Assert.That(oldKek.ExitCode, Is.EqualTo(1));
            Assert.That(oldKek.ErrorLines.Single(), Is.EqualTo($"fnzchain: the key-encryption key in {kek} does not unwrap data key 1 of {keyring.Path}: wrong key"));
            Assert.That(newKek.ExitCode, Is.Zero, newKek.ToString());
            Assert.That(newKek.StandardOutput, Does.Contain("data key 2 of"));
        });
    }

    private Task WriteOrdererConfigAsync(bool encrypted) =>
        File.WriteAllTextAsync(Folder.File("node.json"), $$"""
            { "listenAddress": "127.0.0.1:0", "mspId": "OrdererMSP", "mspPath": "{{OrdererMsp}}", "dataPath": "d",
              "encryptionAtRest": { "enabled": {{(encrypted ? "true" : "false")}}, "keyEncryptionKeyFile": "kek" } }
            """);

    /// <summary>Runs <c>orderer start</c> until it prints its listening line, then stops it (SIGTERM); returns its output.</summary>
    private async Task<string> StartUntilListeningAsync(CancellationToken cancellationToken)
    {
        var start = new System.Diagnostics.ProcessStartInfo("dotnet") { WorkingDirectory = WorkDir, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { ProcessRunner.FnzchainDll, "orderer", "start", "--config", "node.json" })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = System.Diagnostics.Process.Start(start)!;
        var output = new System.Text.StringBuilder();
        try
        {
            while (await process.StandardOutput.ReadLineAsync(cancellationToken) is { } line)
            {
                output.AppendLine(line);
                if (line.StartsWith("orderer listening on", StringComparison.Ordinal))
                {
                    break;
                }
            }
        }
        finally
        {
            System.Diagnostics.Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])?.WaitForExit();
            await process.WaitForExitAsync(CancellationToken.None);
        }

        return output.ToString();
    }
}
