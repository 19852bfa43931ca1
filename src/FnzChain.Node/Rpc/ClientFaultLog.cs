using System.Collections.Concurrent;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace FnzChain.Node.Rpc;

/// <summary>
/// Logs requests refused for the client's own fault (undecodable, unsigned, not allowed …) as one line each, without
/// a stack trace, and at most <see cref="LinesPerWindow"/> lines per origin address per <see cref="Window"/>: a client
/// sending garbage in a loop cannot flood the log. What was held back is counted in one line when the origin's next
/// window opens.
/// </summary>
public sealed partial class ClientFaultLog(ILogger<ClientFaultLog> logger, TimeProvider time)
{
    public const int LinesPerWindow = 5;

    /// <summary>Origins remembered at most; beyond it the table starts afresh (an attacker with many addresses gets a few lines each).</summary>
    public const int MaxOrigins = 10_000;

    private readonly ConcurrentDictionary<string, Budget> _origins = new(StringComparer.Ordinal);

    public static TimeSpan Window => TimeSpan.FromSeconds(10);

    /// <summary>Lines held back since the node started (also a metric).</summary>
    public long Suppressed => Interlocked.Read(ref _suppressed);

    private long _suppressed;

    /// <summary>Logs that <paramref name="method"/> from <paramref name="peer"/> (gRPC's <c>ipv4:host:port</c>) was refused, unless the origin is over its budget.</summary>
    public void Refused(string method, string peer, StatusCode code, string reason) => Refused(method, peer, code.ToString(), reason);

    /// <summary>As <see cref="Refused(string, string, StatusCode, string)"/>, for refusals answered in the protocol (a Deliver or Broadcast status, a proposal response) rather than as a gRPC status.</summary>
    public void Refused(string method, string peer, string code, string reason)
    {
        var origin = OriginOf(peer);
        if (_origins.Count >= MaxOrigins && !_origins.ContainsKey(origin))
        {
            _origins.Clear();
        }

        var budget = _origins.GetOrAdd(origin, _ => new Budget());
        var now = time.GetUtcNow();
        int held;
        lock (budget)
        {
            if (now - budget.WindowStart >= Window)
            {
                held = budget.Held;
                budget.WindowStart = now;
                budget.Lines = 0;
                budget.Held = 0;
            }
            else
            {
                held = 0;
            }

            if (budget.Lines >= LinesPerWindow)
            {
                budget.Held++;
                Interlocked.Increment(ref _suppressed);
                RpcMetrics.LogLinesSuppressed.Add(1);
                return;
            }

            budget.Lines++;
        }

        if (held > 0)
        {
            LogHeldBack(logger, held, origin, Window.TotalSeconds);
        }

        LogRefused(logger, method, peer, code, reason);
    }

    /// <summary>The address part of gRPC's peer string (<c>ipv4:127.0.0.1:5000</c> → <c>127.0.0.1</c>, <c>ipv6:[::1]:5000</c> → <c>[::1]</c>).</summary>
    public static string OriginOf(string peer)
    {
        ArgumentNullException.ThrowIfNull(peer);
        if (!peer.StartsWith("ipv4:", StringComparison.Ordinal) && !peer.StartsWith("ipv6:", StringComparison.Ordinal))
        {
            return peer; // e.g. unix:/path: no port to drop
        }

        var address = peer["ipv4:".Length..];
        var port = address.LastIndexOf(':');
        return port <= 0 || (address[0] == '[' && address[port - 1] != ']') ? address : address[..port];
    }

    private sealed class Budget
    {
        public DateTimeOffset WindowStart = DateTimeOffset.MinValue;
        public int Lines;
        public int Held;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Method} from {Peer} refused: {Code} {Reason}")]
    private static partial void LogRefused(ILogger logger, string method, string peer, string code, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Count} more refused requests from {Origin} in the last {Seconds} s were not logged")]
    private static partial void LogHeldBack(ILogger logger, int count, string origin, double seconds);
}
