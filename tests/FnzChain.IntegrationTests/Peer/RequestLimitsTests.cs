using System.Text.RegularExpressions;
using Grpc.Core;
using Grpc.Net.Client;

namespace FnzChain.IntegrationTests.Peer;

/// <summary>
/// What a peer does with requests no honest client sends: messages far over its receive limit, floods of large
/// ones, undecodable bytes, the same refused request in a loop. Sent as raw bytes, so nothing on the client side
/// shapes them.
/// </summary>
[Category("Integration")]
public sealed partial class RequestLimitsTests
{
    /// <summary>
    /// The peer's resident memory may grow by at most this much under the floods below: 4 large requests in progress
    /// (the node's default) of up to 11 MiB, each buffered and decoded, plus the runtime's slack.
    /// </summary>
    private const long MemoryBound = 300L * 1024 * 1024;

    private static readonly Method<byte[], byte[]> Evaluate = Raw("gateway.Gateway", "Evaluate");

    /// <summary>Chaincode installs are the requests that may legitimately be large (the node's maxMessageBytes, not a channel's AbsoluteMaxBytes).</summary>
    private static readonly Method<byte[], byte[]> Install = Raw("fnzchain.admin.NodeAdmin", "InstallChaincode");

    private static Method<byte[], byte[]> Raw(string service, string name) =>
        new(MethodType.Unary, service, name, Marshallers.Create(b => b, b => b), Marshallers.Create(b => b, b => b));

    private TestNetwork _network = null!;
    private NodeProcess _orderer = null!;
    private NodeProcess _peer = null!;

    [OneTimeSetUp]
    public async Task StartNetwork()
    {
        _network = await TestNetwork.CreateAsync();
        _orderer = await _network.StartOrdererAsync();
        await _network.JoinOrdererAsync(_orderer);
        _peer = await _network.StartPeerAsync("org1.example.com", "Org1MSP", _orderer);
        await _network.JoinPeerAsync(_peer, "org1.example.com", "Org1MSP");
    }

    [OneTimeTearDown]
    public async Task StopNetwork()
    {
        if (TestContext.CurrentContext.Result.Outcome.Status == NUnit.Framework.Interfaces.TestStatus.Failed)
        {
            TestContext.Out.WriteLine($"--- peer\n{_peer?.Output}");
        }

        await _network.DisposeAsync();
    }

    /// <summary>Sends <paramref name="body"/> as an Evaluate request over a connection of its own; the status it ends with.</summary>
    private Task<Status> SendAsync(byte[] body) => SendAsync(Evaluate, body);

    private async Task<Status> SendAsync(Method<byte[], byte[]> method, byte[] body)
    {
        using var channel = FnzChain.Client.Connections.GrpcConnections.Open(_peer.Address, _peer.ClientTls, maxSendMessageBytes: null);
        try
        {
            await channel.CreateCallInvoker().AsyncUnaryCall(method, null, new CallOptions(deadline: DateTime.UtcNow.AddSeconds(60)), body);
            return Status.DefaultSuccess;
        }
        catch (RpcException e)
        {
            return e.Status;
        }
    }

    /// <summary>A field-1 length-delimited prefix followed by filler: undecodable, of the given size.</summary>
    private static byte[] Garbage(int bytes)
    {
        var body = new byte[bytes];
        Array.Fill(body, (byte)7);
        body[0] = 0x0a;
        return body;
    }

