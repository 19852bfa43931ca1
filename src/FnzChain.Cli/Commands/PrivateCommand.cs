using System.CommandLine;
using System.Globalization;
using FnzChain.Protos.Admin;

namespace FnzChain.Cli.Commands;

/// <summary><c>fnzchain private status</c>: compliance evidence of what each peer holds of one private key.</summary>
internal static class PrivateCommand
{
    public static Command Create()
    {
        var command = new Command("private", "Private data collections: compliance erasure and its evidence.");
        command.Subcommands.Add(CreateStatus());
        command.Subcommands.Add(PrivatePurgeCommand.Create());
        return command;
    }

    private static Command CreateStatus()
    {
        var channel = new Option<string>("--channel") { Description = "The channel.", Required = true };
        var chaincode = new Option<string>("--chaincode") { Description = "The chaincode whose collection holds the key.", Required = true };
        var collection = new Option<string>("--collection") { Description = "The collection.", Required = true };
        var key = new Option<string?>("--key") { Description = "The private key (an identifier, never personal data)." };
        var composite = new Option<string?>("--composite-key") { Description = "The key as a composite key: object type and attributes, comma-separated (e.g. investor,I1)." };
        var peers = new Option<string[]>("--peer")
        {
            Description = "A peer to ask, as MSPID=<admin msp folder of that peer's organisation>@host:port; repeat for each peer.",
            Required = true,
            AllowMultipleArgumentsPerToken = false,
        };
        var expectErased = new Option<bool>("--expect-erased") { Description = "Exit 1 unless no peer holds the plaintext or a transient copy and no erasure is still running." };
        var command = new Command("status", "Ask each peer (admin service) whether it still holds a private key, and print one row per peer.");
        foreach (var option in new Option[] { channel, chaincode, collection, key, composite, peers, expectErased })
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, cancellationToken) =>
        {
            var request = new PrivateDataStatusRequest
            {
                ChannelId = parse.GetValue(channel)!,
                Chaincode = parse.GetValue(chaincode)!,
                Collection = parse.GetValue(collection)!,
                Key = (parse.GetValue(key), parse.GetValue(composite)) switch
                {
                    ({ } plain, null) => plain,
                    (null, { } parts) when parts.Split(',') is [var type, .. var attributes] && type.Length > 0 => FnzChain.Ledger.State.CompositeKey.Create(type, attributes),
                    _ => throw new CliException("give exactly one of --key and --composite-key (object type and attributes, comma-separated)"),
                },
            };
            var output = parse.InvocationConfiguration.Output;
            output.WriteLine($"{"peer",-22} {"org",-16} {"member",-7} {"plaintext",-10} {"hash on ledger",-15} {"transient",-10} {"erasing",-8} height");
            var clean = true;
            foreach (var peer in parse.GetValue(peers)!)
            {
                var (mspId, identity, address) = ParsePeer(peer);
                var status = await ChannelCommand.CallAsync(address, identity, mspId, new AdminRequest { PrivateDataStatus = request },
                    (client, signed) => client.GetPrivateDataStatusAsync(signed, cancellationToken: cancellationToken).ResponseAsync).ConfigureAwait(false);
                clean &= !status.PlaintextHeld && status.TransientCopies == 0 && !status.ErasurePending;
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{address,-22} {status.MspId,-16} {YesNo(status.Member),-7} {YesNo(status.PlaintextHeld),-10} {YesNo(status.HashOnLedger),-15} {status.TransientCopies,-10} {YesNo(status.ErasurePending),-8} {status.Height}"));
            }

            if (parse.GetValue(expectErased) && !clean)
            {
                parse.InvocationConfiguration.Error.WriteLine($"fnzchain: the key is not erased everywhere yet in {request.Chaincode}/{request.Collection}");
                return 1;
            }

            return 0;
        });
        return command;
    }

    private static string YesNo(bool value) => value ? "yes" : "no";

    private static (string MspId, string Identity, string Address) ParsePeer(string text)
    {
        var equals = text.IndexOf('=', StringComparison.Ordinal);
        var at = text.LastIndexOf('@');
        return equals > 0 && at > equals + 1 && at < text.Length - 1
            ? (text[..equals], text[(equals + 1)..at], text[(at + 1)..])
            : throw new CliException($"--peer \"{text}\" is not MSPID=<admin msp folder>@host:port");
    }
}
