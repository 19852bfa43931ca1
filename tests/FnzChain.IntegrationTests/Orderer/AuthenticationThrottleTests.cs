using System.Net;
using FnzChain.Cli.Network;
using FnzChain.Client.Connections;
using FnzChain.Identity.Admin;
using FnzChain.Protos.Admin;
using FnzChain.Protos.Common;
using FnzChain.Protos.Orderer;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;

namespace FnzChain.IntegrationTests.Orderer;

/// <summary>
/// Throttling of failed authentication on a real orderer that requires mutual TLS: two client origins on loopback
/// (127.0.0.1 and 127.0.0.2, the client socket bound to its address by <see cref="GrpcConnections"/>), wrongly signed
/// admin and Deliver requests or failed TLS handshakes from one of them.
/// </summary>
[Category("Integration")]
public sealed class AuthenticationThrottleTests
{
    private const int MaxFailures = 5;

    private TestNetwork _network = null!;
    private NodeProcess _orderer = null!;

    /// <summary>Starts the orderer, throttling an address after <see cref="MaxFailures"/> failures for <paramref name="lockoutSeconds"/> (doubling).</summary>
    private async Task StartOrdererAsync(int lockoutSeconds)
    {
        _network = await TestNetwork.CreateAsync(security: NetworkShape.MutualTls);
        _orderer = await _network.StartOrdererAsync(authenticationThrottle: new { maxFailures = MaxFailures, windowSeconds = 60, lockoutSeconds, maxLockoutSeconds = 600, identityMaxFailures = 0 });
        await _network.JoinOrdererAsync(_orderer);
    }

    [TearDown]
    public async Task StopOrderer()
    {
        if (TestContext.CurrentContext.Result.FailCount > 0)
        {
            TestContext.Out.WriteLine($"--- orderer\n{_orderer?.Output}");
        }

        if (_network is not null)
        {
            await _network.DisposeAsync();
        }
    }

    private string OrdererData => Path.Combine(_network.Folder, "orderer-data");

    /// <summary>A channel to the orderer over <paramref name="tls"/> (default: Org1's User1's certificate) whose connections leave from <paramref name="localAddress"/>.</summary>
    private GrpcChannel ConnectFrom(string localAddress, ClientTls? tls = null) =>
        GrpcConnections.Open(_orderer.Address, tls ?? _network.ClientTls(), localAddress: IPAddress.Parse(localAddress));

    private SignedAdminRequest ListChannels(bool forged)
    {
        using var admin = _network.OrdererAdmin();
        using var other = _network.Org1Client();
        return AdminRequests.Sign(new AdminRequest { ListChannels = new ListChannelsRequest() }, admin.Serialized, forged ? other.Files.Signer : admin.Files.Signer);
    }

    /// <summary>A Deliver request for the genesis block, its signature forged (the admin's identity, another key).</summary>
    private Envelope ForgedSeek()
    {
        using var admin = _network.OrdererAdmin();
        using var other = _network.Org1Client();
        var seek = new SeekInfo
        {
            Start = new SeekPosition { Specified = new SeekSpecified { Number = 0 } },
            Stop = new SeekPosition { Specified = new SeekSpecified { Number = 0 } },
            Behavior = SeekInfo.Types.SeekBehavior.FailIfNotReady,
        };
        // Bound to the connection's client certificate (mutual TLS), so that the forged signature is what fails.
        var envelope = FnzChain.Identity.Channels.SignedEnvelope.Create(
            TestNetwork.Channel, HeaderType.DeliverSeekInfo, seek.ToByteString(), admin.Serialized, admin.Files.Signer, tlsCertHash: _network.ClientTls().CertificateHash);
        envelope.Signature = ByteString.CopyFrom(other.Files.Signer.Sign(envelope.Payload.Span));
        return envelope;
    }

