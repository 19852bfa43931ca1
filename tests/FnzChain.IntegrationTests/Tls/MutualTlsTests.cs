using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using FnzChain.Client.Connections;
using FnzChain.Cli.Network;
using FnzChain.Crypto.Keys;
using FnzChain.Crypto.Tls;
using FnzChain.Identity.Channels;
using FnzChain.Protos.Common;
using FnzChain.Protos.Orderer;
using Google.Protobuf;
using Grpc.Core;
using Status = FnzChain.Protos.Common.Status;
using Grpc.Net.Client;
using DeliverClient = FnzChain.Protos.Peer.Deliver.DeliverClient;

namespace FnzChain.IntegrationTests.Tls;

/// <summary>
/// An orderer and a peer that require mutual TLS (<c>clientAuthRequired</c>): who gets through the handshake, and
/// Fabric's <c>tls_cert_hash</c> binding of Deliver requests to the connection's client certificate. The peer pulling
/// blocks from the orderer is itself a mutual TLS client whose Deliver requests carry its certificate's hash.
/// </summary>
[Category("Integration")]
public sealed class MutualTlsTests
{
    private TestNetwork _network = null!;
    private NodeProcess _orderer = null!;
    private NodeProcess _peer = null!;
    private Signer _user = null!;

    [OneTimeSetUp]
    public async Task StartNetwork()
    {
        _network = await TestNetwork.CreateAsync(security: NetworkShape.MutualTls);
        _orderer = await _network.StartOrdererAsync();
        await _network.JoinOrdererAsync(_orderer);
        _peer = await _network.StartPeerAsync("org1.example.com", "Org1MSP", _orderer);
        await _network.JoinPeerAsync(_peer, "org1.example.com", "Org1MSP");
        _user = _network.Org1Client();
    }

    [OneTimeTearDown]
    public async Task StopNetwork()
    {
        if (TestContext.CurrentContext.Result.FailCount > 0)
        {
            TestContext.Out.WriteLine($"--- orderer\n{_orderer?.Output}\n--- peer\n{_peer?.Output}");
        }

        _user?.Dispose();
        await _network.DisposeAsync();
    }

    [Test]
    public void Nodes_say_at_start_that_they_require_client_certificates()
    {
        Assert.That(_orderer.Output, Does.Contain($"orderer TLS on {_orderer.Address} (TLS 1.2/1.3").And.Contain("mutual TLS: client certificates required"));
        Assert.That(_peer.Output, Does.Contain($"peer TLS on {_peer.Address} (TLS 1.2/1.3").And.Contain("mutual TLS: client certificates required"));
    }

    [Test]
    public async Task The_peer_pulls_blocks_from_the_orderer_over_mutual_TLS()
    {
        // A block after the genesis block: an envelope a writer signed (the orderer orders it; the peer commits it invalid).
        var envelope = _user.Envelope(TestNetwork.Channel, HeaderType.EndorserTransaction, ByteString.CopyFromUtf8("not a transaction"));
        using (var channel = TestNetwork.Connect(_orderer))
        using (var call = new AtomicBroadcast.AtomicBroadcastClient(channel).Broadcast())
        {
            await call.RequestStream.WriteAsync(envelope);
            Assert.That(await call.ResponseStream.MoveNext(CancellationToken.None), Is.True);
            Assert.That(call.ResponseStream.Current.Status, Is.EqualTo(Status.Success), call.ResponseStream.Current.Info);
        }

        // The peer gets it only through its own Deliver stream to the orderer: a mutual TLS connection presenting the
        // peer's certificate, each request carrying that certificate's hash (or the orderer would answer BAD_REQUEST).
        using var admin = _network.As("org1.example.com", "users/Admin@org1.example.com", "Org1MSP");
        using var peer = TestNetwork.Connect(_peer);
        var client = new FnzChain.Protos.Admin.NodeAdmin.NodeAdminClient(peer);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        ulong height = 0;
        while (DateTime.UtcNow < deadline && height < 2)
        {
            var list = await client.ListChannelsAsync(admin.Admin(new FnzChain.Protos.Admin.AdminRequest { ListChannels = new FnzChain.Protos.Admin.ListChannelsRequest() }));
            height = list.Channels.Single().Height;
            await Task.Delay(100);
        }

        Assert.That(height, Is.GreaterThanOrEqualTo(2UL), _peer.Output);
    }

    [Test]
    public void A_client_without_a_certificate_is_refused_in_the_handshake()
    {
        var withoutCertificate = ClientTls.Create(_network.ClientTls().Trust!.Roots);

        foreach (var node in new[] { _orderer, _peer })
        {
            var e = Assert.ThrowsAsync<RpcException>(() => ListChannelsAsync(node, withoutCertificate));
            AssertRefusedInTheHandshake(e!);
        }
    }

