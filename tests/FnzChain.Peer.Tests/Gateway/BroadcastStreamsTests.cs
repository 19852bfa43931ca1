using FnzChain.Peer.Gateway;
using FnzChain.Protos.Common;
using Grpc.Core;

namespace FnzChain.Peer.Tests.Gateway;

/// <summary>The broadcast stream pool against a real loopback port where no orderer listens (real gRPC, refused connections).</summary>
public sealed class BroadcastStreamsTests
{
    private static string Unused()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return $"127.0.0.1:{((System.Net.IPEndPoint)listener.LocalEndpoint).Port}";
    }

    [Test]
    public async Task Concurrent_sends_to_an_unreachable_orderer_all_fail_unavailable_naming_it()
    {
        var address = Unused();
        using var connections = new Connections();
        await using var streams = new BroadcastStreams(connections);

        var sends = Enumerable.Range(0, 64).Select(async _ =>
        {
            try
            {
                await streams.SendAsync(address, new Envelope(), CancellationToken.None);
                return null;
            }
            catch (RpcException e)
            {
                return e;
            }
        });
        var failures = await Task.WhenAll(sends);

        Assert.That(failures.Select(f => f?.StatusCode), Has.All.EqualTo(StatusCode.Unavailable));
        Assert.That(failures.Select(f => f!.Status.Detail), Has.All.StartWith($"orderer {address}: "));
    }

    [Test]
    public async Task A_send_after_the_pool_is_disposed_fails_unavailable_not_object_disposed()
    {
        var address = Unused();
        using var connections = new Connections();
        var streams = new BroadcastStreams(connections);
        Assert.ThrowsAsync<RpcException>(() => streams.SendAsync(address, new Envelope(), CancellationToken.None));
        await streams.DisposeAsync();

        var failure = Assert.ThrowsAsync<RpcException>(() => streams.SendAsync(address, new Envelope(), CancellationToken.None));

        Assert.That(failure!.StatusCode, Is.EqualTo(StatusCode.Unavailable));
        Assert.That(failure.Status.Detail, Is.EqualTo($"orderer {address}: the peer is shutting down"));
    }
}
