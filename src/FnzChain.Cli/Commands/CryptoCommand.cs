using System.CommandLine;
using System.Security.Cryptography;
using FnzChain.Crypto.Cryptogen;
using FnzChain.Crypto.Keys;

namespace FnzChain.Cli.Commands;

/// <summary><c>fnzchain crypto</c>: the development PKI, in the manner of Fabric's cryptogen.</summary>
internal static class CryptoCommand
{
    public static Command Create()
    {
        var command = new Command("crypto", "Generate and revoke MSP and TLS material for development and test networks (like Fabric's cryptogen).");
        command.Subcommands.Add(CreateGenerate());
        command.Subcommands.Add(CreateRevoke());
        return command;
    }

    private static Command CreateGenerate()
    {
        var config = new Option<string>("--config") { Description = "Crypto config JSON file (see examples/crypto-config.json).", Required = true }.MustBeFile();
        var output = new Option<string>("--out") { Description = "Output folder; receives peerOrganizations/ and ordererOrganizations/.", Required = true };
        var force = new Option<bool>("--force") { Description = "Replace org folders that already exist (their keys are lost)." };
        var command = new Command("generate", "Create CAs, TLS CAs, node, admin and user identities in cryptogen's folder layout.");
        command.Options.Add(config);
        command.Options.Add(output);
        command.Options.Add(force);
        command.SetAction((parse, cancellationToken) =>
        {
            var written = Run(() =>
            {
                var spec = CryptoConfigReader.ReadFile(parse.GetValue(config)!);
                return new CryptoMaterialGenerator().Generate(spec, parse.GetValue(output)!, parse.GetValue(force));
            });
            foreach (var folder in written)
            {
                parse.InvocationConfiguration.Output.WriteLine($"generated {folder}");
            }

            return Task.FromResult(0);
        });
        return command;
    }

    private static Command CreateRevoke()
    {
        var org = new Option<string>("--org") { Description = "Org folder, e.g. out/peerOrganizations/org1.example.com.", Required = true }.MustBeFolder();
        var certificate = new Option<string>("--cert") { Description = "PEM certificate to revoke; must be issued by the org's CA.", Required = true }.MustBeFile();
        var update = new Option<string?>("--update") { Description = "Also write a channel config update that carries the new CRL (the organisation's MSP), for its admin to sign and submit." };
        var channel = new Option<string?>("--channel") { Description = "With --update: the channel." };
        var orderer = new Option<string?>("--orderer") { Description = "With --update: an orderer to read the configuration in force from." };
        var block = new Option<string?>("--block") { Description = "With --update: read the configuration from this config block file instead." }.MustBeFile();
        var identity = new Option<string?>("--identity") { Description = "With --update and --orderer: an msp folder to read with." }.MustBeFolder();
        var mspId = new Option<string?>("--msp-id") { Description = "That identity's MSP id." };
        var command = new Command("revoke", "Revoke a certificate: add it to the org CA's CRL in <org>/msp/crls/crl.pem; with --update, also make the channel update that publishes it.");
        foreach (var option in new Option[] { org, certificate, update, channel, orderer, block, identity, mspId })
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, cancellationToken) =>
        {
            var updatePath = parse.GetValue(update);
            var channelId = parse.GetValue(channel);
            if (updatePath is not null && channelId is null)
            {
                throw new CliException("--update needs --channel (and --orderer with --identity/--msp-id, or --block)");
            }

            var result = Run(() => OrganizationRevocation.Revoke(parse.GetValue(org)!, parse.GetValue(certificate)!));
            parse.InvocationConfiguration.Output.WriteLine($"revoked serial {result.SerialNumber}; {result.CrlPath} lists {result.RevokedCount} revoked certificate(s)");
            if (updatePath is not null)
            {
                var mspFolder = Path.Combine(parse.GetValue(org)!, "msp");
                var lines = await ChannelUpdateCommand.WriteUpdateAsync(
                    parse, channelId!, parse.GetValue(orderer), parse.GetValue(block), parse.GetValue(identity), parse.GetValue(mspId),
                    (tree, config) => ChannelUpdateCommand.ReplaceMsp(tree, config, ChannelUpdateCommand.OrganizationWithRootOf(config, mspFolder), mspFolder),
                    updatePath, cancellationToken).ConfigureAwait(false);
                foreach (var line in lines)
                {
                    parse.InvocationConfiguration.Output.WriteLine(line);
                }
            }

            return 0;
        });
        return command;
    }

    // Library failures name their cause already; the CLI passes them on as one line.
    private static T Run<T>(Func<T> action)
    {
        try
        {
            return action();
        }
        catch (Exception ex) when (ex is CryptoConfigException or KeyFileException or CryptographicException)
        {
            throw new CliException(ex.Message, ex);
        }
    }
}
