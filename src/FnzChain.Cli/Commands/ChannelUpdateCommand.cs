using System.CommandLine;
using FnzChain.Crypto.Keys;
using FnzChain.Identity.Channels;
using FnzChain.Identity.Msp;
using FnzChain.Node;
using FnzChain.Node.Channels;
using FnzChain.Orderer.Channels;
using FnzChain.Protos.Common;
using FnzChain.Protos.Orderer;
using FnzChain.Protos.Peer;
using Google.Protobuf;

namespace FnzChain.Cli.Commands;

/// <summary>
/// <c>fnzchain channel update …</c>: the operator's workflow for changing a live channel's configuration. A maker
/// (<c>add-org</c>, <c>remove-org</c>, <c>set-anchor-peers</c>, <c>update-msp</c>, <c>set-batch</c>, <c>set-policy</c>)
/// reads the configuration in force (from an orderer, or a config block file), makes the change, computes the update
/// with Fabric's read/write-set rules and writes it unsigned to a file, printing what it changes and whose signatures
/// it needs. Each admin checks it with <c>show</c> and adds a signature with <c>sign</c> on their own machine; anyone
/// allowed to write to the channel <c>submit</c>s it. The file is Fabric's <c>update_in_envelope.pb</c>, so Fabric's
/// <c>peer channel signconfigtx</c>/<c>update</c> and configtxlator-made updates mix with these commands.
/// </summary>
internal static class ChannelUpdateCommand
{
    public static Command Create()
    {
        var command = new Command("update", "Change a live channel's configuration: make an update file, show it, sign it, submit it.");
        command.Subcommands.Add(Maker("add-org", "Add an application organisation (its MSP folder, optional anchor peers).", AddOrg, AddOrgOptions()));
        command.Subcommands.Add(Maker("remove-org", "Remove an application organisation.", RemoveOrg, [OrgOption()]));
        command.Subcommands.Add(Maker("set-anchor-peers", "Replace an organisation's anchor peers (none: clear them).", SetAnchorPeers, [OrgOption(), AnchorOption()]));
        command.Subcommands.Add(Maker("update-msp", "Replace an organisation's MSP from its msp folder (new CAs, CRLs from crls/).", UpdateMsp, [OrgOption(), OrgMspOption(required: true)]));
        command.Subcommands.Add(Maker("set-batch", "Change the orderer's batch size and timeout.", SetBatch, BatchOptions()));
        command.Subcommands.Add(Maker("set-policy", "Set a policy by path, e.g. --path /Channel/Application/Admins --rule \"ANY Admins\".", SetPolicy, PolicyOptions()));
        command.Subcommands.Add(CreateShow());
        command.Subcommands.Add(CreateSign());
        command.Subcommands.Add(CreateSubmit());
        return command;
    }

    private delegate Config Change(Config current, ChannelConfig config, ParseResult parse);

    private static Option<string> OrgOption() => new("--org") { Description = "The organisation's name in the channel (its group key, e.g. Dist1).", Required = true };

    private static Option<string[]> AnchorOption() => new("--anchor-peer") { Description = "An anchor peer, host:port; repeat for more.", AllowMultipleArgumentsPerToken = false };

    private static Option<string?> OrgMspOption(bool required) => new Option<string?>("--org-msp") { Description = "The organisation's msp folder (cacerts/, tlscacerts/, crls/ …) as cryptogen lays it out.", Required = required }.MustBeFolder();

    private static Option[] AddOrgOptions() =>
    [
        OrgMspOption(required: true),
        new Option<string>("--new-msp-id") { Description = "The new organisation's MSP id, e.g. Dist3MSP.", Required = true },
        new Option<string?>("--name") { Description = "Its name in the channel (default: the MSP id without a trailing \"MSP\")." },
        AnchorOption(),
    ];

    private static Option[] BatchOptions() =>
    [
        new Option<uint?>("--max-message-count") { Description = "Messages per block at most." },
        new Option<uint?>("--preferred-max-bytes") { Description = "Cut a block once it reaches this size." },
        new Option<uint?>("--absolute-max-bytes") { Description = "No block (and no transaction) larger than this." },
        new Option<string?>("--timeout") { Description = "Cut a non-empty block after this long, e.g. 2s or 250ms." },
    ];

