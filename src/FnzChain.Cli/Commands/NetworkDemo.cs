using System.Text;
using System.Text.Json;
using FnzChain.Cli.Network;
using FnzChain.Client;

namespace FnzChain.Cli.Commands;

/// <summary>
/// The main job (<c>fnzchain demo</c>): a complete network started from nothing on loopback — solo orderer, a
/// transfer agent's and a distributor's peer, RocksDB ledgers in a temporary folder — the sample fund contract
/// deployed, transactions submitted and evaluated through the Gateway with the .NET client SDK, events shown, an
/// MVCC conflict and a refused transaction explained, then everything stopped and every ledger verified.
/// </summary>
internal static class NetworkDemo
{
    public static Task<int> RunAsync(TextWriter output, string? keepFolder, bool force, NetworkShape ordering, CancellationToken cancellationToken) =>
        DemoRunner.RunAsync(output, keepFolder, force, "a two-organisation fund network", $"Starting the network: {DemoRunner.Describe(ordering)}", 4, layout: null, ordering,
            (info, _) => BusinessAsync(info, output, cancellationToken), cancellationToken);

    private static async Task BusinessAsync(ConnectionInfo info, TextWriter output, CancellationToken cancellationToken)
    {
        var transferAgent = info.Organizations[0];
        var distributor = info.Organizations[1];
        using var taUser = ClientIdentity.FromMspFolder(transferAgent.UserMsp, transferAgent.MspId);
        using var distributorUser = ClientIdentity.FromMspFolder(distributor.UserMsp, distributor.MspId);
        using var taGateway = Gateway.Connect(transferAgent.Peer, taUser, new GatewayOptions { Tls = info.ClientTlsFor(transferAgent.UserMsp) });
        using var distributorGateway = Gateway.Connect(distributor.Peer, distributorUser, new GatewayOptions { Tls = info.ClientTlsFor(distributor.UserMsp) });
        var funds = taGateway.GetNetwork(LocalNetwork.Channel).GetContract(info.Chaincode);
        var distributorFunds = distributorGateway.GetNetwork(LocalNetwork.Channel).GetContract(info.Chaincode);

        using var stopEvents = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var events = new List<string>();
        var listening = Task.Run(
            async () =>
            {
                await foreach (var chaincodeEvent in taGateway.GetNetwork(LocalNetwork.Channel).GetChaincodeEventsAsync(info.Chaincode, startBlock: 0, stopEvents.Token).ConfigureAwait(false))
                {
                    lock (events)
                    {
                        events.Add($"{chaincodeEvent.EventName} {Encoding.UTF8.GetString(chaincodeEvent.Payload.Span)}");
                    }
                }
            },
            CancellationToken.None);

        output.WriteLine();
        output.WriteLine("2. Business through the Gateway (endorsed by both organisations, ordered, committed)");
        await SubmitAsync(output, funds, "transfer agent creates fund GEQ", "CreateFund", "GEQ", "Global Equity", "101.25", "EUR").ConfigureAwait(false);
        await SubmitAsync(output, funds, "transfer agent creates fund BND", "CreateFund", "BND", "Euro Bonds", "54.10", "EUR").ConfigureAwait(false);
        var published = await SubmitAsync(output, funds, "transfer agent publishes the NAV of GEQ", "PublishNav", "GEQ", "102.40").ConfigureAwait(false);
        await distributorGateway.GetNetwork(LocalNetwork.Channel).GetCommitStatusAsync(published, cancellationToken).ConfigureAwait(false); // the distributor's peer has it too
        var read = await distributorFunds.EvaluateAsync("ReadFund", "GEQ").ConfigureAwait(false);
        output.WriteLine($"  distributor reads GEQ on its own peer: {Encoding.UTF8.GetString(read)}");
        var list = await distributorFunds.EvaluateAsync("ListFunds").ConfigureAwait(false);
        output.WriteLine($"  distributor lists funds: {string.Join(", ", JsonDocument.Parse(list).RootElement.EnumerateArray().Select(f => $"{f.GetProperty("id").GetString()} at {f.GetProperty("nav").GetDecimal()}"))}");

        output.WriteLine();
        output.WriteLine("3. What the ledger refuses");
        try
        {
            await funds.SubmitAsync("PublishNav", "BND", "-3").ConfigureAwait(false);
        }
        catch (GatewayException e)
        {
            output.WriteLine($"  a negative NAV is refused at endorsement ({e.StatusCode}): {string.Join("; ", e.Details.Select(d => $"{d.MspId}: {d.Message}"))}");
        }

        var first = await funds.SubmitAsyncReturningCommit("PublishNav", ["BND", "54.20"], null, cancellationToken).ConfigureAwait(false);
        var second = await distributorFunds.SubmitAsyncReturningCommit("PublishNav", ["BND", "54.30"], null, cancellationToken).ConfigureAwait(false);
        var outcomes = await Task.WhenAll(first.Commit, second.Commit).ConfigureAwait(false);
        output.WriteLine($"  two NAV updates of BND endorsed on the same state: {outcomes[0].Result} (block {outcomes[0].BlockNumber}) and {outcomes[1].Result} (block {outcomes[1].BlockNumber}) — only one can win");

        await Task.Delay(300, cancellationToken).ConfigureAwait(false); // let the last block's events arrive
        await stopEvents.CancelAsync().ConfigureAwait(false);
        try
        {
            await listening.ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or GatewayException)
        {
        }

        output.WriteLine();
        output.WriteLine("  chaincode events received by the transfer agent:");
        lock (events)
        {
            foreach (var line in events)
            {
                output.WriteLine($"    {line}");
            }
        }
    }

    /// <summary>Submits, waits for the commit, reports it, and returns the transaction id.</summary>
    private static async Task<string> SubmitAsync(TextWriter output, Contract contract, string what, string function, params string[] args)
    {
        var (result, commit) = await contract.SubmitAsyncReturningCommit(function, args, null).ConfigureAwait(false);
        var status = await commit.ConfigureAwait(false);
        output.WriteLine($"  {what}: {status.Result} in block {status.BlockNumber} -> {Encoding.UTF8.GetString(result)}");
        return status.TransactionId;
    }

}
