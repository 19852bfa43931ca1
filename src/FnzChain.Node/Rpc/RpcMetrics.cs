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

    /// <summary>Failed authentications of requests (bad signature, unknown MSP, revoked, expired, untrusted …), by kind and scope.</summary>
    public static readonly Counter<long> AuthenticationFailures = Meter.CreateCounter<long>("fnzchain_auth_failures", description: "Failed authentications of requests, by kind and scope (address, identity)");

    /// <summary>Lock-outs started by the authentication throttle, by scope.</summary>
    public static readonly Counter<long> AuthenticationLockouts = Meter.CreateCounter<long>("fnzchain_auth_lockouts", description: "Lock-outs started by the authentication throttle, by scope");

    /// <summary>Requests refused because their address or identity was locked out.</summary>
    public static readonly Counter<long> AuthenticationThrottled = Meter.CreateCounter<long>("fnzchain_auth_throttled_requests", description: "Requests refused because their address or identity was locked out, by scope");

    /// <summary>Failures not tracked because the throttle's table was full.</summary>
    public static readonly Counter<long> AuthenticationUntracked = Meter.CreateCounter<long>("fnzchain_auth_untracked_failures", description: "Failed authentications not tracked because the throttle's table was full");

    /// <summary>Audit records written.</summary>
    public static readonly Counter<long> AuditRecords = Meter.CreateCounter<long>("fnzchain_audit_records", description: "Audit records written");

    /// <summary>Requests refused because the audit queue had no room.</summary>
    public static readonly Counter<long> AuditRefused = Meter.CreateCounter<long>("fnzchain_audit_refused_requests", description: "Requests refused because the audit trail had no room for their record");
}
