using System.Diagnostics.Metrics;

namespace FnzChain.Node.Rpc;

/// <summary>Counters of refused and failed RPCs (meter <c>FnzChain.Rpc</c>, exported on <c>/metrics</c>).</summary>
internal static class RpcMetrics
{
    private static readonly Meter Meter = new("FnzChain.Rpc");

    /// <summary>RPCs that ended with an error status, by method and code.</summary>
    public static readonly Counter<long> Errors = Meter.CreateCounter<long>("fnzchain_rpc_errors", description: "RPCs that ended with an error status, by method and code");

    /// <summary>Log lines about refused requests held back by the per-origin budget.</summary>
    public static readonly Counter<long> LogLinesSuppressed = Meter.CreateCounter<long>("fnzchain_rpc_log_lines_suppressed", description: "Log lines about refused requests held back by the per-origin budget");

    /// <summary>Requests refused because too many large requests were in progress.</summary>
    public static readonly Counter<long> LargeRequestsRefused = Meter.CreateCounter<long>("fnzchain_rpc_large_requests_refused", description: "Requests refused because too many large requests were in progress");
}
