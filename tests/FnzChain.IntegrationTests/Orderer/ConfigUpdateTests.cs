using FnzChain.Node.Channels;
using FnzChain.Orderer.Channels;
using FnzChain.Protos.Common;
using FnzChain.Protos.Config;
using FnzChain.Protos.Orderer;
using Google.Protobuf;
using Grpc.Net.Client;
using Status = FnzChain.Protos.Common.Status;
// FnzChain's own config messages until issue 14 moves channel config to Fabric's (same names in FnzChain.Protos.Common).
using ConfigUpdate = FnzChain.Protos.Config.ConfigUpdate;
using ConfigUpdateEnvelope = FnzChain.Protos.Config.ConfigUpdateEnvelope;

namespace FnzChain.IntegrationTests.Orderer;

/// <summary>Channel governance on a real orderer: chaincode definitions through config updates signed by a majority of admins.</summary>
[Category("Integration")]
public sealed class ConfigUpdateTests
{
    private TestNetwork _network = null!;
    private NodeProcess _orderer = null!;

    [SetUp]
    public async Task SetUp()
    {
        _network = await TestNetwork.CreateAsync();
        _orderer = await _network.StartOrdererAsync();
        await _network.JoinOrdererAsync(_orderer);
    }

    [TearDown]
    public async Task TearDown()
    {
        if (TestContext.CurrentContext.Result.Outcome.Status == NUnit.Framework.Interfaces.TestStatus.Failed)
        {
            TestContext.Out.WriteLine(_orderer.Output);
        }

        await _network.DisposeAsync();
    }

    private Task<(int ExitCode, string Output, string Error)> DefineAsync(params string[] signers) =>
        _network.RunCliAsync(
        [
            "chaincode", "define", "--orderer", _orderer.Address, "--channel", TestNetwork.Channel, "--name", "funds", "--version", "1.0",
            "--policy", "AND('Org1MSP.peer','Org2MSP.peer')", .. signers.SelectMany(s => new[] { "--signer", s }),
        ]);

    [Test]
    public async Task A_chaincode_defined_by_a_majority_of_admins_lands_in_a_config_block()
    {
        var result = await DefineAsync(_network.AdminSigner("Org1MSP", "org1.example.com"), _network.AdminSigner("Org2MSP", "org2.example.com"));

        Assert.That(result.ExitCode, Is.Zero, result.Error);
        Assert.That(result.Output, Does.Contain("chaincode funds defined on funds: version 1.0, sequence 1, policy AND('Org1MSP.peer','Org2MSP.peer') (config block 1, config sequence 1)"));
        var config = ConfigBlock.ReadConfig(await BlockAsync(1));
        Assert.That(config.Application.Chaincodes.Single().Name, Is.EqualTo("funds"));
        Assert.That(config.Sequence, Is.EqualTo(1UL));
    }

    [Test]
    public async Task One_admin_of_three_organisations_is_not_enough()
    {
        var result = await DefineAsync(_network.AdminSigner("Org1MSP", "org1.example.com"));

        Assert.That(result.ExitCode, Is.EqualTo(1));
        Assert.That(result.Error.Trim(), Does.StartWith("fnzchain: ").And.Contain("FORBIDDEN").IgnoreCase.And.Contain("Admins"));
    }

    [Test]
    public async Task Redefining_bumps_the_sequence_and_survives_an_orderer_restart()
    {
        var signers = new[] { _network.AdminSigner("Org1MSP", "org1.example.com"), _network.AdminSigner("OrdererMSP", "example.com") };
        Assert.That((await DefineAsync(signers)).ExitCode, Is.Zero);

        await _orderer.StopAsync();
        _orderer = await _network.StartOrdererAsync();
        var second = await DefineAsync(signers);

        Assert.That(second.ExitCode, Is.Zero, second.Error);
        Assert.That(second.Output, Does.Contain("sequence 2").And.Contain("config block 2, config sequence 2"));
    }

    [Test]
    public async Task An_update_based_on_an_old_sequence_is_refused()
    {
        Assert.That((await DefineAsync(_network.AdminSigner("Org1MSP", "org1.example.com"), _network.AdminSigner("Org2MSP", "org2.example.com"))).ExitCode, Is.Zero);
        using var admin = _network.As("org1.example.com", "users/Admin@org1.example.com", "Org1MSP");
        var stale = new ConfigUpdate { ChannelId = TestNetwork.Channel, BaseSequence = 0, Config = ConfigBlock.ReadConfig(_network.Genesis) }.ToByteString();
        var envelope = new ConfigUpdateEnvelope { ConfigUpdate = stale };
        envelope.Signatures.Add(ConfigUpdates.Sign(stale, admin.Serialized, admin.Files.Signer));

        using var channel = TestNetwork.Connect(_orderer);
        using var call = new AtomicBroadcast.AtomicBroadcastClient(channel).Broadcast();
        await call.RequestStream.WriteAsync(admin.Envelope(TestNetwork.Channel, HeaderType.ConfigUpdate, envelope.ToByteString()));
        await call.ResponseStream.MoveNext(CancellationToken.None);

        Assert.That(call.ResponseStream.Current.Status, Is.EqualTo(Status.BadRequest));
        Assert.That(call.ResponseStream.Current.Info, Does.Contain("based on sequence 0 but channel funds is at sequence 1"));
    }

