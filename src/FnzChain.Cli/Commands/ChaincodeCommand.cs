using System.CommandLine;
using FnzChain.Crypto.Keys;
using FnzChain.Identity.Channels;
using FnzChain.Identity.Msp;
using FnzChain.Identity.Policies;
using FnzChain.Node.Channels;
using FnzChain.Orderer.Channels;
using FnzChain.Peer.Chaincode;
using FnzChain.Protos.Common;
using FnzChain.Protos.Lifecycle;
using FnzChain.Protos.Orderer;
using FnzChain.Protos.Peer;
using Google.Protobuf;
using ApplicationPolicy = FnzChain.Protos.Peer.ApplicationPolicy;

namespace FnzChain.Cli.Commands;

/// <summary>
/// <c>fnzchain chaincode package|install|define|show|approve|commit</c>. A definition is approved by organisations'
/// admins (enough for the channel's Application Admins policy, MAJORITY by default) and committed through the peers'
/// <c>_lifecycle</c> contract, in one step (<c>define --signer …</c>) or passed between admins as a file
/// (<c>define --out</c>, <c>approve</c> on each admin's machine, <c>commit</c>).
/// </summary>
internal static class ChaincodeCommand
{
    public static Command Create()
    {
        var command = new Command("chaincode", "Chaincode packages and definitions.");
        command.Subcommands.Add(CreatePackage());
        command.Subcommands.Add(CreateInstall());
        command.Subcommands.Add(CreateDefine());
        command.Subcommands.Add(CreateList());
        command.Subcommands.Add(CreateShow());
        command.Subcommands.Add(CreateApprove());
        command.Subcommands.Add(CreateCommit());
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
            var installed = await ChannelCommand.CallAsync(parse.GetValue(node)!, parse.GetValue(identity)!, parse.GetValue(mspId)!, ClientTlsOptions.Resolve(parse, parse.GetValue(identity)!), request,
                (client, signed) => client.InstallChaincodeAsync(signed, cancellationToken: cancellationToken).ResponseAsync).ConfigureAwait(false);
            parse.InvocationConfiguration.Output.WriteLine(installed.PackageId);
            return 0;
        });
        return command;
    }

    private static Command CreateDefine()
    {
        var peer = new Option<string>("--peer") { Description = "A peer's gateway address, host:port (it reads the committed definition and gathers the endorsements).", Required = true };
        var channel = new Option<string>("--channel") { Description = "The channel.", Required = true };
        var name = new Option<string>("--name") { Description = "Chaincode name (its state namespace).", Required = true };
        var version = new Option<string?>("--version") { Description = "Version label. Default: the current definition's, or 1.0." };
        var policy = new Option<string?>("--policy") { Description = "Endorsement policy, e.g. \"AND('Org1MSP.peer','Org2MSP.peer')\". Default: the current definition's, or the channel's Endorsement policy." };
        var package = new Option<string?>("--package-id") { Description = "label:hash of the installed package peers must run." };
        var collections = new Option<string?>("--collections-config") { Description = "Private data collections, a JSON file in Fabric's collections_config.json shape. Default: keep the current definition's." }.MustBeFile();
        var signers = new Option<string[]>("--signer")
        {
            Description = "An organisation's admin approving the definition, as MSPID=<msp folder>; repeat for each organisation needed (MAJORITY of the channel's admins by default). The first also submits it.",
            AllowMultipleArgumentsPerToken = false,
        };
        var output = new Option<string?>("--out")
        {
            Description = "Write the definition and its approvals so far to this file instead of committing it, for `fnzchain chaincode approve` by each admin and `fnzchain chaincode commit`.",
        };
        var identity = new Option<string?>("--identity") { Description = "With --out and no --signer: an msp folder to read the committed definition with." }.MustBeFolder();
        var mspId = new Option<string?>("--msp-id") { Description = "That identity's MSP id." };
        var define = new Command("define", "Define (or redefine) a chaincode on a channel: approved by organisations' admins, committed through the peers' _lifecycle contract (or written to a file to be approved).");
        foreach (var option in new Option[] { peer, channel, name, version, policy, package, collections, signers, output, identity, mspId })
        {
            define.Options.Add(option);
        }

        define.SetAction(async (parse, cancellationToken) =>
        {
            var identities = (parse.GetValue(signers) ?? []).Select(ParseSigner).ToList();
            var file = parse.GetValue(output);
            try
            {
                var (readerMsp, readerFolder) = parse.GetValue(signers) is { Length: > 0 } given ? (given[0][..given[0].IndexOf('=', StringComparison.Ordinal)], given[0][(given[0].IndexOf('=', StringComparison.Ordinal) + 1)..])
                    : file is not null && parse.GetValue(identity) is { } folder && parse.GetValue(mspId) is { } msp ? (msp, folder)
                    : throw new CliException("give --signer MSPID=<admin msp> for each organisation's admin needed, or --out <file> with --identity and --msp-id to write the definition for approval");
                using var reader = Client.ClientIdentity.FromMspFolder(readerFolder, readerMsp);
                using var gateway = Client.Gateway.Connect(parse.GetValue(peer)!, reader, new Client.GatewayOptions { Tls = ClientTlsOptions.Resolve(parse, readerFolder) });
                var channelId = parse.GetValue(channel)!;
                var chaincode = parse.GetValue(name)!;
                var existing = (await ChaincodeDefinitionFlow.QueryAsync(gateway, channelId, cancellationToken).ConfigureAwait(false)).FirstOrDefault(c => c.Name == chaincode);
                // A redefinition keeps what it does not name (Fabric's lifecycle makes operators restate everything;
                // silently resetting a custom policy to the channel default is worse).
                var keepPolicy = parse.GetValue(policy) is null && existing?.EndorsementPolicy is not null;
                var endorsement = keepPolicy ? existing!.EndorsementPolicy : EndorsementPolicy(parse.GetValue(policy), out var source);
                var definition = new ChaincodeDefinition
                {
                    Name = chaincode,
                    Version = parse.GetValue(version) ?? existing?.Version ?? "1.0",
                    Sequence = (existing?.Sequence ?? 0) + 1,
                    PackageId = parse.GetValue(package) ?? existing?.PackageId ?? string.Empty,
                    EndorsementPolicy = endorsement,
                    EndorsementPolicySource = keepPolicy ? existing!.EndorsementPolicySource : EndorsementPolicySource(parse.GetValue(policy)),
                    InitRequired = existing?.InitRequired ?? false,
                    Collections = parse.GetValue(collections) is { } collectionsFile ? CollectionsConfig.Load(collectionsFile) : existing?.Collections,
                };
                var approvals = ChaincodeDefinitionFlow.Propose(channelId, definition);
                foreach (var (signerMsp, files) in identities)
                {
                    ChaincodeDefinitionFlow.Approve(approvals, signerMsp, files);
                }

                if (file is not null)
                {
                    ChaincodeDefinitionFlow.Write(file, approvals);
                    parse.InvocationConfiguration.Output.WriteLine(
                        $"chaincode {ChaincodeDefinitionFlow.Describe(definition)} on {channelId} written to {file} with {approvals.Approvals.Count} approval(s); "
                        + "next: `fnzchain chaincode approve` by each organisation's admin needed, then `fnzchain chaincode commit`");
                    return 0;
                }

                var block = await ChaincodeDefinitionFlow.CommitAsync(gateway, channelId, approvals, cancellationToken).ConfigureAwait(false);
                parse.InvocationConfiguration.Output.WriteLine(
                    $"chaincode {ChaincodeDefinitionFlow.Describe(definition)} defined on {channelId} in block {block}, approved by {string.Join(", ", identities.Select(i => i.MspId))}");
                return 0;
            }
            finally
            {
                foreach (var signer in identities)
                {
                    signer.Files.Dispose();
                }
            }
        });
        return define;
    }

    private static Command CreateApprove()
    {
        var file = new Argument<string>("file") { Description = "The approvals file (`fnzchain chaincode define --out`); the approval is added to it." };
        var identity = new Option<string>("--identity") { Description = "Your organisation admin's msp folder.", Required = true }.MustBeFolder();
        var mspId = new Option<string>("--msp-id") { Description = "Your organisation's MSP id.", Required = true };
        var command = new Command("approve", "Approve, as an organisation's admin, the chaincode definition in an approvals file (check it with `chaincode show` first).");
        command.Arguments.Add(file);
        command.Options.Add(identity);
        command.Options.Add(mspId);
        command.SetAction((parse, _) =>
        {
            var path = parse.GetValue(file)!;
            var (approvals, proposal, definition) = ChaincodeDefinitionFlow.Read(path);
            using var admin = SigningIdentityFiles.Load(parse.GetValue(identity)!);
            ChaincodeDefinitionFlow.Approve(approvals, parse.GetValue(mspId)!, admin);
            ChaincodeDefinitionFlow.Write(path, approvals);
            parse.InvocationConfiguration.Output.WriteLine(
                $"{parse.GetValue(mspId)} approved chaincode {ChaincodeDefinitionFlow.Describe(definition)} on {proposal.ChannelId}; {approvals.Approvals.Count} approval(s) in {path}");
            return Task.FromResult(0);
        });
        return command;
    }

    private static Command CreateList()
    {
        var peer = new Option<string>("--peer") { Description = "A peer's gateway address, host:port.", Required = true };
        var channel = new Option<string>("--channel") { Description = "The channel.", Required = true };
        var identity = new Option<string>("--identity") { Description = "An msp folder of a channel member.", Required = true }.MustBeFolder();
        var mspId = new Option<string>("--msp-id") { Description = "That identity's MSP id.", Required = true };
        var command = new Command("list", "List the chaincode definitions committed on a channel, as a peer has them.");
        foreach (var option in new Option[] { peer, channel, identity, mspId })
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, cancellationToken) =>
        {
            using var reader = Client.ClientIdentity.FromMspFolder(parse.GetValue(identity)!, parse.GetValue(mspId)!);
            using var gateway = Client.Gateway.Connect(parse.GetValue(peer)!, reader, new Client.GatewayOptions { Tls = ClientTlsOptions.Resolve(parse, parse.GetValue(identity)!) });
            var definitions = await ChaincodeDefinitionFlow.QueryAsync(gateway, parse.GetValue(channel)!, cancellationToken).ConfigureAwait(false);
            foreach (var definition in definitions)
            {
                parse.InvocationConfiguration.Output.WriteLine(ChaincodeDefinitionFlow.Describe(definition));
            }

            if (definitions.Count == 0)
            {
                parse.InvocationConfiguration.Output.WriteLine($"no chaincode is defined on {parse.GetValue(channel)}");
            }

            return 0;
        });
        return command;
    }

    private static Command CreateShow()
    {
        var file = new Argument<string>("file") { Description = "The approvals file." };
        var command = new Command("show", "Show the chaincode definition in an approvals file and who has approved it.");
        command.Arguments.Add(file);
        command.SetAction((parse, _) =>
        {
            var (approvals, proposal, definition) = ChaincodeDefinitionFlow.Read(parse.GetValue(file)!);
            var output = parse.InvocationConfiguration.Output;
            output.WriteLine($"channel {proposal.ChannelId}: chaincode {ChaincodeDefinitionFlow.Describe(definition)}");
            output.WriteLine($"approvals ({approvals.Approvals.Count}; the channel's /Channel/Application/Admins policy decides how many are enough):");
            foreach (var approver in ChaincodeDefinitionFlow.Approvers(approvals))
            {
                output.WriteLine($"  {approver}");
            }

            return Task.FromResult(0);
        });
        return command;
    }

    private static Command CreateCommit()
    {
        var file = new Argument<string>("file") { Description = "The approvals file, approved by enough organisations' admins." };
        var peer = new Option<string>("--peer") { Description = "A peer's gateway address, host:port.", Required = true };
        var identity = new Option<string>("--identity") { Description = "An msp folder of a channel member submitting the transaction.", Required = true }.MustBeFolder();
        var mspId = new Option<string>("--msp-id") { Description = "That identity's MSP id.", Required = true };
        var command = new Command("commit", "Commit the chaincode definition in an approvals file through the peers' _lifecycle contract.");
        command.Arguments.Add(file);
        foreach (var option in new Option[] { peer, identity, mspId })
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, cancellationToken) =>
        {
            var (approvals, proposal, definition) = ChaincodeDefinitionFlow.Read(parse.GetValue(file)!);
            using var submitter = Client.ClientIdentity.FromMspFolder(parse.GetValue(identity)!, parse.GetValue(mspId)!);
            using var gateway = Client.Gateway.Connect(parse.GetValue(peer)!, submitter, new Client.GatewayOptions { Tls = ClientTlsOptions.Resolve(parse, parse.GetValue(identity)!) });
            var block = await ChaincodeDefinitionFlow.CommitAsync(gateway, proposal.ChannelId, approvals, cancellationToken).ConfigureAwait(false);
            parse.InvocationConfiguration.Output.WriteLine($"chaincode {ChaincodeDefinitionFlow.Describe(definition)} defined on {proposal.ChannelId} in block {block}");
            return 0;
        });
        return command;
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

    private static string EndorsementPolicySource(string? text) => string.IsNullOrWhiteSpace(text) ? "channel policy Endorsement" : text;

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
