using System.Collections.Concurrent;
using Grpc.Net.Client;

namespace FnzChain.Peer.Gateway;

/// <summary>One gRPC channel per remote node address (other organisations' peers, orderers), reused across calls.</summary>
public sealed class Connections : IDisposable
{
    private readonly ConcurrentDictionary<string, GrpcChannel> _channels = new(StringComparer.Ordinal);

    public GrpcChannel To(string address) =>
        _channels.GetOrAdd(address, a => GrpcChannel.ForAddress($"http://{a}", new GrpcChannelOptions { MaxReceiveMessageSize = 256 * 1024 * 1024, MaxSendMessageSize = 256 * 1024 * 1024 }));

    public void Dispose()
    {
        foreach (var channel in _channels.Values)
        {
            channel.Dispose();
        }

        _channels.Clear();
    }
}
