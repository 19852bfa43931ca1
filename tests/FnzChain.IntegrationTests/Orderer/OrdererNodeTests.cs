using FnzChain.Identity.Msp;
using FnzChain.Orderer.Signing;
using FnzChain.Protos.Admin;
using FnzChain.Protos.Common;
using FnzChain.Protos.Orderer;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Status = FnzChain.Protos.Common.Status;

namespace FnzChain.IntegrationTests.Orderer;

/// <summary>A real orderer process (solo) on loopback: channel participation, Broadcast checks, block cutting, Deliver, restart.</summary>
[Category("Integration")]
public sealed class OrdererNodeTests
{
    private TestNetwork _network = null!;
    private NodeProcess _orderer = null!;
    private GrpcChannel _channel = null!;

    [SetUp]
    public async Task SetUp()
    {
        _network = await TestNetwork.CreateAsync(maxMessageCount: 10, batchTimeout: "300ms");
        _orderer = await _network.StartOrdererAsync();
        await _network.JoinOrdererAsync(_orderer);
        _channel = TestNetwork.Connect(_orderer);
    }

    [TearDown]
    public async Task TearDown()
    {
        if (TestContext.CurrentContext.Result.Outcome.Status == NUnit.Framework.Interfaces.TestStatus.Failed)
        {
            TestContext.Out.WriteLine(_orderer.Output);
        }

        _channel.Dispose();
        await _network.DisposeAsync();
    }

    private AtomicBroadcast.AtomicBroadcastClient Broadcaster => new(_channel);

    private async Task<List<BroadcastResponse>> BroadcastAsync(params Envelope[] envelopes)
    {
        using var call = Broadcaster.Broadcast();
        var responses = new List<BroadcastResponse>();
        foreach (var envelope in envelopes)
        {
            await call.RequestStream.WriteAsync(envelope);
            Assert.That(await call.ResponseStream.MoveNext(CancellationToken.None), Is.True);
            responses.Add(call.ResponseStream.Current);
        }

        await call.RequestStream.CompleteAsync();
        return responses;
    }

    private async Task<(List<Block> Blocks, Status Status)> DeliverAsync(Signer reader, SeekPosition start, SeekPosition stop, SeekInfo.Types.SeekBehavior behavior = SeekInfo.Types.SeekBehavior.BlockUntilReady)
    {
        var seek = new SeekInfo { Start = start, Stop = stop, Behavior = behavior };
        using var call = Broadcaster.Deliver(cancellationToken: new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);
        await call.RequestStream.WriteAsync(reader.Envelope(TestNetwork.Channel, HeaderType.DeliverSeekInfo, seek.ToByteString()));
        var blocks = new List<Block>();
        while (await call.ResponseStream.MoveNext(CancellationToken.None))
        {
            var response = call.ResponseStream.Current;
            if (response.TypeCase == DeliverResponse.TypeOneofCase.Status)
            {
                await call.RequestStream.CompleteAsync();
                return (blocks, response.Status);
            }

            blocks.Add(response.Block);
        }

        throw new AssertionException("Deliver ended without a status");
    }

    private static SeekPosition Specified(ulong number) => new() { Specified = new SeekSpecified { Number = number } };

    private Envelope[] Transactions(Signer signer, int count) =>
        Enumerable.Range(0, count).Select(i => signer.Envelope(TestNetwork.Channel, HeaderType.EndorserTransaction, ByteString.CopyFromUtf8($"tx {i}"))).ToArray();

    [Test]
    public async Task Joined_channel_is_listed_with_its_genesis_block()
    {
        using var admin = _network.OrdererAdmin();

        var list = await new NodeAdmin.NodeAdminClient(_channel).ListChannelsAsync(admin.Admin(new AdminRequest { ListChannels = new ListChannelsRequest() }));

        Assert.That(list.Channels.Single().ChannelId, Is.EqualTo(TestNetwork.Channel));
        Assert.That(list.Channels.Single().Height, Is.EqualTo(1UL));
    }

