using FnzChain.Node.Channels;
using System.CommandLine;
using FnzChain.Crypto.Keys;
using FnzChain.Identity.Admin;
using FnzChain.Identity.Msp;
using FnzChain.Orderer.Channels;
using FnzChain.Protos.Admin;
using FnzChain.Protos.Common;
using FnzChain.Protos.Orderer;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;

namespace FnzChain.Cli.Commands;

/// <summary><c>fnzchain channel create|join|list</c>: genesis blocks from profiles, and channel participation of nodes.</summary>
internal static class ChannelCommand
{
    public static Command Create()
    {
        var command = new Command("channel", "Create channel genesis blocks, join nodes to channels, change a channel's configuration.");
        command.Subcommands.Add(CreateCreate());
        command.Subcommands.Add(CreateJoin());
        command.Subcommands.Add(CreateList());
        command.Subcommands.Add(CreateFetch());
        command.Subcommands.Add(ChannelUpdateCommand.Create());
        return command;
    }

    private static Command CreateCreate()
    {
        var profile = new Option<string>("--profile") { Description = "Channel profile (JSON): organisations, orderer settings, policies.", Required = true }.MustBeFile();
        var output = new Option<string>("--out") { Description = "Where to write the genesis block (serialized common.Block).", Required = true };
        var command = new Command("create", "Build a channel's genesis block from a profile.");
        command.Options.Add(profile);
        command.Options.Add(output);
        command.SetAction((parse, _) =>
        {
            var loaded = ChannelProfile.Load(parse.GetValue(profile)!);
            var block = ConfigBlock.CreateGenesis(loaded.ChannelId, loaded.ToConfig(), DateTimeOffset.UtcNow);
            var config = ConfigBlock.ReadConfig(block);
            var path = parse.GetValue(output)!;
            File.WriteAllBytes(path, block.ToByteArray());
            parse.InvocationConfiguration.Output.WriteLine(
                $"channel {config.ChannelId}: genesis block written to {path} ({config.Organizations.Count} organizations, {config.Orderer.ConsensusType} ordering)");
            return Task.FromResult(0);
        });
        return command;
    }

