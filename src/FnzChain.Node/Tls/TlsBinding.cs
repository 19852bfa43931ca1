using FnzChain.Protos.Common;
using Grpc.Core;

namespace FnzChain.Node.Tls;

/// <summary>
/// Fabric's <c>tls_cert_hash</c> binding: under mutual TLS a Deliver request's channel header must carry the SHA-256
/// of the client TLS certificate of the connection it arrives on.
/// </summary>
public static class TlsBinding
{
    /// <summary>The hash a request on this call must carry, or null when the node does not require mutual TLS (no check, as Fabric).</summary>
    public static byte[]? RequiredHash(NodeTls tls, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(tls);
        ArgumentNullException.ThrowIfNull(context);
        if (!tls.ClientAuthRequired)
        {
            return null;
        }

        // Kestrel completed the handshake with a verified client certificate; an empty hash matches nothing.
        return TlsListener.CertificateHash(context.GetHttpContext().Connection.ClientCertificate) ?? [];
    }

    /// <summary>Why <paramref name="header"/> does not bind to the connection's certificate hash <paramref name="expected"/>, or null.</summary>
    public static string? Problem(ChannelHeader header, byte[] expected)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(expected);
        if (header.TlsCertHash.IsEmpty)
        {
            return "the request's channel header has no tls_cert_hash; with mutual TLS it must carry the SHA-256 of the client's TLS certificate";
        }

        return header.TlsCertHash.Span.SequenceEqual(expected)
            ? null
            : $"the request's tls_cert_hash {Convert.ToHexStringLower(header.TlsCertHash.Span)} is not the SHA-256 of this connection's client TLS certificate ({Convert.ToHexStringLower(expected)})";
    }
}
