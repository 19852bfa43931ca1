using System.CommandLine;
using FnzChain.Crypto.Keys;
using FnzChain.Identity.Channels;
using FnzChain.Identity.Msp;
using FnzChain.Identity.Policies;
using FnzChain.Node.Channels;
using FnzChain.Orderer.Channels;
using FnzChain.Peer.Chaincode;
using FnzChain.Protos.Common;
using FnzChain.Protos.Config;
using FnzChain.Protos.Orderer;
using FnzChain.Protos.Peer;
using Google.Protobuf;
using ApplicationPolicy = FnzChain.Protos.Peer.ApplicationPolicy;

namespace FnzChain.Cli.Commands;

/// <summary>
/// <c>fnzchain chaincode define</c>: adds or changes a chaincode definition in the channel configuration with a
/// config update signed by the given admins (enough to satisfy the channel's modification policy, MAJORITY Admins
/// by default), then waits for the config block.
/// </summary>
internal static class ChaincodeCommand
{
    public static Command Create()
    {
        var command = new Command("chaincode", "Chaincode packages and definitions.");
        command.Subcommands.Add(CreatePackage());
        command.Subcommands.Add(CreateInstall());
        command.Subcommands.Add(CreateDefine());
        return command;
    }

    private static Command CreatePackage()
    {
        var folder = new Option<string>("--folder") { Description = "The contract's build output (its .dll files are packaged).", Required = true }.MustBeFolder();
        var assembly = new Option<string>("--assembly") { Description = "The .dll holding the contract, e.g. FundsSample.dll.", Required = true };
        var contract = new Option<string>("--contract") { Description = "The contract's full type name.", Required = true };
        var label = new Option<string>("--label") { Description = "Package label, e.g. funds_1.0.", Required = true };
        var output = new Option<string>("--out") { Description = "The package file to write.", Required = true };
        var command = new Command("package", "Package a contract's assemblies for installation on peers; prints the package id.");
        foreach (var option in new Option[] { folder, assembly, contract, label, output })
        {
            command.Options.Add(option);
        }

        command.SetAction((parse, _) =>
        {
            var package = ChaincodePackage.Create(parse.GetValue(folder)!, parse.GetValue(label)!, parse.GetValue(assembly)!, parse.GetValue(contract)!);
            File.WriteAllBytes(parse.GetValue(output)!, package.Bytes);
            parse.InvocationConfiguration.Output.WriteLine(package.PackageId);
            return Task.FromResult(0);
        });
        return command;
    }

