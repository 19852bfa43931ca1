using FnzChain.Chaincode;
using FnzChain.Identity.Channels;
using FnzChain.Ledger.Simulation;
using FnzChain.Ledger.State;
using FnzChain.Protos.Lifecycle;
using Google.Protobuf;

namespace FnzChain.Peer.Chaincode;

/// <summary>
/// The peers' built-in <c>_lifecycle</c> contract (Fabric v2's lifecycle system chaincode, in FnzChain's form):
/// <c>CommitChaincodeDefinition(DefinitionApprovals)</c> checks the definition against the committed one and the
/// admins' approvals it carries (<see cref="ChaincodeLifecycle.Check"/>) and writes it to <c>namespaces/&lt;name&gt;</c>;
/// <c>QueryChaincodeDefinition(name)</c> and <c>QueryChaincodeDefinitions()</c> read them. Reads go through the
/// simulator, so the committed definition a commit builds on is in its read set and MVCC refuses a stale one.
/// </summary>
public static class LifecycleContract
{
    private const string RangeEnd = "namespaces0"; // '/' + 1: every key under namespaces/

    public static async Task<ChaincodeResponse> InvokeAsync(ChannelBundle bundle, TransactionSimulator simulator, IReadOnlyList<byte[]> args, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        ArgumentNullException.ThrowIfNull(simulator);
        ArgumentNullException.ThrowIfNull(args);
        var function = args.Count > 0 ? System.Text.Encoding.UTF8.GetString(args[0]) : string.Empty;
        switch (function)
        {
            case ChaincodeLifecycle.CommitFunction when args.Count == 2:
                return await CommitAsync(bundle, simulator, args[1], cancellationToken).ConfigureAwait(false);
            case ChaincodeLifecycle.QueryFunction when args.Count == 2:
                var name = System.Text.Encoding.UTF8.GetString(args[1]);
                return await ReadAsync(simulator, name, cancellationToken).ConfigureAwait(false) is { } definition
                    ? ChaincodeResponse.Success(definition.ToByteArray())
                    : ChaincodeResponse.Error(404, $"chaincode {name} is not defined on channel {bundle.ChannelId}");
            case ChaincodeLifecycle.QueryAllFunction when args.Count == 1:
                var all = new ChaincodeDefinitions();
                await foreach (var entry in simulator.GetStateRangeAsync(ChaincodeLifecycle.Namespace, ChaincodeLifecycle.DefinitionKeyPrefix, RangeEnd, cancellationToken).ConfigureAwait(false))
                {
                    all.Chaincodes.Add(ChaincodeLifecycle.ParseDefinition(entry.Value.Value.Span, $"stored definition {entry.Key}"));
                }

                return ChaincodeResponse.Success(all.ToByteArray());
            default:
                return ChaincodeResponse.Error(400,
                    $"{ChaincodeLifecycle.Namespace} has no function \"{function}\" taking {Math.Max(0, args.Count - 1)} argument(s) "
                    + $"({ChaincodeLifecycle.CommitFunction}(approvals), {ChaincodeLifecycle.QueryFunction}(name), {ChaincodeLifecycle.QueryAllFunction}())");
        }
    }

    private static async Task<ChaincodeResponse> CommitAsync(ChannelBundle bundle, TransactionSimulator simulator, byte[] argument, CancellationToken cancellationToken)
    {
        DefinitionApprovals approvals;
        ChaincodeDefinition proposed;
        try
        {
            approvals = DefinitionApprovals.Parser.ParseFrom(argument);
            proposed = ChaincodeLifecycle.Read(approvals).Definition;
        }
        catch (Exception e) when (e is InvalidProtocolBufferException or FormatException)
        {
            return ChaincodeResponse.Error(400, $"{ChaincodeLifecycle.CommitFunction}: {e.Message}");
        }

        var committed = await ReadAsync(simulator, proposed.Name, cancellationToken).ConfigureAwait(false);
        var (definition, bytes, problem) = ChaincodeLifecycle.Check(bundle, approvals, name => name == proposed.Name ? committed : null);
        if (definition is null)
        {
            return ChaincodeResponse.Error(400, problem!);
        }

        simulator.PutState(ChaincodeLifecycle.Namespace, ChaincodeLifecycle.DefinitionKey(definition.Name), bytes!.Memory);
        return ChaincodeResponse.Success(bytes.ToByteArray());
    }

    private static async Task<ChaincodeDefinition?> ReadAsync(TransactionSimulator simulator, string name, CancellationToken cancellationToken) =>
        await simulator.GetStateAsync(ChaincodeLifecycle.Namespace, ChaincodeLifecycle.DefinitionKey(name), cancellationToken).ConfigureAwait(false) is { } stored
            ? ChaincodeLifecycle.ParseDefinition(stored.Value.Span, $"stored definition of {name}")
            : null;

    /// <summary>Every definition committed to <paramref name="state"/>, sorted by name (what a peer loads when it opens a channel).</summary>
    public static async Task<IReadOnlyList<ChaincodeDefinition>> LoadAsync(IStateReader state, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        var result = new List<ChaincodeDefinition>();
        string? bookmark = null;
        do
        {
            var page = await state.GetStateRangeAsync(ChaincodeLifecycle.Namespace, ChaincodeLifecycle.DefinitionKeyPrefix, RangeEnd, 1000, bookmark, cancellationToken).ConfigureAwait(false);
            result.AddRange(page.Results.Select(r => ChaincodeLifecycle.ParseDefinition(r.Value.Value.Span, $"stored definition {r.Key}")));
            bookmark = page.HasMore ? page.Bookmark : null;
        }
        while (bookmark is not null);

        return result;
    }
}
