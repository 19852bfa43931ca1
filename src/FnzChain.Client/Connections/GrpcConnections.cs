using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Grpc.Net.Client;

namespace FnzChain.Client.Connections;

/// <summary>
/// The one place outbound gRPC channels are made — by applications, operator commands, and nodes calling other nodes
/// (peer → orderer, peer → peer, gateway → endorser): TLS 1.2 or 1.3 with the server's certificate checked against
/// <see cref="ClientTls.Trust"/> only (never the machine's CA store) and its name against the address, the client's
/// TLS certificate presented when it has one; plaintext only for <see cref="ClientTls.Plaintext"/>. Limits on message
/// sizes are the caller's.
/// </summary>
public sealed class GrpcConnections(ClientTls tls)
{
    /// <summary>The TLS settings every channel made here uses.</summary>
    public ClientTls Tls { get; } = tls ?? throw new ArgumentNullException(nameof(tls));

    /// <summary>A channel to <paramref name="address"/> (host:port). A server whose certificate is not trusted fails the call with UNAVAILABLE naming the reason.</summary>
    public GrpcChannel Open(string address, int? maxReceiveMessageBytes = 64 * 1024 * 1024, int? maxSendMessageBytes = 64 * 1024 * 1024) =>
        Open(address, Tls, maxReceiveMessageBytes, maxSendMessageBytes);

    /// <summary>
    /// A channel to <paramref name="address"/> with <paramref name="tls"/>; with <paramref name="localAddress"/>, its
    /// connections leave from that local address (a multi-homed host choosing its interface; tests posing as two origins).
    /// </summary>
    /// <example>
    /// <code>
    /// using var channel = GrpcConnections.Open("127.0.0.1:7050", tls, localAddress: IPAddress.Parse("127.0.0.2"));
    /// </code>
    /// </example>
    public static GrpcChannel Open(string address, ClientTls tls, int? maxReceiveMessageBytes = 64 * 1024 * 1024, int? maxSendMessageBytes = 64 * 1024 * 1024, IPAddress? localAddress = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(address);
        ArgumentNullException.ThrowIfNull(tls);
        var handler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = true,
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            ConnectTimeout = TimeSpan.FromSeconds(10),
        };
        if (localAddress is not null)
        {
            handler.ConnectCallback = (context, cancellationToken) => ConnectFromAsync(localAddress, context.DnsEndPoint, cancellationToken);
        }

        if (!tls.Insecure)
        {
            handler.SslOptions = ClientAuthentication(address, tls);
        }

        return GrpcChannel.ForAddress($"{tls.Scheme}://{address}", new GrpcChannelOptions
        {
            HttpHandler = handler,
            DisposeHttpClient = true,
            MaxReceiveMessageSize = maxReceiveMessageBytes,
            MaxSendMessageSize = maxSendMessageBytes,
        });
    }

    /// <summary>The client side of a TLS handshake with <paramref name="address"/> under <paramref name="tls"/> (also for HttpClient and raw SslStream users).</summary>
    public static SslClientAuthenticationOptions ClientAuthentication(string address, ClientTls tls)
    {
        ArgumentNullException.ThrowIfNull(tls);
        var trust = tls.Trust ?? throw new InvalidOperationException("plaintext settings have no TLS handshake");
        return new SslClientAuthenticationOptions
        {
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            ClientCertificates = tls.ClientCertificate is { } client ? [client.Certificate, .. client.Chain] : null,
            LocalCertificateSelectionCallback = tls.ClientCertificate is { } own ? (_, _, _, _, _) => own.Certificate : null,
            RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
            {
                if (certificate is null)
                {
                    throw new AuthenticationException($"TLS server {address} sent no certificate");
                }

                var server = certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
                if (trust.ServerProblem(server, chain?.ChainElements.Select(e => e.Certificate)) is { } problem)
                {
                    throw new AuthenticationException($"TLS server {address}: {problem}");
                }

                if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
                {
                    throw new AuthenticationException($"TLS server {address}: certificate '{server.Subject}' is not issued for host {HostOf(address)} (subject alternative names: {server.GetNameInfo(X509NameType.DnsName, forIssuer: false)}…)");
                }

                return true;
            },
        };
    }

    private static async ValueTask<Stream> ConnectFromAsync(IPAddress localAddress, DnsEndPoint remote, CancellationToken cancellationToken)
    {
        var socket = new Socket(localAddress.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            socket.Bind(new IPEndPoint(localAddress, 0));
            await socket.ConnectAsync(remote, cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static string HostOf(string address) => address.LastIndexOf(':') is var colon and > 0 ? address[..colon].Trim('[', ']') : address;
}
