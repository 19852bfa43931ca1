using System.CommandLine;
using FnzChain.Ledger.Encryption;
using FnzChain.Node;

namespace FnzChain.Cli.Commands;

/// <summary>
/// <c>fnzchain keys</c>: the keys of encryption at rest. <c>new-kek</c> writes a key-encryption key file;
/// <c>rotate</c> adds a data key to a node's keyring (new writes use it from the node's next start, old data stays
/// readable); <c>rotate-kek</c> re-wraps the keyring under a new key-encryption key.
/// </summary>
internal static class KeysCommand
{
    public static Command Create()
    {
        var command = new Command("keys", "Keys of encryption at rest: key-encryption key files and a node's keyring.");
        command.Subcommands.Add(CreateNewKek());
        command.Subcommands.Add(CreateRotate());
        command.Subcommands.Add(CreateRotateKek());
        return command;
    }

    private static Command CreateNewKek()
    {
        var output = new Option<string>("--out") { Description = "The key file to write (32 random bytes, mode 0600); keep it outside every data folder.", Required = true };
        var command = new Command("new-kek", "Write a new key-encryption key file.");
        command.Options.Add(output);
        command.SetAction((parse, _) =>
        {
            var path = Path.GetFullPath(parse.GetValue(output)!);
            KeyEncryptionKeyFile.Generate(path);
            parse.InvocationConfiguration.Output.WriteLine($"keys new-kek: wrote {path} (32 random bytes, mode 0600)");
            return Task.FromResult(0);
        });
        return command;
    }

    private static Command CreateRotate()
    {
        var (node, kek) = (NodeOption(), KekOption("--kek", "The node's key-encryption key file."));
        var command = new Command("rotate", "Add a new data key to the node's keyring; new writes use it from the node's next start, data written under older keys stays readable.");
        command.Options.Add(node);
        command.Options.Add(kek);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var path = KeyringOf(parse.GetValue(node)!);
            var id = await Keyring.RotateAsync(path, KeyEncryptionKeyFile.Load(parse.GetValue(kek)!), cancellationToken).ConfigureAwait(false);
            parse.InvocationConfiguration.Output.WriteLine($"keys rotate: data key {id} of {path} is active; restart the node for new writes to use it");
            return 0;
        });
        return command;
    }

    private static Command CreateRotateKek()
    {
        var (node, kek, newKek) = (NodeOption(), KekOption("--kek", "The current key-encryption key file."), KekOption("--new-kek", "The new key-encryption key file (see keys new-kek)."));
        var command = new Command("rotate-kek", "Re-wrap every data key of the node's keyring under a new key-encryption key; the data is not rewritten. Point the node's configuration at the new file.");
        command.Options.Add(node);
        command.Options.Add(kek);
        command.Options.Add(newKek);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var path = KeyringOf(parse.GetValue(node)!);
            var replacement = KeyEncryptionKeyFile.Load(parse.GetValue(newKek)!);
            await Keyring.RotateKeyEncryptionKeyAsync(path, KeyEncryptionKeyFile.Load(parse.GetValue(kek)!), replacement, cancellationToken).ConfigureAwait(false);
            parse.InvocationConfiguration.Output.WriteLine($"keys rotate-kek: every data key of {path} is now wrapped by {replacement.Path}; the old key file no longer opens it");
            return 0;
        });
        return command;
    }

    private static Option<string> NodeOption() => new("--node") { Description = "The node's data folder (its dataPath, holding keyring.json).", Required = true };

    private static Option<string> KekOption(string name, string description) => new(name) { Description = description, Required = true };

    private static string KeyringOf(string dataPath)
    {
        var path = NodeEncryptionAtRest.KeyringPath(Path.GetFullPath(dataPath));
        return File.Exists(path) ? path : throw new CliException($"keys: {dataPath} has no {Keyring.FileName}: the node is not encrypted at rest");
    }
}