    private static Command CreateInstall()
    {
        var node = new Option<string>("--node") { Description = "The peer's address, host:port.", Required = true };
        var identity = new Option<string>("--identity") { Description = "An admin's msp folder of the peer's organisation.", Required = true }.MustBeFolder();
        var mspId = new Option<string>("--msp-id") { Description = "The admin's MSP id.", Required = true };
        var package = new Option<string>("--package") { Description = "The package file (fnzchain chaincode package).", Required = true }.MustBeFile();
        var command = new Command("install", "Install a chaincode package on a peer; prints the package id a definition must name.");
        foreach (var option in new Option[] { node, identity, mspId, package })
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, cancellationToken) =>
        {
            var bytes = await File.ReadAllBytesAsync(parse.GetValue(package)!, cancellationToken).ConfigureAwait(false);
            var request = new FnzChain.Protos.Admin.AdminRequest { InstallChaincode = new FnzChain.Protos.Admin.InstallChaincodeRequest { Package = ByteString.CopyFrom(bytes) } };
            var installed = await ChannelCommand.CallAsync(parse.GetValue(node)!, parse.GetValue(identity)!, parse.GetValue(mspId)!, request,
                (client, signed) => client.InstallChaincodeAsync(signed, cancellationToken: cancellationToken).ResponseAsync).ConfigureAwait(false);
            parse.InvocationConfiguration.Output.WriteLine(installed.PackageId);
            return 0;
        });
        return command;
    }

    private static Command CreateDefine()
    {
        var orderer = new Option<string>("--orderer") { Description = "An orderer's address, host:port.", Required = true };
        var channel = new Option<string>("--channel") { Description = "The channel.", Required = true };
        var name = new Option<string>("--name") { Description = "Chaincode name (its state namespace).", Required = true };
        var version = new Option<string?>("--version") { Description = "Version label. Default: the current definition's, or 1.0." };
        var policy = new Option<string?>("--policy") { Description = "Endorsement policy, e.g. \"AND('Org1MSP.peer','Org2MSP.peer')\". Default: the current definition's, or the channel's Endorsement policy." };
        var package = new Option<string?>("--package-id") { Description = "label:hash of the installed package peers must run." };
        var collections = new Option<string?>("--collections-config") { Description = "Private data collections, a JSON file in Fabric's collections_config.json shape. Default: keep the current definition's." }.MustBeFile();
        var signers = new Option<string[]>("--signer")
        {
            Description = "An admin signing the update, as MSPID=<msp folder>; repeat for each organisation needed. The first also submits it.",
            AllowMultipleArgumentsPerToken = false,
        };
        var output = new Option<string?>("--out")
        {
            Description = "Write the update to this file instead of submitting it, for `fnzchain channel update show|sign|submit` (with --identity/--msp-id to read the config, or the first --signer).",
        };
        var identity = new Option<string?>("--identity") { Description = "With --out and no --signer: an msp folder to read the configuration with." }.MustBeFolder();
        var mspId = new Option<string?>("--msp-id") { Description = "That identity's MSP id." };
        var define = new Command("define", "Define (or redefine) a chaincode on a channel through a config update signed by channel admins (or written to a file to be signed).");
        foreach (var option in new Option[] { orderer, channel, name, version, policy, package, collections, signers, output, identity, mspId })
        {
            define.Options.Add(option);
        }

        define.SetAction(async (parse, cancellationToken) =>
        {
            var identities = (parse.GetValue(signers) ?? []).Select(ParseSigner).ToList();
            var file = parse.GetValue(output);
            if (identities.Count == 0)
            {
                if (file is null || parse.GetValue(identity) is not { } reader || parse.GetValue(mspId) is not { } readerMsp)
                {
                    throw new CliException("give --signer MSPID=<admin msp> for each admin needed, or --out <file> with --identity and --msp-id to write the update for signing");
                }

                identities.Add((readerMsp, SigningIdentityFiles.Load(reader)));
            }

            try
            {
                using var client = new OrdererClient(parse.GetValue(orderer)!, identities[0].Files, identities[0].MspId);
                var channelId = parse.GetValue(channel)!;
                var (height, config) = await client.FetchConfigAsync(channelId, cancellationToken).ConfigureAwait(false);
                var chaincode = parse.GetValue(name)!;
                var existing = config.Chaincode(chaincode);
                // A redefinition keeps what it does not name (Fabric's lifecycle makes operators restate everything;
                // silently resetting a custom policy to the channel default is worse).
                var keepPolicy = parse.GetValue(policy) is null && existing?.EndorsementPolicy is not null;
                var source = existing?.EndorsementPolicySource ?? string.Empty;
                var definition = new ChaincodeDefinition
                {
                    Name = chaincode,
                    Version = parse.GetValue(version) ?? existing?.Version ?? "1.0",
                    Sequence = (existing?.Sequence ?? 0) + 1,
                    PackageId = parse.GetValue(package) ?? existing?.PackageId ?? string.Empty,
                    EndorsementPolicy = keepPolicy ? existing!.EndorsementPolicy : EndorsementPolicy(parse.GetValue(policy), out source),
                    Collections = parse.GetValue(collections) is { } collectionsFile ? CollectionsConfig.Load(collectionsFile) : existing?.Collections,
                };
                var update = ConfigUpdateRules.Compute(channelId, config.Tree, ConfigTree.WithChaincode(config.Tree, definition)).ToByteString();
                if (file is not null)
                {
                    var unsigned = new ConfigUpdateEnvelope { ConfigUpdate = update };
                    if (parse.GetValue(signers) is { Length: > 0 })
                    {
                        unsigned.Signatures.AddRange(identities.Select(i => ConfigUpdates.Sign(update, MspRegistry.Serialize(i.MspId, i.Files.Certificate), i.Files.Signer)));
                    }

                    ConfigUpdateFile.Write(file, channelId, unsigned);
                    parse.InvocationConfiguration.Output.WriteLine(
                        $"chaincode {chaincode} definition (version {definition.Version}, sequence {definition.Sequence}, policy {source}) written to {file} with {unsigned.Signatures.Count} signature(s); "
                        + "next: `fnzchain channel update sign` by each admin needed, then `fnzchain channel update submit`");
                    return 0;
                }

                var envelope = new ConfigUpdateEnvelope { ConfigUpdate = update };
                envelope.Signatures.AddRange(identities.Select(i => ConfigUpdates.Sign(update, MspRegistry.Serialize(i.MspId, i.Files.Certificate), i.Files.Signer)));
                var sent = client.Sign(channelId, HeaderType.ConfigUpdate, envelope.ToByteString());
                await client.BroadcastAsync(sent, cancellationToken).ConfigureAwait(false);
                var (number, applied) = await client.WaitForConfigBlockAsync(channelId, height, sent, cancellationToken).ConfigureAwait(false);
                parse.InvocationConfiguration.Output.WriteLine(
                    $"chaincode {chaincode} defined on {channelId}: version {definition.Version}, sequence {definition.Sequence}, policy {source} (config block {number}, config sequence {applied.Sequence})");
                return 0;
            }
            finally
            {
                foreach (var identity in identities)
                {
                    identity.Files.Dispose();
                }
            }
        });
        return define;
    }

    private static (string MspId, SigningIdentityFiles Files) ParseSigner(string text)
    {
        var equals = text.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0 || equals == text.Length - 1)
        {
            throw new CliException($"--signer \"{text}\" is not MSPID=<msp folder>");
        }

        return (text[..equals], SigningIdentityFiles.Load(text[(equals + 1)..]));
    }

    private static ApplicationPolicy EndorsementPolicy(string? text, out string source)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            source = "channel policy Endorsement";
            return new ApplicationPolicy { ChannelConfigPolicyReference = ChannelBundle.Endorsement };
        }

        try
        {
            source = text;
            return new ApplicationPolicy { SignaturePolicy = PolicyDsl.Parse(text) };
        }
        catch (PolicyException e)
        {
            throw new CliException($"--policy \"{text}\": {e.Message}");
        }
    }
}
