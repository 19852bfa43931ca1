using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using FnzChain.Cli.Network;

namespace FnzChain.IntegrationTests.Tls;

/// <summary>
/// A client hammering a node's TLS port with connections that never become gRPC — TLS without ALPN <c>h2</c>, plaintext
/// HTTP/2 — cannot flood the node's log: every such connection goes through the handshake log budget (5 lines per
/// 10 s, then a count), none reaches Kestrel's error-level log, and each is audited. Throttling is off here so that
/// every connection reaches the handshake (the throttle would otherwise close them early and hide the budget).
/// </summary>
[Category("Integration")]
public sealed class HandshakeLogBudgetTests
{
    private const int Connections = 60;

    private TestNetwork _network = null!;
    private NodeProcess _orderer = null!;

    [SetUp]
    public async Task StartOrderer()
    {
        _network = await TestNetwork.CreateAsync(security: NetworkShape.Tls);
        _orderer = await _network.StartOrdererAsync(authenticationThrottle: new { enabled = false });
    }

    [TearDown]
    public async Task StopOrderer()
    {
        if (TestContext.CurrentContext.Result.FailCount > 0)
        {
            TestContext.Out.WriteLine($"--- orderer\n{_orderer?.Output}");
        }

        await _network.DisposeAsync();
    }

    [Test]
    public async Task Connections_without_ALPN_h2_or_without_TLS_are_logged_within_the_budget_never_as_errors()
    {
        for (var i = 0; i < Connections; i++)
        {
            await (i % 2 == 0 ? TlsWithoutAlpnAsync() : PlaintextHttp2Async());
        }

        // Each connection is audited after its line is logged: once all are, every line has been written.
        await Eventually.UntilAsync(() => AuditFiles.HandshakeRecords(Path.Combine(_network.Folder, "orderer-data")).Count >= Connections, $"{Connections} audit records of refused handshakes");
        await Eventually.UntilAsync(() => Lines("TLS handshake refused: client ").Count > 0, "handshake line");

        var lines = _orderer.Output.Split('\n');
        Assert.Multiple(() =>
        {
            Assert.That(lines.Where(l => l.Contains(" fail: ", StringComparison.Ordinal) || l.Contains(" crit: ", StringComparison.Ordinal)), Is.Empty, "a client's bad connection is not a server failure");
            Assert.That(_orderer.Output, Does.Not.Contain("HTTP/2 over TLS was not negotiated"), "Kestrel's own line for a client without ALPN");
            Assert.That(Lines("TLS handshake refused: client "), Has.Count.LessThan(Connections / 2), "the budget: 5 lines per 10 s, then a count");
            Assert.That(Lines("TLS handshake refused: client did not negotiate HTTP/2 by ALPN (h2)"), Is.Not.Empty);
        });
    }

    private List<string> Lines(string containing) => [.. _orderer.Output.Split('\n').Where(l => l.Contains(containing, StringComparison.Ordinal))];

    /// <summary>A TLS 1.2/1.3 handshake offering no ALPN protocol, then waiting for the node to close the connection.</summary>
    private async Task TlsWithoutAlpnAsync()
    {
        using var tcp = await ConnectAsync();
        await using var tls = new SslStream(tcp.GetStream());
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "127.0.0.1",
            RemoteCertificateValidationCallback = (_, _, _, _) => true, // the node's certificate is not under test
        });
        await DrainAsync(tls);
    }

    /// <summary>An HTTP/2 client preface in plaintext on the TLS port.</summary>
    private async Task PlaintextHttp2Async()
    {
        using var tcp = await ConnectAsync();
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"));
        await DrainAsync(stream);
    }

    private async Task<TcpClient> ConnectAsync()
    {
        var endpoint = IPEndPoint.Parse(_orderer.Address);
        var tcp = new TcpClient();
        await tcp.ConnectAsync(endpoint.Address, endpoint.Port);
        return tcp;
    }

    /// <summary>Reads until the node closes the connection (or resets it).</summary>
    private static async Task DrainAsync(Stream stream)
    {
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            while (await stream.ReadAsync(buffer, timeout.Token) > 0)
            {
            }
        }
        catch (IOException)
        {
            // reset by the node: closed all the same
        }
    }
}