    private static Command CreateJoin()
    {
        var node = NodeOption();
        var identity = IdentityOption();
        var mspId = MspIdOption();
        var block = new Option<string>("--block") { Description = "The channel's genesis block file.", Required = true }.MustBeFile();
        var command = new Command("join", "Join a node (orderer or peer) to a channel with the channel's genesis block.");
        foreach (var option in new Option[] { node, identity, mspId, block })
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, cancellationToken) =>
        {
            var genesis = await File.ReadAllBytesAsync(parse.GetValue(block)!, cancellationToken).ConfigureAwait(false);
            var request = new AdminRequest { JoinChannel = new JoinChannelRequest { GenesisBlock = ByteString.CopyFrom(genesis) } };
            var info = await CallAsync(parse.GetValue(node)!, parse.GetValue(identity)!, parse.GetValue(mspId)!, ClientTlsOptions.Resolve(parse, parse.GetValue(identity)!), request,
                (client, signed) => client.JoinChannelAsync(signed, cancellationToken: cancellationToken).ResponseAsync).ConfigureAwait(false);
            parse.InvocationConfiguration.Output.WriteLine($"joined channel {info.ChannelId} (height {info.Height})");
            return 0;
        });
        return command;
    }

    private static Command CreateList()
    {
        var node = NodeOption();
        var identity = IdentityOption();
        var mspId = MspIdOption();
        var command = new Command("list", "List the channels a node has joined, with their heights.");
        foreach (var option in new Option[] { node, identity, mspId })
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, cancellationToken) =>
        {
            var list = await CallAsync(parse.GetValue(node)!, parse.GetValue(identity)!, parse.GetValue(mspId)!, ClientTlsOptions.Resolve(parse, parse.GetValue(identity)!), new AdminRequest { ListChannels = new ListChannelsRequest() },
                (client, signed) => client.ListChannelsAsync(signed, cancellationToken: cancellationToken).ResponseAsync).ConfigureAwait(false);
            foreach (var channel in list.Channels)
            {
                parse.InvocationConfiguration.Output.WriteLine($"{channel.ChannelId}\theight {channel.Height}");
            }

            return 0;
        });
        return command;
    }

    private static Command CreateFetch()
    {
        var channel = new Option<string>("--channel") { Description = "The channel.", Required = true };
        var orderer = new Option<string>("--orderer") { Description = "An orderer, host:port.", Required = true };
        var identity = new Option<string>("--identity") { Description = "An msp folder of a reader of the channel.", Required = true }.MustBeFolder();
        var mspId = new Option<string>("--msp-id") { Description = "That identity's MSP id.", Required = true };
        var which = new Option<string>("--which") { Description = "config (the latest config block), newest, oldest, or a block number.", DefaultValueFactory = _ => "config" };
        var output = new Option<string>("--out") { Description = "The file to write the block to (serialized common.Block, as Fabric's peer channel fetch writes).", Required = true };
        var command = new Command("fetch", "Fetch a block of a channel from an orderer, e.g. the latest config block for configtxlator or `channel update --block`.");
        foreach (var option in new Option[] { channel, orderer, identity, mspId, which, output })
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, cancellationToken) =>
        {
            var channelId = parse.GetValue(channel)!;
            using var files = SigningIdentityFiles.Load(parse.GetValue(identity)!);
            using var client = new OrdererClient(parse.GetValue(orderer)!, files, parse.GetValue(mspId)!, ClientTlsOptions.Resolve(parse, parse.GetValue(identity)!));
            var text = parse.GetValue(which)!;
            SeekPosition position;
            if (text == "config")
            {
                var newest = new SeekPosition { Newest = new SeekNewest() };
                var last = (await client.DeliverAsync(channelId, newest, newest, cancellationToken).ConfigureAwait(false)).Single();
                position = new SeekPosition { Specified = new SeekSpecified { Number = ConfigBlock.LastConfigIndex(last) } };
            }
            else
            {
                position = text switch
                {
                    "newest" => new SeekPosition { Newest = new SeekNewest() },
                    "oldest" => new SeekPosition { Oldest = new SeekOldest() },
                    _ when ulong.TryParse(text, out var number) => new SeekPosition { Specified = new SeekSpecified { Number = number } },
                    _ => throw new CliException($"--which \"{text}\" is not config, newest, oldest or a block number"),
                };
            }

            var block = (await client.DeliverAsync(channelId, position, position, cancellationToken).ConfigureAwait(false)).Single();
            var path = parse.GetValue(output)!;
            await File.WriteAllBytesAsync(path, block.ToByteArray(), cancellationToken).ConfigureAwait(false);
            var kind = ConfigBlock.IsConfigBlock(block) ? $"a config block, config sequence {ConfigBlock.ReadConfig(block).Sequence}" : $"{block.Data.Data.Count} transaction(s)";
            parse.InvocationConfiguration.Output.WriteLine($"block {block.Header.Number} of channel {channelId} written to {path} ({kind})");
            return 0;
        });
        return command;
    }

    private static Option<string> NodeOption() => new("--node") { Description = "The node's gRPC address, host:port.", Required = true };

    private static Option<string> IdentityOption() => new Option<string>("--identity") { Description = "An admin's msp folder (signcerts/, keystore/) of the node's organisation.", Required = true }.MustBeFolder();

    private static Option<string> MspIdOption() => new("--msp-id") { Description = "The admin's MSP id.", Required = true };

    internal static async Task<T> CallAsync<T>(string node, string identityFolder, string mspId, Client.Connections.ClientTls tls, AdminRequest request, Func<NodeAdmin.NodeAdminClient, SignedAdminRequest, Task<T>> call)
    {
        using var identity = SigningIdentityFiles.Load(identityFolder);
        var signed = AdminRequests.Sign(request, MspRegistry.Serialize(mspId, identity.Certificate), identity.Signer);
        using var channel = Client.Connections.GrpcConnections.Open(node, tls, maxSendMessageBytes: 100 * 1024 * 1024);
        try
        {
            return await call(new NodeAdmin.NodeAdminClient(channel), signed).ConfigureAwait(false);
        }
        catch (RpcException e)
        {
            throw new CliException($"{node}: {e.StatusCode}: {e.Status.Detail}");
        }
    }
}