    private static async Task<FnzChain.Protos.Common.Status> DeliverAsync(GrpcChannel channel, Envelope request)
    {
        using var call = new AtomicBroadcast.AtomicBroadcastClient(channel).Deliver();
        try
        {
            await call.RequestStream.WriteAsync(request);
            await call.RequestStream.CompleteAsync();
        }
        catch (Exception e) when (e is RpcException or InvalidOperationException)
        {
            // A locked-out address is refused before the server reads the request: the write may lose that race
            // (seen as CANCELLED); the call's own status is read below.
        }

        var status = FnzChain.Protos.Common.Status.Unknown;
        while (await call.ResponseStream.MoveNext(CancellationToken.None))
        {
            if (call.ResponseStream.Current.TypeCase == DeliverResponse.TypeOneofCase.Status)
            {
                status = call.ResponseStream.Current.Status;
            }
        }

        return status;
    }

    /// <summary>Sends <see cref="MaxFailures"/> wrongly signed requests (admin and Deliver) from <paramref name="attacker"/>.</summary>
    private async Task FailAsync(GrpcChannel attacker)
    {
        var admin = new NodeAdmin.NodeAdminClient(attacker);
        for (var i = 0; i < MaxFailures; i++)
        {
            if (i % 2 == 0)
            {
                var refused = Assert.ThrowsAsync<RpcException>(async () => await admin.ListChannelsAsync(ListChannels(forged: true)));
                Assert.That(refused!.StatusCode, Is.EqualTo(StatusCode.PermissionDenied), refused.Status.Detail);
            }
            else
            {
                Assert.That(await DeliverAsync(attacker, ForgedSeek()), Is.EqualTo(FnzChain.Protos.Common.Status.Forbidden));
            }
        }
    }

