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
    public async Task Submissions_take_the_orderers_in_turn_and_try_one_that_just_failed_last()
    {
        using var connections = new Connections(FnzChain.Node.Tls.NodeTls.Off);
        await using var streams = new BroadcastStreams(connections);
        string[] orderers = ["o1:7050", "o2:7050", "o3:7050"];

        var firsts = Enumerable.Range(0, 6).Select(_ => streams.Order(orderers)[0]).ToList();
        streams.Failed("o2:7050");
        var afterFailure = Enumerable.Range(0, 6).Select(_ => streams.Order(orderers)).ToList();
        streams.Succeeded("o2:7050");
        var afterRecovery = Enumerable.Range(0, 3).Select(_ => streams.Order(orderers)[0]).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(firsts.Distinct(), Is.EquivalentTo(orderers), "every orderer gets its turn first");
            Assert.That(afterFailure.Select(o => o[^1]), Has.All.EqualTo("o2:7050"), "the failed orderer is tried last");
            Assert.That(afterFailure, Has.All.Count.EqualTo(3), "but still tried");
            Assert.That(afterFailure.Select(o => o[0]).Distinct(), Is.EquivalentTo(new[] { "o1:7050", "o3:7050" }), "the others still share the load");
            Assert.That(afterRecovery.Distinct(), Is.EquivalentTo(orderers), "back in turn once it accepted again");
        });
    }

    [Test]
    public async Task Concurrent_sends_to_an_unreachable_orderer_all_fail_unavailable_naming_it()
    {
        var address = Unused();
        using var connections = new Connections(FnzChain.Node.Tls.NodeTls.Off);
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
        using var connections = new Connections(FnzChain.Node.Tls.NodeTls.Off);
        var streams = new BroadcastStreams(connections);
        Assert.ThrowsAsync<RpcException>(() => streams.SendAsync(address, new Envelope(), CancellationToken.None));
        await streams.DisposeAsync();

        var failure = Assert.ThrowsAsync<RpcException>(() => streams.SendAsync(address, new Envelope(), CancellationToken.None));

        Assert.That(failure!.StatusCode, Is.EqualTo(StatusCode.Unavailable));
        Assert.That(failure.Status.Detail, Is.EqualTo($"orderer {address}: the peer is shutting down"));
    }
}
