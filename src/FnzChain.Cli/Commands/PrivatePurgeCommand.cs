using System.CommandLine;
using System.Text.Json;
using FnzChain.Client;

namespace FnzChain.Cli.Commands;

/// <summary>
/// <c>fnzchain private purge</c>: compliance erasure of one private key — submits the peer's platform function
/// <c>fnz:PurgePrivateData</c> (collection, key, reason) through a gateway with a compliance identity, and prints
/// the audit record the transaction carries. Every member peer then erases the key from its files.
/// </summary>
internal static class PrivatePurgeCommand
{
    public static Command Create()
    {
        var gateway = new Option<string>("--gateway") { Description = "A peer's address, host:port, whose gateway submits the purge.", Required = true };
        var identity = new Option<string>("--identity") { Description = "The compliance user's msp folder (its certificate must carry fnz.role=compliance).", Required = true }.MustBeFolder();
        var mspId = new Option<string>("--msp-id") { Description = "That user's MSP id (a member of the collection).", Required = true };
        var channel = new Option<string>("--channel") { Description = "The channel.", Required = true };
        var chaincode = new Option<string>("--chaincode") { Description = "The chaincode whose collection holds the key.", Required = true };
        var collection = new Option<string>("--collection") { Description = "The collection.", Required = true };
        var key = new Option<string?>("--key") { Description = "The private key (an identifier, never personal data)." };
        var composite = new Option<string?>("--composite-key") { Description = "The key as a composite key: object type and attributes, comma-separated (e.g. ta.personal,ACC-1)." };
        var reason = new Option<string>("--reason") { Description = "Why the data is erased (recorded on the ledger), e.g. \"GDPR art. 17 request #4711\".", Required = true };
        var command = new Command("purge", "Erase one private key from every member peer (compliance); prints the purge's audit record.");
        foreach (var option in new Option[] { gateway, identity, mspId, channel, chaincode, collection, key, composite, reason })
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, cancellationToken) =>
        {
            var privateKey = PrivateKeyOption.Resolve(parse.GetValue(key), parse.GetValue(composite));
            using var user = ClientIdentity.FromMspFolder(parse.GetValue(identity)!, parse.GetValue(mspId)!);
            using var connection = Gateway.Connect(parse.GetValue(gateway)!, user, new GatewayOptions { Tls = ClientTlsOptions.Resolve(parse, parse.GetValue(identity)!) });
            var contract = connection.GetNetwork(parse.GetValue(channel)!).GetContract(parse.GetValue(chaincode)!);
            byte[] result;
            CommitStatus status;
            try
            {
                var submitted = await contract.SubmitAsyncReturningCommit("fnz:PurgePrivateData", [parse.GetValue(collection)!, privateKey, parse.GetValue(reason)!], null, cancellationToken).ConfigureAwait(false);
                (result, status) = (submitted.Result, await submitted.Commit.ConfigureAwait(false));
            }
            catch (GatewayException e)
            {
                throw new CliException($"purge refused: {e.Details.Select(d => d.Message).FirstOrDefault(m => m.Length > 0) ?? e.Message}");
            }

            if (!status.IsSuccessful)
            {
                throw new CliException($"purge transaction {status.TransactionId} was committed in block {status.BlockNumber} as {status.Result}: nothing was purged");
            }

            var record = JsonDocument.Parse(result).RootElement;
            var output = parse.InvocationConfiguration.Output;
            output.WriteLine($"purged {parse.GetValue(chaincode)}/{parse.GetValue(collection)} key \"{FnzChain.Ledger.State.StateLimits.Printable(privateKey)}\" in transaction {status.TransactionId}, block {status.BlockNumber}");
            output.WriteLine($"  by {record.GetProperty("mspId").GetString()} \"{record.GetProperty("subject").GetString()}\" at {record.GetProperty("at").GetDateTimeOffset():u}, reason: {record.GetProperty("reason").GetString()}");
            output.WriteLine("  member peers erase it from their files in the background; evidence: fnzchain private status --expect-erased ...");
            return 0;
        });
        return command;
    }
}

/// <summary>A private key given as <c>--key</c> or as <c>--composite-key type,attr,...</c>: exactly one of them.</summary>
internal static class PrivateKeyOption
{
    public static string Resolve(string? plain, string? composite) => (plain, composite) switch
    {
        ({ Length: > 0 } key, null) => key,
        (null, { } parts) when parts.Split(',') is [var type, .. var attributes] && type.Length > 0 => FnzChain.Ledger.State.CompositeKey.Create(type, attributes),
        _ => throw new CliException("give exactly one of --key and --composite-key (object type and attributes, comma-separated)"),
    };
}
