using System.CommandLine;
using FnzChain.Protos.Admin;

namespace FnzChain.Cli.Commands;

/// <summary><c>fnzchain private status</c> (compliance evidence of what each peer holds of one private key) and <c>private purge</c>.</summary>
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
                Key = PrivateKeyOption.Resolve(parse.GetValue(key), parse.GetValue(composite)),
            };
            var output = parse.InvocationConfiguration.Output;
            PrivateDataEvidence.WriteHeader(output);
            var clean = true;
            foreach (var peer in parse.GetValue(peers)!.Select(ParsePeer).Select(p => p with { Tls = ClientTlsOptions.Resolve(parse, p.AdminMsp) }))
            {
                var row = new PeerEvidence(peer.Address, await PrivateDataEvidence.AskAsync(peer, request, cancellationToken).ConfigureAwait(false));
                clean &= row.Erased;
                PrivateDataEvidence.WriteRow(output, row);
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

    private static EvidencePeer ParsePeer(string text)
    {
        var equals = text.IndexOf('=', StringComparison.Ordinal);
        var at = text.LastIndexOf('@');
        return equals > 0 && at > equals + 1 && at < text.Length - 1
            ? new EvidencePeer(text[..equals], text[(equals + 1)..at], text[(at + 1)..])
            : throw new CliException($"--peer \"{text}\" is not MSPID=<admin msp folder>@host:port");
    }
}
