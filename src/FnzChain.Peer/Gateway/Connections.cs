using System.Collections.Concurrent;
using FnzChain.Client.Connections;
using FnzChain.Node.Tls;
using Grpc.Net.Client;

namespace FnzChain.Peer.Gateway;

/// <summary>
/// One gRPC channel per remote node address (other organisations' peers, orderers), reused across calls, made by
/// <see cref="GrpcConnections"/> with the peer's TLS settings (its certificate as client certificate; its root CAs and
/// its channels' organisations' TLS CAs as trust) as they are when the address is first used.
/// </summary>
public sealed class Connections(NodeTls tls) : IDisposable
{
    private readonly ConcurrentDictionary<string, GrpcChannel> _channels = new(StringComparer.Ordinal);

    public GrpcChannel To(string address) =>
        _channels.GetOrAdd(address, a => GrpcConnections.Open(a, tls.Outbound(), maxReceiveMessageBytes: 256 * 1024 * 1024, maxSendMessageBytes: 256 * 1024 * 1024));

    public void Dispose()
    {
        foreach (var channel in _channels.Values)
        {
            channel.Dispose();
        }

        _channels.Clear();
    }
}
