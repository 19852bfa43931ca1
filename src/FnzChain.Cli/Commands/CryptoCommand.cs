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
        var command = new Command("revoke", "Revoke a certificate: add it to the org CA's CRL in <org>/msp/crls/crl.pem.");
        command.Options.Add(org);
        command.Options.Add(certificate);
        command.SetAction((parse, cancellationToken) =>
        {
            var result = Run(() => OrganizationRevocation.Revoke(parse.GetValue(org)!, parse.GetValue(certificate)!));
            parse.InvocationConfiguration.Output.WriteLine($"revoked serial {result.SerialNumber}; {result.CrlPath} lists {result.RevokedCount} revoked certificate(s)");
            return Task.FromResult(0);
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