    private static Option[] PolicyOptions() =>
    [
        new Option<string>("--path") { Description = "The policy's path, e.g. /Channel/Application/Dist1/Writers.", Required = true },
        new Option<string>("--rule") { Description = "\"ANY|ALL|MAJORITY <Sub>\" or a signature policy, e.g. \"OR('Dist1MSP.admin')\".", Required = true },
    ];

    private static Command Maker(string name, string description, Change change, Option[] own)
    {
        var channel = new Option<string>("--channel") { Description = "The channel.", Required = true };
        var orderer = new Option<string?>("--orderer") { Description = "An orderer, host:port, to read the configuration in force from." };
        var block = new Option<string?>("--block") { Description = "Read the configuration from this config block file instead (it must be the latest config block)." }.MustBeFile();
        var identity = new Option<string?>("--identity") { Description = "An msp folder (signcerts/, keystore/) to read from the orderer with (any reader of the channel)." }.MustBeFolder();
        var mspId = new Option<string?>("--msp-id") { Description = "That identity's MSP id." };
        var output = new Option<string>("--out") { Description = "The update file to write (unsigned).", Required = true };
        var command = new Command(name, description);
        foreach (var option in new Option[] { channel, orderer, block, identity, mspId, output }.Concat(own))
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, cancellationToken) =>
        {
            var lines = await WriteUpdateAsync(
                parse, parse.GetValue(channel)!, parse.GetValue(orderer), parse.GetValue(block), parse.GetValue(identity), parse.GetValue(mspId),
                (tree, config) => change(tree, config, parse), parse.GetValue(output)!, cancellationToken).ConfigureAwait(false);
            foreach (var line in lines)
            {
                parse.InvocationConfiguration.Output.WriteLine(line);
            }

            return 0;
        });
        return command;
    }

    /// <summary>
    /// Reads the configuration in force (from an orderer or a config block file), applies <paramref name="change"/>,
    /// checks the result is a valid configuration, computes the update and writes it unsigned to <paramref name="path"/>;
    /// returns the lines that say what it changes and what comes next.
    /// </summary>
    internal static async Task<List<string>> WriteUpdateAsync(
        ParseResult parse, string channelId, string? orderer, string? block, string? identity, string? mspId, Func<Config, ChannelConfig, Config> change, string path, CancellationToken cancellationToken)
    {
        var current = await ReadCurrentAsync(parse, channelId, orderer, block, identity, mspId, cancellationToken).ConfigureAwait(false);
        var next = change(current.Config.Tree, current.Config);
        ConfigUpdate update;
        try
        {
            var checkedNext = next.Clone();
            checkedNext.Sequence = current.Config.Sequence + 1;
            _ = ChannelBundle.Create(channelId, checkedNext);
            update = ConfigUpdateRules.Compute(channelId, current.Config.Tree, next);
        }
        catch (ChannelConfigException e)
        {
            throw new CliException($"the changed configuration would not be valid: {e.Message}");
        }
        catch (ConfigUpdateRejectedException e)
        {
            throw new CliException(e.Message);
        }

        ConfigUpdateFile.Write(path, channelId, new ConfigUpdateEnvelope { ConfigUpdate = update.ToByteString() });
        return
        [
            $"update for channel {channelId} (config sequence {current.Config.Sequence}) written to {path}, unsigned:",
            .. ConfigUpdateFile.DescribeChanges(update, current),
            $"next: each admin needed runs `fnzchain channel update sign {path} --identity <admin msp> --msp-id <MSP>`, then `fnzchain channel update submit {path} …`",
        ];
    }

    private static Command CreateShow()
    {
        var file = new Argument<string>("file") { Description = "The update file." };
        var orderer = new Option<string?>("--orderer") { Description = "An orderer to compare with the configuration in force (shows old values and the policies needed)." };
        var identity = new Option<string?>("--identity") { Description = "An msp folder to read from the orderer with." }.MustBeFolder();
        var mspId = new Option<string?>("--msp-id") { Description = "That identity's MSP id." };
        var command = new Command("show", "Show what an update file changes and who has signed it; check it before you sign.");
        command.Arguments.Add(file);
        foreach (var option in new Option[] { orderer, identity, mspId })
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, cancellationToken) =>
        {
            var (channelId, envelope, update) = ConfigUpdateFile.Read(parse.GetValue(file)!);
            ChannelBundle? current = null;
            if (parse.GetValue(orderer) is { } address)
            {
                current = await ReadCurrentAsync(parse, channelId, address, null, parse.GetValue(identity), parse.GetValue(mspId), cancellationToken).ConfigureAwait(false);
            }

            var writer = parse.InvocationConfiguration.Output;
            writer.WriteLine($"update for channel {channelId}{(current is null ? string.Empty : $" (in force: config sequence {current.Config.Sequence})")}:");
            foreach (var line in ConfigUpdateFile.DescribeChanges(update, current))
            {
                writer.WriteLine(line);
            }

            writer.WriteLine($"signatures ({envelope.Signatures.Count}):");
            foreach (var line in ConfigUpdateFile.DescribeSignatures(envelope))
            {
                writer.WriteLine(line);
            }

            return 0;
        });
        return command;
    }

    private static Command CreateSign()
    {
        var file = new Argument<string>("file") { Description = "The update file; the signature is added to it." };
        var identity = new Option<string>("--identity") { Description = "Your admin msp folder (signcerts/, keystore/).", Required = true }.MustBeFolder();
        var mspId = new Option<string>("--msp-id") { Description = "Your MSP id.", Required = true };
        var command = new Command("sign", "Add your signature to an update file (run `show` first).");
        command.Arguments.Add(file);
        command.Options.Add(identity);
        command.Options.Add(mspId);
        command.SetAction((parse, _) =>
        {
            var path = parse.GetValue(file)!;
            var (channelId, envelope, _) = ConfigUpdateFile.Read(path);
            using var files = SigningIdentityFiles.Load(parse.GetValue(identity)!);
            var serialized = MspRegistry.Serialize(parse.GetValue(mspId)!, files.Certificate);
            foreach (var existing in envelope.Signatures)
            {
                if (SignatureHeader.Parser.ParseFrom(existing.SignatureHeader).Creator.Span.SequenceEqual(serialized))
                {
                    throw new CliException($"{path} is already signed by {parse.GetValue(mspId)} '{files.Certificate.Subject}'");
                }
            }

            envelope.Signatures.Add(ConfigUpdates.Sign(envelope.ConfigUpdate, serialized, files.Signer));
            ConfigUpdateFile.Write(path, channelId, envelope);
            parse.InvocationConfiguration.Output.WriteLine(
                $"signed {path} as {parse.GetValue(mspId)} '{files.Certificate.Subject}' ({envelope.Signatures.Count} signature(s) now)");
            return Task.FromResult(0);
        });
        return command;
    }

    private static Command CreateSubmit()
    {
        var file = new Argument<string>("file") { Description = "The signed update file." };
        var orderer = new Option<string>("--orderer") { Description = "An orderer, host:port.", Required = true };
        var identity = new Option<string>("--identity") { Description = "An msp folder allowed to write to the channel (signs the envelope; not counted as an admin signature).", Required = true }.MustBeFolder();
        var mspId = new Option<string>("--msp-id") { Description = "That identity's MSP id.", Required = true };
        var command = new Command("submit", "Submit a signed update file to an orderer and wait for its config block.");
        command.Arguments.Add(file);
        foreach (var option in new Option[] { orderer, identity, mspId })
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, cancellationToken) =>
        {
            var (channelId, envelope, _) = ConfigUpdateFile.Read(parse.GetValue(file)!);
            using var files = SigningIdentityFiles.Load(parse.GetValue(identity)!);
            using var client = new OrdererClient(parse.GetValue(orderer)!, files, parse.GetValue(mspId)!, ClientTlsOptions.Resolve(parse, parse.GetValue(identity)!));
            var (height, _) = await client.FetchConfigAsync(channelId, cancellationToken).ConfigureAwait(false);
            var sent = client.Sign(channelId, HeaderType.ConfigUpdate, envelope.ToByteString());
            await client.BroadcastAsync(sent, cancellationToken).ConfigureAwait(false);
            var (number, applied) = await client.WaitForConfigBlockAsync(channelId, height, sent, cancellationToken).ConfigureAwait(false);
            parse.InvocationConfiguration.Output.WriteLine($"channel {channelId}: update applied in config block {number}, config sequence {applied.Sequence}");
            return 0;
        });
        return command;
    }

    private static async Task<ChannelBundle> ReadCurrentAsync(ParseResult parse, string channelId, string? orderer, string? block, string? identity, string? mspId, CancellationToken cancellationToken)
    {
        if (block is not null)
        {
            if (orderer is not null)
            {
                throw new CliException("give --orderer or --block, not both");
            }

            ChannelConfig fromFile;
            try
            {
                fromFile = ConfigBlock.ReadConfig(Block.Parser.ParseFrom(await File.ReadAllBytesAsync(block, cancellationToken).ConfigureAwait(false)));
            }
            catch (Exception e) when (e is FormatException or InvalidProtocolBufferException)
            {
                throw new CliException($"--block {block} is not a config block: {e.Message}");
            }

            return fromFile.ChannelId == channelId
                ? ChannelBundle.Create(fromFile)
                : throw new CliException($"--block {block} is a config block of channel {fromFile.ChannelId}, not {channelId}");
        }

        if (orderer is null || identity is null || mspId is null)
        {
            throw new CliException("give --orderer with --identity and --msp-id (to read the configuration in force), or --block <config block file>");
        }

        using var files = SigningIdentityFiles.Load(identity);
        using var client = new OrdererClient(orderer, files, mspId, ClientTlsOptions.Resolve(parse, identity));
        var (_, config) = await client.FetchConfigAsync(channelId, cancellationToken).ConfigureAwait(false);
        return ChannelBundle.Create(config);
    }

    private static ConfigGroup ApplicationOrg(Config tree, string org)
    {
        var application = tree.ChannelGroup.Groups[ConfigTree.ApplicationGroup];
        return application.Groups.GetValueOrDefault(org)
            ?? throw new CliException($"channel has no application organisation \"{org}\"; it has {string.Join(", ", application.Groups.Keys.Order(StringComparer.Ordinal))}");
    }

    private static T Value<T>(ParseResult parse, string name) => parse.GetValue<T>(name)!;

    private static Config AddOrg(Config current, ChannelConfig config, ParseResult parse)
    {
        var mspId = Value<string>(parse, "--new-msp-id");
        var name = parse.GetValue<string?>("--name") ?? (mspId.EndsWith("MSP", StringComparison.Ordinal) && mspId.Length > 3 ? mspId[..^3] : mspId);
        if (config.Organizations.FirstOrDefault(o => o.Name == name || o.MspId == mspId) is { } clash)
        {
            throw new CliException($"channel {config.ChannelId} already has organisation {clash.Name} ({clash.MspId})");
        }

        var profile = new OrganizationProfile
        {
            Name = name,
            MspId = mspId,
            MspPath = Path.GetFullPath(Value<string>(parse, "--org-msp")),
            Roles = ["application"],
            AnchorPeers = [.. parse.GetValue<string[]>("--anchor-peer") ?? []],
        };
        ConfigGroup group;
        try
        {
            group = profile.ToGroups([]).Application!;
        }
        catch (Exception e) when (e is ChannelConfigException or MspException or FormatException)
        {
            throw new CliException($"--org-msp: {e.Message}");
        }

        var next = current.Clone();
        next.ChannelGroup.Groups[ConfigTree.ApplicationGroup].Groups[name] = group;
        return next;
    }

    private static Config RemoveOrg(Config current, ChannelConfig config, ParseResult parse)
    {
        var org = Value<string>(parse, "--org");
        _ = ApplicationOrg(current, org);
        var next = current.Clone();
        next.ChannelGroup.Groups[ConfigTree.ApplicationGroup].Groups.Remove(org);
        if (next.ChannelGroup.Groups[ConfigTree.ApplicationGroup].Groups.Count == 0)
        {
            throw new CliException($"{org} is the channel's last application organisation; a channel needs one");
        }

        return next;
    }

    private static Config SetAnchorPeers(Config current, ChannelConfig config, ParseResult parse)
    {
        var org = Value<string>(parse, "--org");
        _ = ApplicationOrg(current, org);
        var next = current.Clone();
        var group = ApplicationOrg(next, org);
        var anchors = new AnchorPeers();
        foreach (var text in parse.GetValue<string[]>("--anchor-peer") ?? [])
        {
            var endpoint = ParseAnchor(text);
            anchors.AnchorPeers_.Add(new AnchorPeer { Host = endpoint.Host, Port = endpoint.Port });
        }

        if (anchors.AnchorPeers_.Count == 0)
        {
            group.Values.Remove(ConfigTree.AnchorPeersKey);
        }
        else
        {
            var modPolicy = group.Values.GetValueOrDefault(ConfigTree.AnchorPeersKey)?.ModPolicy ?? ConfigTree.Admins;
            group.Values[ConfigTree.AnchorPeersKey] = ConfigTree.Value(anchors, modPolicy);
        }

        return next;
    }

    private static (string Host, int Port) ParseAnchor(string text)
    {
        try
        {
            return NodeConfiguration.ParseRemoteAddress(text);
        }
        catch (FormatException e)
        {
            throw new CliException($"--anchor-peer: {e.Message}");
        }
    }

    private static Config UpdateMsp(Config current, ChannelConfig config, ParseResult parse) =>
        ReplaceMsp(current, config, Value<string>(parse, "--org"), Value<string>(parse, "--org-msp"));

    /// <summary>The configuration with application organisation <paramref name="org"/>'s MSP read again from its msp folder (new CAs, CRLs); its MSP id stays.</summary>
    internal static Config ReplaceMsp(Config current, ChannelConfig config, string org, string mspFolder)
    {
        _ = ApplicationOrg(current, org);
        var mspId = config.Organizations.Single(o => o.Name == org).MspId;
        Protos.Msp.FabricMSPConfig msp;
        try
        {
            msp = MspConfig.FromFolder(mspFolder, mspId);
        }
        catch (MspException e)
        {
            throw new CliException($"--org-msp: {e.Message}");
        }

        var next = current.Clone();
        var group = ApplicationOrg(next, org);
        group.Values[ConfigTree.MspKey] = ConfigTree.Value(ConfigTree.MspValue(msp), group.Values[ConfigTree.MspKey].ModPolicy);
        return next;
    }

    /// <summary>The application organisation whose MSP trusts the root CA of <paramref name="mspFolder"/>, by certificate.</summary>
    internal static string OrganizationWithRootOf(ChannelConfig config, string mspFolder)
    {
        var roots = MspConfig.FromFolder(mspFolder, "probe").RootCerts;
        return config.Organizations.FirstOrDefault(o => o.IsApplication && o.Msp.RootCerts.Any(r => roots.Contains(r)))?.Name
            ?? throw new CliException($"no application organisation of channel {config.ChannelId} has the root CA of {mspFolder}");
    }

    private static Config SetBatch(Config current, ChannelConfig config, ParseResult parse)
    {
        var next = current.Clone();
        var orderer = next.ChannelGroup.Groups[ConfigTree.OrdererGroup];
        var batch = config.Orderer.BatchSize.Clone();
        batch.MaxMessageCount = parse.GetValue<uint?>("--max-message-count") ?? batch.MaxMessageCount;
        batch.PreferredMaxBytes = parse.GetValue<uint?>("--preferred-max-bytes") ?? batch.PreferredMaxBytes;
        batch.AbsoluteMaxBytes = parse.GetValue<uint?>("--absolute-max-bytes") ?? batch.AbsoluteMaxBytes;
        orderer.Values[ConfigTree.BatchSizeKey] = ConfigTree.Value(batch, orderer.Values[ConfigTree.BatchSizeKey].ModPolicy);
        if (parse.GetValue<string?>("--timeout") is { } timeout)
        {
            if (GoDuration.Parse(timeout) is not { } parsed || parsed <= TimeSpan.Zero)
            {
                throw new CliException($"--timeout \"{timeout}\" is not a duration like 2s or 250ms");
            }

            orderer.Values[ConfigTree.BatchTimeoutKey] = ConfigTree.Value(new BatchTimeout { Timeout = GoDuration.Format(parsed) }, orderer.Values[ConfigTree.BatchTimeoutKey].ModPolicy);
        }

        return next;
    }

    private static Config SetPolicy(Config current, ChannelConfig config, ParseResult parse)
    {
        var path = Value<string>(parse, "--path");
        var parts = path.Split('/');
        if (parts.Length < 3 || parts[0].Length != 0 || parts[1] != ConfigTree.ChannelGroup)
        {
            throw new CliException($"--path \"{path}\" is not a policy path like /Channel/Application/Admins");
        }

        var next = current.Clone();
        var group = next.ChannelGroup;
        foreach (var part in parts[2..^1])
        {
            group = group.Groups.GetValueOrDefault(part) ?? throw new CliException($"--path \"{path}\": the channel has no group {part} there");
        }

        ConfigPolicy policy;
        try
        {
            policy = ChannelProfile.Policy(Value<string>(parse, "--rule"), path);
        }
        catch (ChannelConfigException e)
        {
            throw new CliException(e.Message);
        }

        policy.ModPolicy = group.Policies.GetValueOrDefault(parts[^1])?.ModPolicy ?? ConfigTree.Admins;
        group.Policies[parts[^1]] = policy;
        return next;
    }
}
