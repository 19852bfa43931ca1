using System.Diagnostics.Metrics;

namespace FnzChain.Orderer;

/// <summary>The orderer's instruments (meter <c>FnzChain.Orderer</c>): on <c>/metrics</c> and to <c>dotnet-counters</c>.</summary>
internal static class OrdererMetrics
{
    private static readonly Meter s_meter = new("FnzChain.Orderer");

    public static readonly Counter<long> Broadcasts = s_meter.CreateCounter<long>(
        "fnzchain.orderer.broadcasts", description: "Envelopes received by Broadcast, by status (SUCCESS or the rejection)");

    public static readonly Counter<long> Blocks = s_meter.CreateCounter<long>(
        "fnzchain.orderer.blocks", description: "Blocks cut and written, by channel");

    public static readonly Counter<long> Transactions = s_meter.CreateCounter<long>(
        "fnzchain.orderer.transactions", description: "Envelopes written into blocks, by channel");
}
