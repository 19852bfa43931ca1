using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using FnzChain.Protos.Peer;

namespace FnzChain.IntegrationTests.Peer;

/// <summary>The nodes' HTTP operations endpoint: /healthz and Prometheus /metrics, on their own listener.</summary>
[Category("Integration")]
public sealed partial class OperationsTests : FundsNetworkFixture
{
    private static readonly HttpClient s_http = new() { Timeout = TimeSpan.FromSeconds(10) };

    [GeneratedRegex(@"(peer|orderer) operations on (\S+)")]
    private static partial Regex OperationsLine();

    private static string OperationsOf(NodeProcess node) =>
        "http://" + (OperationsLine().Match(node.Output) is { Success: true } match ? match.Groups[2].Value : throw new AssertionException($"no operations line in:\n{node.Output}"));

    [Test]
    public async Task Metrics_count_what_the_nodes_did_and_health_reports_each_channel()
    {
        var proposed = Client.Propose("funds", "CreateFund", "F1", "Metrics Fund", "1", "EUR");
        var responses = await Task.WhenAll(TestClient.EndorseAsync(Peer1, proposed), TestClient.EndorseAsync(Peer2, proposed));
        await TestClient.SubmitAsync(Orderer, Client.Assemble(proposed, responses));
        await Client.WaitForCommitAsync(Peer1, proposed.TxId);

        // Metrics are recorded just after a block becomes visible to Deliver: read until the commit shows.
        var peerMetrics = await s_http.GetStringAsync($"{OperationsOf(Peer1)}/metrics");
        for (var attempt = 0; attempt < 50 && !peerMetrics.Contains("code=\"Valid\"} 2", StringComparison.Ordinal); attempt++)
        {
            await Task.Delay(100);
            peerMetrics = await s_http.GetStringAsync($"{OperationsOf(Peer1)}/metrics");
        }

        var ordererMetrics = await s_http.GetStringAsync($"{OperationsOf(Orderer)}/metrics");
        using var health = JsonDocument.Parse(await s_http.GetStringAsync($"{OperationsOf(Peer1)}/healthz"));

        Assert.Multiple(() =>
        {
            Assert.That(peerMetrics, Does.Contain("# TYPE fnzchain_peer_committed_transactions_total counter"));
            // The chaincode definition (block 1) and F1: two valid transactions, two endorsements by this peer.
            Assert.That(peerMetrics, Does.Contain("fnzchain_peer_committed_transactions_total{channel=\"funds\",code=\"Valid\"} 2\n"));
            Assert.That(peerMetrics, Does.Contain("fnzchain_peer_proposals_total{outcome=\"endorsed\"} 2\n"));
            Assert.That(peerMetrics, Does.Match(@"fnzchain_peer_block_commit_seconds_count\{channel=""funds""\} \d+"));
            Assert.That(ordererMetrics, Does.Match(@"fnzchain_orderer_broadcasts_total\{status=""Success""\} [1-9]"));
            Assert.That(ordererMetrics, Does.Match(@"fnzchain_orderer_transactions_total\{channel=""funds""\} [1-9]"));
            Assert.That(health.RootElement.GetProperty("status").GetString(), Is.EqualTo("OK"));
            Assert.That(health.RootElement.GetProperty("channels")[0].GetProperty("channel").GetString(), Is.EqualTo(TestNetwork.Channel));
            Assert.That(health.RootElement.GetProperty("channels")[0].GetProperty("height").GetUInt64(), Is.GreaterThanOrEqualTo(3UL));
        });
    }

    [Test]
    public async Task Operations_paths_are_served_only_on_the_operations_listener()
    {
        // The gRPC port speaks TLS (as the network does): ask it over the same TLS a client uses.
        using var handler = new SocketsHttpHandler { SslOptions = FnzChain.Client.Connections.GrpcConnections.ClientAuthentication(Peer1.Address, Peer1.ClientTls) };
        using var http2 = new HttpClient(handler) { DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
        var onGrpcPort = await http2.GetAsync($"https://{Peer1.Address}/healthz");
        var unknown = await s_http.GetAsync($"{OperationsOf(Peer1)}/admin");

        Assert.That(onGrpcPort.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(unknown.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task A_peer_that_cannot_reach_any_orderer_reports_unhealthy_and_names_the_channel()
    {
        await Orderer.StopAsync();
        var url = $"{OperationsOf(Peer1)}/healthz";

        HttpResponseMessage response;
        var deadline = DateTime.UtcNow.AddSeconds(40);
        do
        {
            await Task.Delay(250);
            response = await s_http.GetAsync(url);
        }
        while (response.StatusCode == HttpStatusCode.OK && DateTime.UtcNow < deadline);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        using var health = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.That(health.RootElement.GetProperty("failedChecks")[0].GetString(), Does.StartWith($"channel {TestNetwork.Channel}: no blocks from any orderer since"));
    }
}