    [Test]
    public void Joining_requires_an_admin_of_the_orderers_organisation()
    {
        using var client = _network.Org1Client();

        var error = Assert.ThrowsAsync<RpcException>(async () => await new NodeAdmin.NodeAdminClient(_channel).ListChannelsAsync(client.Admin(new AdminRequest { ListChannels = new ListChannelsRequest() })));

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.PermissionDenied));
        Assert.That(error.Status.Detail, Does.Contain("Org1MSP"));
    }

    [Test]
    public void Joining_the_same_channel_twice_is_refused()
    {
        var error = Assert.ThrowsAsync<RpcException>(async () => await _network.JoinOrdererAsync(_orderer));

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.AlreadyExists));
    }

    [Test]
    public async Task Broadcast_envelopes_are_cut_into_signed_chained_blocks_by_count_and_timeout()
    {
        using var client = _network.Org1Client();
        using var peer = _network.Org1Peer();
        var envelopes = Transactions(client, 25);

        var responses = await BroadcastAsync(envelopes);
        var (blocks, status) = await DeliverAsync(peer, Specified(1), Specified(3));

        Assert.That(responses.Select(r => r.Status), Is.All.EqualTo(Status.Success));
        Assert.That(status, Is.EqualTo(Status.Success));
        Assert.That(blocks.Select(b => b.Data.Data.Count), Is.EqualTo(new[] { 10, 10, 5 }), "two full blocks, then the rest after the batch timeout");
        Assert.That(blocks.SelectMany(b => b.Data.Data), Is.EqualTo(envelopes.Select(e => e.ToByteString())), "in submission order");
        var ordererCertificate = _network.As("example.com", "orderers/orderer.example.com", "OrdererMSP").Files.Certificate;
        foreach (var block in blocks)
        {
            var metadata = FnzChain.Protos.Common.Metadata.Parser.ParseFrom(block.Metadata.Metadata[(int)BlockMetadataIndex.Signatures]);
            var signature = metadata.Signatures.Single();
            Assert.That(
                FnzChain.Crypto.Signatures.EcdsaVerifier.FromCertificate(ordererCertificate).Verify(FnzChain.Ledger.Blocks.BlockHashing.SignedBytes(metadata.Value, signature.SignatureHeader, block.Header), signature.Signature.Span).Status,
                Is.EqualTo(FnzChain.Crypto.Signatures.SignatureStatus.Valid));
            Assert.That(OrdererBlockMetadata.Parser.ParseFrom(metadata.Value).LastConfig.Index, Is.Zero);
        }

        Assert.That(blocks[1].Header.PreviousHash.ToByteArray(), Is.EqualTo(FnzChain.Ledger.Blocks.BlockHashing.HeaderHash(blocks[0].Header)));
    }

    [Test]
    public async Task Broadcast_rejects_bad_envelopes_with_a_status_naming_the_cause()
    {
        using var client = _network.Org1Client();
        var good = client.Envelope(TestNetwork.Channel, HeaderType.EndorserTransaction, ByteString.CopyFromUtf8("x"));
        var badSignature = good.Clone();
        badSignature.Signature = ByteString.CopyFrom(client.Files.Signer.Sign("something else"u8));
        var unknownChannel = client.Envelope("nope", HeaderType.EndorserTransaction, ByteString.CopyFromUtf8("x"));
        var tooLarge = client.Envelope(TestNetwork.Channel, HeaderType.EndorserTransaction, ByteString.CopyFrom(new byte[300 * 1024]));
        var malformed = new Envelope { Payload = ByteString.CopyFrom(0x0a, 0xff), Signature = ByteString.Empty };
        var config = client.Envelope(TestNetwork.Channel, HeaderType.Config, ByteString.Empty);

        var responses = await BroadcastAsync(badSignature, unknownChannel, tooLarge, malformed, config, good);

        Assert.That(responses.Select(r => r.Status), Is.EqualTo(new[]
        {
            Status.Forbidden, Status.NotFound, Status.RequestEntityTooLarge, Status.BadRequest, Status.BadRequest, Status.Success,
        }));
        Assert.That(responses[0].Info, Does.Contain("Writers"));
        Assert.That(responses[1].Info, Does.Contain("\"nope\""));
        Assert.That(responses[2].Info, Does.Contain("absolute_max_bytes"));
        Assert.That(responses[3].Info, Does.Contain("payload does not parse"));
    }

    [Test]
    public async Task Deliver_refuses_an_identity_outside_the_channel()
    {
        var outsider = await OutsiderAsync();

        var (blocks, status) = await DeliverAsync(outsider, Specified(0), Specified(0));

        Assert.That(status, Is.EqualTo(Status.Forbidden));
        Assert.That(blocks, Is.Empty);
    }

    [Test]
    public async Task Deliver_fails_fast_when_asked_not_to_wait()
    {
        using var peer = _network.Org1Peer();

        var (blocks, status) = await DeliverAsync(peer, Specified(0), Specified(5), SeekInfo.Types.SeekBehavior.FailIfNotReady);

        Assert.That(blocks.Select(b => b.Header.Number), Is.EqualTo(new[] { 0UL }));
        Assert.That(status, Is.EqualTo(Status.NotFound));
    }

    [Test]
    public async Task Restarted_orderer_keeps_its_blocks_and_continues_the_chain()
    {
        using var client = _network.Org1Client();
        using var peer = _network.Org1Peer();
        await BroadcastAsync(Transactions(client, 10));
        var before = (await DeliverAsync(peer, Specified(0), Specified(1))).Blocks;

        await _orderer.StopAsync();
        _channel.Dispose();
        _orderer = await _network.StartOrdererAsync();
        _channel = TestNetwork.Connect(_orderer);
        await BroadcastAsync(Transactions(client, 10));
        var (after, status) = await DeliverAsync(peer, Specified(0), Specified(2));

        Assert.That(status, Is.EqualTo(Status.Success));
        Assert.That(after.Take(2).Select(b => b.ToByteString()), Is.EqualTo(before.Select(b => b.ToByteString())));
        Assert.That(after[2].Header.PreviousHash.ToByteArray(), Is.EqualTo(FnzChain.Ledger.Blocks.BlockHashing.HeaderHash(after[1].Header)));
    }

    /// <summary>A valid identity from a CA the channel does not know.</summary>
    private async Task<Signer> OutsiderAsync()
    {
        var folder = Path.Combine(_network.Folder, "outsider");
        new FnzChain.Crypto.Cryptogen.CryptoMaterialGenerator().Generate(
            FnzChain.Crypto.Cryptogen.CryptoConfigReader.Parse("""{ "peerOrgs": [{ "name": "Org9", "domain": "org9.example.com", "mspId": "Org9MSP", "peers": 1, "users": 0 }] }"""),
            folder,
            force: false);
        await Task.CompletedTask;
        return new Signer(FnzChain.Crypto.Keys.SigningIdentityFiles.Load(Path.Combine(folder, "peerOrganizations/org9.example.com/peers/peer0.org9.example.com/msp")), "Org9MSP");
    }
}