    [Test]
    public void A_client_whose_certificate_no_channel_organisation_issued_is_refused_in_the_handshake()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=intruder", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], critical: false));
        using var selfSigned = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var certificate = Path.Combine(_network.Folder, "intruder.crt");
        var keyFile = Path.Combine(_network.Folder, "intruder.key");
        PemFiles.WriteCertificate(certificate, selfSigned.RawData);
        PemFiles.WritePrivateKey(keyFile, key);
        var intruder = ClientTls.Create(_network.ClientTls().Trust!.Roots, TlsCertificateFiles.LoadKeyPair(certificate, keyFile, DateTimeOffset.UtcNow));

        var e = Assert.ThrowsAsync<RpcException>(() => ListChannelsAsync(_peer, intruder));

        AssertRefusedInTheHandshake(e!);
        Assert.That(_peer.Output, Does.Contain("TLS handshake refused: client certificate 'CN=intruder'").And.Contain("does not chain to a trusted TLS CA"));
    }

    [Test]
    public void A_plaintext_client_gets_a_clear_failure_from_a_TLS_port()
    {
        var e = Assert.ThrowsAsync<RpcException>(() => ListChannelsAsync(_orderer, ClientTls.Plaintext));

        Assert.That(e!.StatusCode, Is.AnyOf(StatusCode.Unavailable, StatusCode.Internal), e.ToString());
        Assert.That(e.Status.Detail, Is.Not.Empty);
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task Deliver_whose_tls_cert_hash_is_not_its_connections_certificate_is_refused(bool fromPeer)
    {
        var tls = _network.ClientTls();
        // Org2's user's certificate hash: a request signed for another connection, replayed on this one.
        var other = _network.ClientTls("org2.example.com", "users/User1@org2.example.com").CertificateHash!;

        var mismatched = await DeliverAsync(fromPeer ? _peer : _orderer, tls, bindTo: other);
        var missing = await DeliverAsync(fromPeer ? _peer : _orderer, tls, bindTo: null);
        var bound = await DeliverAsync(fromPeer ? _peer : _orderer, tls, bindTo: tls.CertificateHash);

        Assert.That(mismatched.Status, Is.EqualTo(Status.BadRequest), "Fabric answers BAD_REQUEST (common/deliver validates the channel header)");
        Assert.That(mismatched.Info, Does.Contain($"tls_cert_hash {Convert.ToHexStringLower(other)} is not the SHA-256 of this connection's client TLS certificate"));
        Assert.That(mismatched.Numbers, Is.Empty);
        Assert.That(missing.Status, Is.EqualTo(Status.BadRequest));
        Assert.That(missing.Info, Does.Contain("has no tls_cert_hash"));
        Assert.That(bound.Status, Is.EqualTo(Status.Success), bound.Info);
        Assert.That(bound.Numbers, Is.EqualTo(new ulong[] { 0 }));
    }

    [Test]
    public async Task Openssl_s_client_sees_the_peers_chain_to_its_TLS_CA_and_is_refused_below_TLS_1_2()
    {
        var user = Path.GetDirectoryName(_network.IdentityMsp("org1.example.com", "users/User1@org1.example.com"))!;
        var ca = Path.Combine(Path.GetDirectoryName(_network.IdentityMsp("org1.example.com", "peers/peer0.org1.example.com"))!, "tls", "ca.crt");
        string[] client = ["-connect", _peer.Address, "-CAfile", ca, "-cert", Path.Combine(user, "tls", "client.crt"), "-key", Path.Combine(user, "tls", "client.key"), "-alpn", "h2"];

        var modern = await OpensslAsync(["s_client", .. client]);
        // A client willing to speak TLS 1.1 (security level 0 so that OpenSSL itself offers it): the node refuses.
        var old = await OpensslAsync(["s_client", .. client, "-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0"]);

        Assert.That(modern, Does.Contain("depth=1 C = US, ST = California, L = San Francisco, O = org1.example.com, CN = tlsca.org1.example.com"));
        Assert.That(modern, Does.Contain("depth=0 C = US, ST = California, L = San Francisco, O = org1.example.com, CN = peer0.org1.example.com"));
        Assert.That(modern, Does.Contain("Verify return code: 0 (ok)"));
        Assert.That(modern, Does.Match(@"(Protocol\s*: |New, )TLSv1\.[23]"), "s_client prints the protocol on its New line (TLS 1.3 may end before the session block)");
        Assert.That(old, Does.Contain("alert protocol version"), "the server refuses TLS 1.1 with a protocol_version alert");
        Assert.That(old, Does.Contain("no peer certificate available").And.Contain("Cipher is (NONE)"), "no session was established");
    }

    private static async Task<string> OpensslAsync(string[] args)
    {
        var start = new System.Diagnostics.ProcessStartInfo("openssl") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = System.Diagnostics.Process.Start(start)!;
        process.StandardInput.Close(); // s_client ends once the handshake is done and stdin is at its end
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return await output + await error;
    }

    /// <summary>
    /// The connection never carried a request. Under TLS 1.2 the server's alert fails the client's handshake
    /// (Unavailable); under TLS 1.3 the client finishes its side before the server checks its certificate, so it may
    /// instead see the connection closed before HTTP/2 starts, which Grpc.Net.Client reports as Internal. Both are
    /// the server refusing at the handshake; which one a client sees is a race.
    /// </summary>
    private static void AssertRefusedInTheHandshake(RpcException e)
    {
        Assert.That(e.StatusCode, Is.AnyOf(StatusCode.Unavailable, StatusCode.Internal), e.ToString());
        if (e.StatusCode == StatusCode.Internal)
        {
            Assert.That(e.Status.Detail, Does.Contain("did not complete the HTTP/2 handshake").Or.Contain("SSL").Or.Contain("TLS"), e.ToString());
        }
    }

    private async Task ListChannelsAsync(NodeProcess node, ClientTls tls)
    {
        using var admin = _network.As("org1.example.com", "users/Admin@org1.example.com", "Org1MSP");
        using var channel = GrpcConnections.Open(node.Address, tls);
        await new FnzChain.Protos.Admin.NodeAdmin.NodeAdminClient(channel)
            .ListChannelsAsync(admin.Admin(new FnzChain.Protos.Admin.AdminRequest { ListChannels = new FnzChain.Protos.Admin.ListChannelsRequest() }), deadline: DateTime.UtcNow.AddSeconds(30));
    }

    /// <summary>Block 0 by Deliver, with <paramref name="bindTo"/> as the request's tls_cert_hash; the ending status, its reason (the node's log line) and the blocks received.</summary>
    private async Task<(Status Status, string Info, List<ulong> Numbers)> DeliverAsync(NodeProcess node, ClientTls tls, byte[]? bindTo)
    {
        var refusalsBefore = Refusals(node).Count;
        using var channel = GrpcConnections.Open(node.Address, tls);
        var at = new SeekPosition { Specified = new SeekSpecified { Number = 0 } };
        var request = SignedEnvelope.Create(TestNetwork.Channel, HeaderType.DeliverSeekInfo, new SeekInfo { Start = at, Stop = at }.ToByteString(), _user.Serialized, _user.Files.Signer, tlsCertHash: bindTo);
        var numbers = new List<ulong>();
        Status status;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        if (node == _peer)
        {
            using var call = new DeliverClient(channel).Deliver(cancellationToken: timeout.Token);
            status = await ReadUntilStatusAsync(call, request, r => r.Block, r => r.Status, numbers, timeout.Token);
        }
        else
        {
            using var call = new AtomicBroadcast.AtomicBroadcastClient(channel).Deliver(cancellationToken: timeout.Token);
            status = await ReadUntilStatusAsync(call, request, r => r.Block, r => r.Status, numbers, timeout.Token);
        }

        // The reason of a refusal is in the node's log (ClientFaultLog), as Deliver's status carries none on the wire.
        var info = status == Status.Success ? string.Empty : await NextRefusalAsync(node, refusalsBefore);
        return (status, info, numbers);
    }

    /// <summary>Sends <paramref name="request"/> on a Deliver stream (the peer's or the orderer's), collects the block numbers and returns the ending status.</summary>
    private static async Task<Status> ReadUntilStatusAsync<TResponse>(
        AsyncDuplexStreamingCall<Envelope, TResponse> call, Envelope request, Func<TResponse, Block?> blockOf, Func<TResponse, Status> statusOf, List<ulong> numbers, CancellationToken cancellationToken)
    {
        await call.RequestStream.WriteAsync(request, cancellationToken);
        while (true)
        {
            Assert.That(await call.ResponseStream.MoveNext(cancellationToken), Is.True, "Deliver ends with a status");
            if (blockOf(call.ResponseStream.Current) is not { } block)
            {
                return statusOf(call.ResponseStream.Current);
            }

            numbers.Add(block.Header.Number);
        }
    }

    private static List<string> Refusals(NodeProcess node) =>
        [.. node.Output.Split('\n').Where(l => l.Contains("refused: BadRequest", StringComparison.Ordinal))];

    /// <summary>The node's first refusal line after the first <paramref name="before"/> (waiting up to 10 s for it to be logged).</summary>
    private static async Task<string> NextRefusalAsync(NodeProcess node, int before)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            if (Refusals(node) is { } lines && lines.Count > before)
            {
                return lines[before];
            }

            await Task.Delay(100);
        }

        return $"no refusal logged:\n{node.Output}";
    }
}
