using System.Text.Json;
using FnzChain.Node.Audit;
using FnzChain.Node.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace FnzChain.Node.Operations;

/// <summary>
/// The node's HTTP operations endpoint, on its own listener (<see cref="NodeOptions.OperationsAddress"/>, HTTP/1.1
/// and HTTP/2, over TLS when <c>tls.operations</c> is set): <c>GET /healthz</c> — 200 with each channel's height when every channel is healthy,
/// 503 naming each failed check otherwise — and <c>GET /metrics</c> in the Prometheus text format. Nothing else is
/// served there, and these paths are not served on the gRPC listener.
/// </summary>
public static class OperationsEndpoint
{
    private static readonly JsonSerializerOptions s_json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, WriteIndented = false };

    /// <summary>Serves the operations paths for requests that arrive on <paramref name="port"/>() (the listener's bound port).</summary>
    public static void Use<TChannel>(WebApplication app, Func<int> port, ChannelRegistry<TChannel> channels, AuditTrail audit, PrometheusExporter metrics)
        where TChannel : class, INodeChannel
    {
        ArgumentNullException.ThrowIfNull(app);
        app.Use(async (context, next) =>
        {
            if (context.Connection.LocalPort != port())
            {
                await next(context).ConfigureAwait(false);
                return;
            }

            var response = context.Response;
            if (!HttpMethods.IsGet(context.Request.Method))
            {
                response.StatusCode = StatusCodes.Status405MethodNotAllowed;
                return;
            }

            switch (context.Request.Path.Value)
            {
                case "/healthz":
                    var report = Health(channels.All, audit);
                    response.StatusCode = report.Status == "OK" ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
                    response.ContentType = "application/json";
                    await response.WriteAsync(JsonSerializer.Serialize(report, s_json), context.RequestAborted).ConfigureAwait(false);
                    break;
                case "/metrics":
                    response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
                    await response.WriteAsync(metrics.Render(), context.RequestAborted).ConfigureAwait(false);
                    break;
                default:
                    response.StatusCode = StatusCodes.Status404NotFound;
                    await response.WriteAsync("the operations endpoint serves /healthz and /metrics\n", context.RequestAborted).ConfigureAwait(false);
                    break;
            }
        });
    }

    /// <summary>
    /// The health report: OK with every channel's height, or unavailable with the failed checks — a channel's, or the
    /// audit trail's when it cannot be written (the node then refuses every request).
    /// </summary>
    public static HealthReport Health(IReadOnlyList<INodeChannel> channels, AuditTrail audit)
    {
        ArgumentNullException.ThrowIfNull(channels);
        ArgumentNullException.ThrowIfNull(audit);
        var all = channels;
        var failed = all.Where(c => c.HealthProblem is not null).Select(c => $"channel {c.ChannelId}: {c.HealthProblem}").ToList();
        if (audit.Fault is not null)
        {
            failed.Add($"audit: {audit.RefusalReason}");
        }

        return new HealthReport(
            failed.Count == 0 ? "OK" : "unavailable",
            all.Select(c => new ChannelHealth(c.ChannelId, c.Height)).ToList(),
            failed);
    }
}

/// <summary>What <c>/healthz</c> returns.</summary>
public sealed record HealthReport(string Status, IReadOnlyList<ChannelHealth> Channels, IReadOnlyList<string> FailedChecks);

public sealed record ChannelHealth(string Channel, ulong Height);