    [Test]
    public async Task A_flood_of_90_MB_messages_is_refused_from_their_headers_and_memory_stays_bounded()
    {
        var before = _peer.ResidentBytes();
        var body = Garbage(90 * 1024 * 1024);

        var statuses = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => SendAsync(body)));

        var after = _peer.ResidentBytes();
        TestContext.Out.WriteLine($"peer RSS {before / 1048576} MiB before, {after / 1048576} MiB after 16 concurrent 90 MB requests");
        Assert.Multiple(() =>
        {
            // The server answers from the header; a client still sending 90 MB may see the stream reset before the answer.
            Assert.That(statuses.Select(s => s.StatusCode), Is.All.AnyOf(StatusCode.ResourceExhausted, StatusCode.Unavailable), string.Join("; ", statuses.Select(s => s.Detail).Distinct()));
            Assert.That(statuses.Select(s => s.StatusCode), Has.Some.EqualTo(StatusCode.ResourceExhausted));
            Assert.That(after - before, Is.LessThan(MemoryBound));
        });
        Assert.That((await SendAsync([])).Detail, Is.EqualTo("proposed_transaction is missing"), "the peer still answers");
    }

    [Test]
    public async Task Concurrent_large_messages_beyond_the_nodes_budget_are_refused_with_resource_exhausted()
    {
        var before = _peer.ResidentBytes();
        var body = Garbage(10 * 1024 * 1024);

        var statuses = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => SendAsync(Install, body)));

        var after = _peer.ResidentBytes();
        TestContext.Out.WriteLine($"peer RSS {before / 1048576} MiB before, {after / 1048576} MiB after 16 concurrent 10 MiB install requests: " +
            string.Join(", ", statuses.GroupBy(s => s.StatusCode).Select(g => $"{g.Count()} {g.Key}")));
        Assert.Multiple(() =>
        {
            Assert.That(statuses.Select(s => s.StatusCode), Is.All.AnyOf(StatusCode.ResourceExhausted, StatusCode.InvalidArgument));
            Assert.That(statuses.Where(s => s.StatusCode == StatusCode.ResourceExhausted).Select(s => s.Detail), Is.All.Contain("requests of 1024 KiB or more are in progress"));
            Assert.That(statuses.Where(s => s.StatusCode == StatusCode.InvalidArgument).Select(s => s.Detail),
                Is.All.StartWith("/fnzchain.admin.NodeAdmin/InstallChaincode: request is not a "));
            Assert.That(after - before, Is.LessThan(MemoryBound));
        });
    }

    [Test]
    public async Task A_transaction_message_larger_than_the_channels_order_is_refused_from_its_header()
    {
        // The test channel's AbsoluteMaxBytes is 256 KiB: with 2 MiB of headroom (wrapping, transient data), a 3 MiB
        // Evaluate is more than any channel of this peer orders, though under the node's maxMessageBytes.
        var status = await SendAsync(Garbage(3 * 1024 * 1024));

        Assert.That(status.StatusCode, Is.EqualTo(StatusCode.ResourceExhausted));
        Assert.That(status.Detail, Is.EqualTo($"/gateway.Gateway/Evaluate: a message of {3 * 1024 * 1024} bytes is more than this node's channels order (AbsoluteMaxBytes 262144 + 2097152 bytes of headroom)"));
    }

    [Test]
    public async Task Undecodable_requests_are_invalid_argument_naming_the_method_and_message_without_a_stack_trace()
    {
        foreach (var body in new[] { new byte[] { 0x0a, 0xff }, [0xff], [0x0a, 0x03, 0x01], [0x0a, 0x02, 0xff, 0xff] })
        {
            var status = await SendAsync(body);
            Assert.That(status.StatusCode, Is.EqualTo(StatusCode.InvalidArgument), Convert.ToHexString(body));
            Assert.That(status.Detail, Does.StartWith("/gateway.Gateway/Evaluate: request is not a gateway.EvaluateRequest: "));
        }

        Assert.That(_peer.Output, Does.Not.Contain("   at ").And.Not.Contain("Exception was thrown by handler"));
    }

    [GeneratedRegex(@"/gateway\.Gateway/Evaluate from \S+ refused: InvalidArgument proposed_transaction is missing")]
    private static partial Regex RefusedLine();

    [Test]
    public async Task A_client_repeating_a_refused_request_gets_a_few_log_lines_not_one_per_request()
    {
        var linesBefore = RefusedLine().Count(_peer.Output);

        for (var i = 0; i < 60; i++)
        {
            Assert.That((await SendAsync([])).StatusCode, Is.EqualTo(StatusCode.InvalidArgument));
        }

        var logged = RefusedLine().Count(_peer.Output) - linesBefore;
        Assert.That(logged, Is.InRange(1, 2 * 5), "at most 5 lines per origin per 10 s window (the run may span two windows)");
    }
}
