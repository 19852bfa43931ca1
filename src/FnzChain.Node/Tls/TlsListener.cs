using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace FnzChain.Node.Tls;

/// <summary>The server side of a node's TLS: Kestrel's HTTPS options from <see cref="NodeTls"/>, and the start line that says how each listener is secured.</summary>
public static class TlsListener
{
    /// <summary>
    /// TLS 1.2 or 1.3 with the node's certificate (and chain); with <paramref name="clientAuthRequired"/>, a client
    /// certificate chaining to a client root CA is required in the handshake. The certificate is checked per connection
    /// (<see cref="HttpsConnectionAdapterOptions.OnAuthenticate"/>) so that a refusal lands on the connection's
    /// <see cref="HandshakeAttempt"/>, for <see cref="HandshakeGuard"/> to count against its address.
    /// </summary>
    public static HttpsConnectionAdapterOptions Options(NodeTls tls, bool clientAuthRequired)
    {
        ArgumentNullException.ThrowIfNull(tls);
        var certificate = tls.Certificate ?? throw new InvalidOperationException("TLS is not enabled");
        return new HttpsConnectionAdapterOptions
        {
            ServerCertificate = certificate.Certificate,
            ServerCertificateChain = certificate.Chain.Count > 0 ? [.. certificate.Chain] : null,
            SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            CheckCertificateRevocation = false,
            HandshakeTimeout = TimeSpan.FromSeconds(10),
            // Kestrel's own client-certificate callback has no connection; ours, set per connection below, does.
            ClientCertificateMode = ClientCertificateMode.NoCertificate,
            OnAuthenticate = clientAuthRequired ? (connection, ssl) => RequireClientCertificate(tls, connection.Features.Get<HandshakeAttempt>(), ssl) : null,
        };
    }

    private static void RequireClientCertificate(NodeTls tls, HandshakeAttempt? attempt, SslServerAuthenticationOptions ssl)
    {
        ssl.ClientCertificateRequired = true;
        ssl.RemoteCertificateValidationCallback = (_, sent, chain, _) =>
        {
            if (sent is null)
            {
                attempt?.Refused("sent no certificate (mutual TLS requires one)", null);
                return false;
            }

            var client = sent as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(sent.GetRawCertData());
            if (tls.ClientCertificateProblem(client, chain?.ChainElements.Select(e => e.Certificate)) is { } problem)
            {
                attempt?.Refused(problem, client.Subject);
                return false;
            }

            return true;
        };
    }

    /// <summary>One line: how the gRPC listener (and the operations listener, when there is one) is secured.</summary>
    public static string Describe(NodeTls tls, string grpcAddress, string? operationsAddress)
    {
        ArgumentNullException.ThrowIfNull(tls);
        if (!tls.Enabled)
        {
            return $"TLS is OFF: gRPC on {grpcAddress}{(operationsAddress is null ? string.Empty : $" and operations on {operationsAddress}")} are plaintext (tls.enabled is false; insecure, for local development only)";
        }

        var certificate = tls.Certificate!.Certificate;
        var grpc = $"TLS on {grpcAddress} (TLS 1.2/1.3, certificate '{certificate.Subject}' until {certificate.NotAfter.ToUniversalTime():yyyy-MM-dd}, {(tls.ClientAuthRequired ? "mutual TLS: client certificates required" : "client certificates not required")})";
        return operationsAddress is null ? grpc
            : tls.Operations ? $"{grpc}; operations on {operationsAddress} over TLS"
            : $"{grpc}; operations on {operationsAddress} plaintext HTTP (tls.operations is false)";
    }

    /// <summary>SHA-256 of the client certificate of a connection, or null without one.</summary>
    public static byte[]? CertificateHash(X509Certificate2? clientCertificate) =>
        clientCertificate is null ? null : Crypto.Tls.TlsCertificateFiles.Hash(clientCertificate);
}
