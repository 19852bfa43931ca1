using System.Net;
using FnzChain.Node.Audit;
using FnzChain.Node.Rpc;
using FnzChain.Node.Security;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace FnzChain.Node.Tls;

/// <summary>
/// Connection middleware around the TLS handshake of the gRPC listener. A connection from an origin address the
/// <see cref="AuthenticationThrottle"/> has locked out is closed before its handshake starts. A connection whose
/// handshake does not complete — client certificate refused or missing under mutual TLS, a plaintext or TLS &lt; 1.2
/// client, a client that closes or times out mid-handshake, or one that does not choose HTTP/2 by ALPN — is one failed authentication from its address
/// (<see cref="RequestAuditor.TlsHandshakeFailedAsync"/>: counted, audited) and one line of the
/// <see cref="HandshakeRefusalLog"/> budget.
/// </summary>
public sealed class HandshakeGuard(RequestAuditor auditor, HandshakeRefusalLog refusals)
{
    /// <summary>Secures <paramref name="listen"/> with <paramref name="https"/>, this guard around its handshake.</summary>
    public void Install(ListenOptions listen, HttpsConnectionAdapterOptions https)
    {
        ArgumentNullException.ThrowIfNull(listen);
        listen.Use(next => context => OnConnectionAsync(context, next));
        listen.UseHttps(https);
        listen.Use(next => context =>
        {
            // Runs only once the handshake has completed.
            if (context.Features.Get<HandshakeAttempt>() is not { } attempt)
            {
                return next(context);
            }

            // gRPC needs HTTP/2, which over TLS is chosen by ALPN. Closed here, a client without it is one budgeted line
            // and one failure of its address, instead of Kestrel's error-level line for each such connection.
            if (context.Features.Get<ITlsApplicationProtocolFeature>() is not { } alpn || !alpn.ApplicationProtocol.Span.SequenceEqual("h2"u8))
            {
                attempt.Refused("did not negotiate HTTP/2 by ALPN (h2), which gRPC over TLS needs", null);
                return Task.CompletedTask;
            }

            attempt.Completed = true;
            return next(context);
        });
    }

    private async Task OnConnectionAsync(ConnectionContext context, ConnectionDelegate next)
    {
        if (context.RemoteEndPoint is not IPEndPoint remote)
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        var origin = RequestAuditor.OriginOf(remote.Address);
        if (auditor.Throttle.RetryAfter(ThrottleScope.Address, origin) is not null)
        {
            // Locked out: closed before the handshake (the lock-out itself was logged once, by the throttle).
            RpcMetrics.AuthenticationThrottled.Add(1, new KeyValuePair<string, object?>("scope", "address"));
            return;
        }

        var attempt = new HandshakeAttempt();
        context.Features.Set(attempt);
        var started = auditor.Time.GetUtcNow();
        var timestamp = auditor.Time.GetTimestamp();
        await next(context).ConfigureAwait(false);
        if (!attempt.Completed)
        {
            var reason = attempt.Refusal ?? "did not complete the TLS handshake (not TLS, TLS < 1.2, no shared cipher or ALPN h2, or closed or timed out before finishing)";
            refusals.Refused($"{reason} (from {origin}:{remote.Port})");
            await auditor.TlsHandshakeFailedAsync(origin, remote.Port, reason, attempt.ClientSubject, started, auditor.Time.GetElapsedTime(timestamp)).ConfigureAwait(false);
        }
    }
}

/// <summary>One connection's TLS handshake as <see cref="HandshakeGuard"/> follows it (a connection feature).</summary>
public sealed class HandshakeAttempt
{
    /// <summary>The handshake completed: the connection carries HTTP/2.</summary>
    public bool Completed { get; set; }

    /// <summary>Why the client's certificate was refused, when it was.</summary>
    public string? Refusal { get; private set; }

    /// <summary>Subject of the refused client certificate, when one was sent.</summary>
    public string? ClientSubject { get; private set; }

    public void Refused(string reason, string? clientSubject)
    {
        Refusal = reason;
        ClientSubject = clientSubject;
    }
}
