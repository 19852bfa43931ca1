using FnzChain.Node.Channels;
using FnzChain.Orderer.Channels;
using FnzChain.Protos.Common;
using FnzChain.Identity.Channels;
using FnzChain.Protos.Orderer;
using Google.Protobuf;
using Grpc.Net.Client;
using Status = FnzChain.Protos.Common.Status;

namespace FnzChain.IntegrationTests.Orderer;

/// <summary>Channel governance on a real orderer: config updates judged by each modified element's mod_policy, stale ones refused.</summary>
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

    [Test]
    public async Task An_update_based_on_an_old_sequence_is_refused_naming_both_versions()
    {
        var genesis = ConfigBlock.ReadConfig(_network.Genesis).Tree;
        Assert.That((await SubmitAsync(ConfigUpdateRules.Compute(TestNetwork.Channel, genesis, Org2Readers(genesis, "OR('Org2MSP.admin', 'Org2MSP.peer')")), ("org2.example.com", "Org2MSP"))).Status,
            Is.EqualTo(Status.Success));
        Assert.That(ConfigBlock.ReadConfig(await BlockAsync(1)).Sequence, Is.EqualTo(1UL), "the first update's config block (SUCCESS only queued it)");
        var stale = ConfigUpdateRules.Compute(TestNetwork.Channel, genesis, Org2Readers(genesis, "OR('Org2MSP.member')"));

        var response = await SubmitAsync(stale, ("org2.example.com", "Org2MSP"));

        Assert.That(response.Status, Is.EqualTo(Status.BadRequest));
        Assert.That(response.Info, Does.Contain("config update is stale: it sets policy /Channel/Application/Org2/Readers to version 1 but channel funds has it at version 1 already (config sequence 1)"));
    }

    private static Config Org2Readers(Config tree, string rule)
    {
        var next = tree.Clone();
        next.ChannelGroup.Groups["Application"].Groups["Org2"].Policies["Readers"] = ChannelProfile.Policy(rule, "test");
        return next;
    }

    [Test]
    public async Task An_organisation_changes_its_own_policy_with_its_own_admin_only()
    {
        var genesis = ConfigBlock.ReadConfig(_network.Genesis).Tree;
        var next = genesis.Clone();
        next.ChannelGroup.Groups["Application"].Groups["Org2"].Policies["Readers"] = ChannelProfile.Policy("OR('Org2MSP.admin', 'Org2MSP.peer')", "test");
        var update = ConfigUpdateRules.Compute(TestNetwork.Channel, genesis, next);

        var byOrg1 = await SubmitAsync(update, ("org1.example.com", "Org1MSP"));
        var byOrg2 = await SubmitAsync(update, ("org2.example.com", "Org2MSP"));

        Assert.That(byOrg1.Status, Is.EqualTo(Status.Forbidden));
        Assert.That(byOrg1.Info, Does.Contain("modifying policy /Channel/Application/Org2/Readers needs /Channel/Application/Org2/Admins"));
        Assert.That(byOrg2.Status, Is.EqualTo(Status.Success), byOrg2.Info);
    }

    private async Task<BroadcastResponse> SubmitAsync(ConfigUpdate update, params (string Domain, string MspId)[] admins)
    {
        var bytes = update.ToByteString();
        var envelope = new ConfigUpdateEnvelope { ConfigUpdate = bytes };
        var identities = admins.Select(a => _network.As(a.Domain, $"users/Admin@{a.Domain}", a.MspId)).ToList();
        try
        {
            envelope.Signatures.AddRange(identities.Select(i => ConfigUpdates.Sign(bytes, i.Serialized, i.Files.Signer)));
            using var channel = TestNetwork.Connect(_orderer);
            using var call = new AtomicBroadcast.AtomicBroadcastClient(channel).Broadcast();
            await call.RequestStream.WriteAsync(identities[0].Envelope(TestNetwork.Channel, HeaderType.ConfigUpdate, envelope.ToByteString()));
            await call.ResponseStream.MoveNext(CancellationToken.None);
            return call.ResponseStream.Current;
        }
        finally
        {
            identities.ForEach(i => i.Dispose());
        }
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

        // Org2's Readers become its admins only: its plain users may no longer read the channel. Org2's own admin may
        // change Org2's policies (their mod_policy is Org2's Admins).
        var genesis = ConfigBlock.ReadConfig(_network.Genesis).Tree;
        var next = genesis.Clone();
        next.ChannelGroup.Groups["Application"].Groups["Org2"].Policies["Readers"] = ChannelProfile.Policy("OR('Org2MSP.admin')", "test");
        var response = await SubmitAsync(ConfigUpdateRules.Compute(TestNetwork.Channel, genesis, next), ("org2.example.com", "Org2MSP"));
        Assert.That(response.Status, Is.EqualTo(Status.Success), response.Info);

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
        // The node's console logger writes on its own thread: the line may follow the status on the wire.
        var logged = DateTime.UtcNow.AddSeconds(10);
        while (!_orderer.Output.Contains("no longer a reader of channel funds after a configuration change", StringComparison.Ordinal) && DateTime.UtcNow < logged)
        {
            await Task.Delay(50);
        }

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