    [Test]
    public async Task An_open_deliver_stream_ends_forbidden_when_a_config_change_removes_its_reader()
    {
        using var reader = _network.As("org2.example.com", "users/User1@org2.example.com", "Org2MSP");
        using var channel = TestNetwork.Connect(_orderer);
        using var call = new AtomicBroadcast.AtomicBroadcastClient(channel).Deliver();
        var seek = new SeekInfo
        {
            Start = new SeekPosition { Oldest = new SeekOldest() },
            Stop = new SeekPosition { Specified = new SeekSpecified { Number = ulong.MaxValue } },
            Behavior = SeekInfo.Types.SeekBehavior.BlockUntilReady,
        };
        await call.RequestStream.WriteAsync(reader.Envelope(TestNetwork.Channel, HeaderType.DeliverSeekInfo, seek.ToByteString()));
        Assert.That(await call.ResponseStream.MoveNext(CancellationToken.None), Is.True);
        Assert.That(call.ResponseStream.Current.Block.Header.Number, Is.Zero, "a reader at first");

        // Org2's Readers become its admins only: its plain users may no longer read the channel.
        var next = ConfigBlock.ReadConfig(_network.Genesis);
        var org2 = next.Organizations.Single(o => o.Msp.MspId == "Org2MSP");
        org2.Policies["Readers"] = new PolicyDefinition
        {
            Signature = FnzChain.Identity.Policies.SignaturePolicyEvaluator.Parse("OR('Org2MSP.admin')").Envelope,
            Source = "OR('Org2MSP.admin')",
        };
        var update = new ConfigUpdate { ChannelId = TestNetwork.Channel, BaseSequence = 0, Config = next }.ToByteString();
        var envelope = new ConfigUpdateEnvelope { ConfigUpdate = update };
        using var admin1 = _network.As("org1.example.com", "users/Admin@org1.example.com", "Org1MSP");
        using var admin2 = _network.As("org2.example.com", "users/Admin@org2.example.com", "Org2MSP");
        envelope.Signatures.Add(ConfigUpdates.Sign(update, admin1.Serialized, admin1.Files.Signer));
        envelope.Signatures.Add(ConfigUpdates.Sign(update, admin2.Serialized, admin2.Files.Signer));
        using var broadcast = new AtomicBroadcast.AtomicBroadcastClient(channel).Broadcast();
        await broadcast.RequestStream.WriteAsync(admin1.Envelope(TestNetwork.Channel, HeaderType.ConfigUpdate, envelope.ToByteString()));
        await broadcast.ResponseStream.MoveNext(CancellationToken.None);
        Assert.That(broadcast.ResponseStream.Current.Status, Is.EqualTo(Status.Success), broadcast.ResponseStream.Current.Info);

        var responses = new List<DeliverResponse>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (await call.ResponseStream.MoveNext(timeout.Token))
        {
            responses.Add(call.ResponseStream.Current);
            if (call.ResponseStream.Current.TypeCase == DeliverResponse.TypeOneofCase.Status)
            {
                break;
            }
        }

        var end = responses.Last();
        Assert.That(end.Status, Is.EqualTo(Status.Forbidden));
        Assert.That(_orderer.Output, Does.Contain("no longer a reader of channel funds after a configuration change"));
    }

    private async Task<Block> BlockAsync(ulong number)
    {
        using var peer = _network.Org1Peer();
        using var channel = TestNetwork.Connect(_orderer);
        using var call = new AtomicBroadcast.AtomicBroadcastClient(channel).Deliver();
        var at = new SeekPosition { Specified = new SeekSpecified { Number = number } };
        await call.RequestStream.WriteAsync(peer.Envelope(TestNetwork.Channel, HeaderType.DeliverSeekInfo, new SeekInfo { Start = at, Stop = at }.ToByteString()));
        Assert.That(await call.ResponseStream.MoveNext(CancellationToken.None), Is.True);
        return call.ResponseStream.Current.Block;
    }
}