    [Test]
    public async Task An_address_sending_bad_signatures_is_refused_with_a_growing_retry_after_while_another_address_is_served()
    {
        const int LockoutSeconds = 2;
        await StartOrdererAsync(LockoutSeconds);
        using var attacker = ConnectFrom("127.0.0.2");
        using var honest = ConnectFrom("127.0.0.1");
        var attackerAdmin = new NodeAdmin.NodeAdminClient(attacker);
        var honestAdmin = new NodeAdmin.NodeAdminClient(honest);

        await FailAsync(attacker);
        var locked = Assert.ThrowsAsync<RpcException>(async () => await attackerAdmin.ListChannelsAsync(ListChannels(forged: false)));
        var served = await honestAdmin.ListChannelsAsync(ListChannels(forged: false));
        // The refusal comes before the server reads the stream's request; when the server's reset overtakes the
        // client's write, the client sees CANCELLED instead of the status (a transport race): ask again.
        RpcException? lockedStream = null;
        for (var attempt = 0; attempt < 3 && lockedStream?.StatusCode is null or StatusCode.Cancelled; attempt++)
        {
            lockedStream = Assert.ThrowsAsync<RpcException>(async () => await DeliverAsync(attacker, ForgedSeek()));
        }


        Assert.Multiple(() =>
        {
            Assert.That(locked!.StatusCode, Is.EqualTo(StatusCode.ResourceExhausted), "a correctly signed request from the locked-out address");
            Assert.That(locked.Status.Detail, Is.EqualTo($"/fnzchain.admin.NodeAdmin/ListChannels: too many failed authentications from 127.0.0.2; retry after {LockoutSeconds} s"));
            Assert.That(locked.Trailers.GetValue("retry-after"), Is.EqualTo($"{LockoutSeconds}"));
            Assert.That(served.Channels.Select(c => c.ChannelId), Is.EqualTo(new[] { TestNetwork.Channel }), "127.0.0.1 is unaffected");
            Assert.That(lockedStream!.StatusCode, Is.EqualTo(StatusCode.ResourceExhausted));
        });

        // The cool-down ends: served again; the same failures again lock it out for twice as long.
        var until = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                await attackerAdmin.ListChannelsAsync(ListChannels(forged: false));
                break;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.ResourceExhausted && DateTime.UtcNow < until)
            {
                await Task.Delay(200);
            }
        }

        await FailAsync(attacker);
        var again = Assert.ThrowsAsync<RpcException>(async () => await attackerAdmin.ListChannelsAsync(ListChannels(forged: false)));
        Assert.That(again!.Trailers.GetValue("retry-after"), Is.EqualTo($"{2 * LockoutSeconds}"));
        Assert.That(_orderer.Output.Split('\n').Count(l => l.Contains("Authentication throttle: Address 127.0.0.2", StringComparison.Ordinal)), Is.EqualTo(2), "one log line per lock-out:\n" + _orderer.Output);
        Assert.That(_orderer.Output, Does.Not.Contain("127.0.0.1 failed"));
    }

    [Test]
    public async Task An_address_failing_TLS_handshakes_is_refused_at_the_connection_while_another_address_is_served()
    {
        // A cool-down far longer than the test: the lock-out cannot end before it is observed.
        await StartOrdererAsync(lockoutSeconds: 600);
        var withoutCertificate = ClientTls.Create(_network.ClientTls().Trust!.Roots);

        // Handshakes refused for want of a client certificate, and plaintext clients on the TLS port. A client may
        // retry a call on a second connection, so failures are sent until the orderer reports the lock-out.
        for (var attempt = 0; !LockedOut() && attempt < 4 * MaxFailures; attempt++)
        {
            using var failing = ConnectFrom("127.0.0.2", attempt % 2 == 0 ? withoutCertificate : ClientTls.Plaintext);
            var refused = Assert.ThrowsAsync<RpcException>(async () => await new NodeAdmin.NodeAdminClient(failing).ListChannelsAsync(ListChannels(forged: false), deadline: DateTime.UtcNow.AddSeconds(30)));
            Assert.That(refused!.StatusCode, Is.AnyOf(StatusCode.Unavailable, StatusCode.Internal), refused.ToString());
        }

        await Eventually.UntilAsync(LockedOut, "lock-out of 127.0.0.2");

        // Now even a client with a valid certificate is turned away from 127.0.0.2 before its handshake; 127.0.0.1 is served.
        using var lockedOut = ConnectFrom("127.0.0.2");
        var locked = Assert.ThrowsAsync<RpcException>(async () => await new NodeAdmin.NodeAdminClient(lockedOut).ListChannelsAsync(ListChannels(forged: false), deadline: DateTime.UtcNow.AddSeconds(30)));
        using var honest = ConnectFrom("127.0.0.1");
        var served = await new NodeAdmin.NodeAdminClient(honest).ListChannelsAsync(ListChannels(forged: false));

        var records = AuditFiles.HandshakeRecords(OrdererData);
        Assert.Multiple(() =>
        {
            Assert.That(locked!.StatusCode, Is.AnyOf(StatusCode.Unavailable, StatusCode.Internal), locked.ToString());
            Assert.That(served.Channels.Select(c => c.ChannelId), Is.EqualTo(new[] { TestNetwork.Channel }), "127.0.0.1 is unaffected");
            Assert.That(records, Has.Count.GreaterThanOrEqualTo(MaxFailures), "one audit record per refused handshake");
            Assert.That(records.Select(r => r.GetProperty("origin").GetString()).Distinct(), Is.EqualTo(new[] { "127.0.0.2" }));
            Assert.That(records.Select(r => r.GetProperty("authFailure").GetString()).Distinct(), Is.EqualTo(new[] { "TlsHandshake" }));
            Assert.That(records.Select(r => r.GetProperty("reason").GetString()), Has.Some.StartWith("sent no certificate"));
            Assert.That(records.Select(r => r.GetProperty("reason").GetString()), Has.Some.StartWith("did not complete the TLS handshake"), "the plaintext clients");
            Assert.That(_orderer.Output, Does.Contain("TLS handshake refused: client sent no certificate (mutual TLS requires one) (from 127.0.0.2:"));
            Assert.That(_orderer.Output.Split('\n').Count(l => l.Contains("Authentication throttle: Address 127.0.0.2", StringComparison.Ordinal)), Is.EqualTo(1), "one log line per lock-out");
            Assert.That(_orderer.Output, Does.Not.Contain("127.0.0.1 failed"));
        });
    }

    private bool LockedOut() => _orderer.Output.Contains("Authentication throttle: Address 127.0.0.2 failed", StringComparison.Ordinal);
}
