using System.Diagnostics.Metrics;

namespace FnzChain.Peer;

/// <summary>The peer's instruments (meter <c>FnzChain.Peer</c>): on <c>/metrics</c> and to <c>dotnet-counters</c>.</summary>
internal static class PeerMetrics
{
    private static readonly Meter s_meter = new("FnzChain.Peer");

    public static readonly Counter<long> Proposals = s_meter.CreateCounter<long>(
        "fnzchain.peer.proposals", description: "Proposals the endorser answered, by outcome (endorsed or not_endorsed)");

    public static readonly Counter<long> Blocks = s_meter.CreateCounter<long>(
        "fnzchain.peer.committed_blocks", description: "Blocks committed, by channel");

    public static readonly Counter<long> Transactions = s_meter.CreateCounter<long>(
        "fnzchain.peer.committed_transactions", description: "Transactions committed, by channel and validation code");

    public static readonly Histogram<double> BlockCommitSeconds = s_meter.CreateHistogram<double>(
        "fnzchain.peer.block_commit_seconds", unit: "s", description: "Time to validate and commit one block");
}
