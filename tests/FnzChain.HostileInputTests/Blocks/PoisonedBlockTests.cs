using System.Text.Json;
using FnzChain.HostileInputTests.Network;
using FnzChain.Crypto.Keys;
using FnzChain.Identity.Channels;
using FnzChain.Identity.Msp;
using FnzChain.IntegrationTests;
using FnzChain.Ledger.Blocks;
using FnzChain.Node.Channels;
using FnzChain.Orderer.Signing;
using FnzChain.Protos.Admin;
using FnzChain.Protos.Common;
using FnzChain.Protos.Orderer;
using FnzChain.Protos.Peer;
using Google.Protobuf;

namespace FnzChain.HostileInputTests.Blocks;

/// <summary>
/// Issue 13's headline: a transaction whose identities carry a certificate .NET cannot read the dates of must not halt
/// the peers. It is committed INVALID with its code and a reason on every peer, heights stay equal to the orderer's,
/// and the next valid transaction commits. Its own network: a halted peer must not take the other suites down.
/// </summary>
[TestFixture]
[Category("Hostile")]
[NonParallelizable]
public sealed class PoisonedBlockTests
{
    private static readonly TimeSpan s_commitTimeout = TimeSpan.FromSeconds(30);
    private HostileNetwork _net = null!;

    [OneTimeSetUp]
    public async Task StartNetwork() => _net = await HostileNetwork.StartAsync();

    [OneTimeTearDown]
    public async Task StopNetwork()
    {
        if (_net is not null)
        {
            await _net.DisposeAsync();
        }
    }

    [TearDown]
    public void PrintLogsOnFailure()
    {
        if (TestContext.CurrentContext.Result.Outcome.Status == NUnit.Framework.Interfaces.TestStatus.Failed)
        {
            TestContext.Out.WriteLine($"--- orderer\n{Tail(_net.Orderer.Output)}\n--- peer1\n{Tail(_net.Peer1.Output)}\n--- peer2\n{Tail(_net.Peer2.Output)}");
        }
    }

    [Test]
    public async Task Transaction_with_a_poisoned_endorser_certificate_commits_invalid_on_every_peer_and_the_next_commits()
    {
        var (poisoned, corruption) = PoisonedIdentity.Create("Org1MSP", _net.Org1Peer.Files.Certificate);
        TestContext.Progress.WriteLine($"poisoned endorser: Org1's peer certificate with its {corruption}");
        var envelope = EndorsedWithPoisonedFirstEndorser(poisoned);
        var poisonedTx = SignedEnvelope.Parse(envelope).TxId;
        var next = _net.EndorsedTransaction("after-poisoned-endorser", "v");
        var nextTx = SignedEnvelope.Parse(next).TxId;

        await TestClient.SubmitAsync(_net.Orderer, envelope); // the orderer checks only the submitter: it accepts
        await TestClient.SubmitAsync(_net.Orderer, next);

        foreach (var (peer, name) in new[] { (_net.Peer1, "peer1"), (_net.Peer2, "peer2") })
        {
            var commits = await CommitsAsync(peer, poisonedTx, nextTx);
            Assert.That(commits.Keys, Is.EquivalentTo(new[] { poisonedTx, nextTx }), $"{name} did not commit both transactions within {s_commitTimeout.TotalSeconds} s (halted by the poisoned block?)");
            Assert.That(commits[poisonedTx].Code, Is.AnyOf(TxValidationCode.EndorsementPolicyFailure, TxValidationCode.InvalidOtherReason), $"{name}: code of the poisoned transaction");
            Assert.That(commits[nextTx].Code, Is.EqualTo(TxValidationCode.Valid), $"{name}: the transaction after the poisoned one");
            Assert.That(
                await ReasonLoggedAsync(peer, commits[poisonedTx].Block, commits[poisonedTx].Code),
                Is.True,
                $"{name} logs no reason for block {commits[poisonedTx].Block}'s poisoned transaction");
        }

        var ordererHeight = await HeightAsync(_net.Orderer, _net.OrdererAdmin);
        Assert.Multiple(async () =>
        {
            Assert.That(await HeightAsync(_net.Peer1, _net.Org1Admin), Is.EqualTo(ordererHeight), "peer1's height");
            using var org2Admin = _net.Network.As("org2.example.com", "users/Admin@org2.example.com", "Org2MSP");
            Assert.That(await HeightAsync(_net.Peer2, org2Admin), Is.EqualTo(ordererHeight), "peer2's height");
        });
    }

    [Test]
    public async Task Block_from_the_orderer_with_a_poisoned_creator_commits_with_bad_creator_signature_and_the_next_commits()
    {
        var (poisoned, corruption) = PoisonedIdentity.Create("Org1MSP", _net.Client.Files.Certificate);
        TestContext.Progress.WriteLine($"poisoned creator: Org1's client certificate with its {corruption}");
        // It answers with the real orderer's TLS certificate (the peers' TLS settings trust it) unless the network is plaintext.
        var ordererTls = Path.Combine(Path.GetDirectoryName(_net.Network.IdentityMsp("example.com", "orderers/orderer.example.com"))!, "tls");
        await using var fake = _net.Network.Security == FnzChain.Cli.Network.NetworkShape.Insecure
            ? await FakeOrderer.StartAsync()
            : await FakeOrderer.StartAsync(Path.Combine(ordererTls, "server.crt"), Path.Combine(ordererTls, "server.key"));
        var chain = await ReadChainAsync(_net.Orderer);
        foreach (var block in chain)
        {
            fake.Append(block);
        }

        // The real orderer refuses a creator it cannot read, so the test cuts the block itself, signed with the orderer's key.
        var data = Payload.Parser.ParseFrom(_net.EndorsedTransaction("poisoned-creator", "v").Payload).Data;
        var poisonedEnvelope = SignedEnvelope.Create(TestNetwork.Channel, HeaderType.EndorserTransaction, data, poisoned, _net.Client.Files.Signer);
        var poisonedTx = SignedEnvelope.Parse(poisonedEnvelope).TxId;
        var next = _net.EndorsedTransaction("after-poisoned-creator", "v");
        var nextTx = SignedEnvelope.Parse(next).TxId;
        using (var ordererIdentity = SigningIdentityFiles.Load(_net.Network.IdentityMsp("example.com", "orderers/orderer.example.com")))
        {
            var signer = new BlockSigner(MspRegistry.Serialize("OrdererMSP", ordererIdentity.Certificate), ordererIdentity.Signer);
            var lastConfig = ConfigBlock.LastConfigIndex(chain[^1]);
            var previous = chain[^1];
            foreach (var envelope in new[] { poisonedEnvelope, next })
            {
                var block = BlockFactory.Create(previous.Header.Number + 1, BlockHashing.HeaderHash(previous.Header), [envelope.ToByteString()]);
                signer.Sign(block, lastConfig);
                fake.Append(block);
                previous = block;
            }
        }

        var peer = await StartPeerPullingFromAsync(fake.Address);
        var commits = await CommitsAsync(peer, poisonedTx, nextTx);
        TestContext.Progress.WriteLine($"poisoned creator: the peer opened {fake.Streams} Deliver stream(s) to the test's orderer; its pull failures: "
            + string.Join(" | ", peer.Output.Split('\n').Where(l => l.Contains("pulling blocks failed", StringComparison.Ordinal)).Take(3)));
        Assert.That(commits.Keys, Is.EquivalentTo(new[] { poisonedTx, nextTx }), $"the peer did not commit both blocks within {s_commitTimeout.TotalSeconds} s (halted by the poisoned block?)\n{Tail(peer.Output)}");
        Assert.That(commits[poisonedTx].Code, Is.EqualTo(TxValidationCode.BadCreatorSignature), "code of the transaction with the poisoned creator");
        Assert.That(commits[nextTx].Code, Is.EqualTo(TxValidationCode.Valid), "the transaction after the poisoned one");
        Assert.That(await ReasonLoggedAsync(peer, commits[poisonedTx].Block, commits[poisonedTx].Code), Is.True, $"the peer logs no reason for the poisoned transaction\n{Tail(peer.Output)}");
        Assert.That(await HeightAsync(peer, _net.Org1Admin), Is.EqualTo(previousHeight(chain) + 2), "the peer's height: the fake orderer's chain");

        static ulong previousHeight(List<Block> chain) => chain[^1].Header.Number + 1;
    }

    /// <summary>Both endorsements signed by the real peers' keys; the first endorser's certificate is the poisoned one.</summary>
    private Envelope EndorsedWithPoisonedFirstEndorser(byte[] poisoned)
    {
        var valid = _net.EndorsedTransaction("poisoned-endorser", "v");
        var payload = Payload.Parser.ParseFrom(valid.Payload);
        var transaction = Transaction.Parser.ParseFrom(payload.Data);
        var action = ChaincodeActionPayload.Parser.ParseFrom(transaction.Actions[0].Payload);
        var endorsement = action.Action.Endorsements[0];
        endorsement.Endorser = ByteString.CopyFrom(poisoned);
        endorsement.Signature = ByteString.CopyFrom(_net.Org1Peer.Files.Signer.Sign([.. action.Action.ProposalResponsePayload.Span, .. poisoned]));
        transaction.Actions[0].Payload = action.ToByteString();
        return _net.Client.Envelope(TestNetwork.Channel, HeaderType.EndorserTransaction, transaction.ToByteString());
    }

    /// <summary>A third peer of Org1 (its own data folder, the same identity) whose only orderer is <paramref name="ordererAddress"/>.</summary>
    private async Task<NodeProcess> StartPeerPullingFromAsync(string ordererAddress)
    {
        var net = _net.Network;
        await File.WriteAllTextAsync(Path.Combine(net.Folder, "peer9.org1.example.com.json"), JsonSerializer.Serialize(new
        {
            listenAddress = "127.0.0.1:0",
            mspId = "Org1MSP",
            mspPath = net.IdentityMsp("org1.example.com", "peers/peer0.org1.example.com"),
            dataPath = Path.Combine(net.Folder, "peer9.org1.example.com-data"),
            ordererAddresses = new[] { ordererAddress },
            durability = "buffered",
            tls = FnzChain.Cli.Network.LocalNetwork.TlsSection(Path.GetDirectoryName(net.IdentityMsp("org1.example.com", "peers/peer0.org1.example.com"))!, net.Security),
        }));
        var peer = await net.StartPeerAsync("org1.example.com", "Org1MSP", _net.Orderer, name: "peer9");
        await net.JoinPeerAsync(peer, "org1.example.com", "Org1MSP");
        return peer;
    }

    /// <summary>Every block the orderer has, in order.</summary>
    private async Task<List<Block>> ReadChainAsync(NodeProcess orderer)
    {
        var height = await HeightAsync(orderer, _net.OrdererAdmin);
        using var channel = TestNetwork.Connect(orderer);
        using var timeout = new CancellationTokenSource(s_commitTimeout);
        using var call = new AtomicBroadcast.AtomicBroadcastClient(channel).Deliver(cancellationToken: timeout.Token);
        var seek = new SeekInfo { Start = new SeekPosition { Oldest = new SeekOldest() }, Stop = new SeekPosition { Specified = new SeekSpecified { Number = height - 1 } } };
        await call.RequestStream.WriteAsync(_net.Client.Envelope(TestNetwork.Channel, HeaderType.DeliverSeekInfo, seek.ToByteString()));
        var blocks = new List<Block>();
        while (await call.ResponseStream.MoveNext(timeout.Token) && call.ResponseStream.Current.TypeCase == FnzChain.Protos.Orderer.DeliverResponse.TypeOneofCase.Block)
        {
            blocks.Add(call.ResponseStream.Current.Block);
        }

        Assert.That(blocks, Has.Count.EqualTo((int)height), "the orderer's chain");
        return blocks;
    }

    /// <summary>The validation code and block of each tx id as the peer commits them (waits up to the commit timeout; missing ones are absent).</summary>
    private async Task<Dictionary<string, (TxValidationCode Code, ulong Block)>> CommitsAsync(NodeProcess peer, params string[] txIds)
    {
        using var channel = TestNetwork.Connect(peer);
        using var timeout = new CancellationTokenSource(s_commitTimeout);
        var found = new Dictionary<string, (TxValidationCode, ulong)>();
        try
        {
            using var call = new Deliver.DeliverClient(channel).DeliverFiltered(cancellationToken: timeout.Token);
            var seek = new SeekInfo { Start = new SeekPosition { Oldest = new SeekOldest() }, Stop = new SeekPosition { Specified = new SeekSpecified { Number = ulong.MaxValue } } };
            await call.RequestStream.WriteAsync(_net.Client.Envelope(TestNetwork.Channel, HeaderType.DeliverSeekInfo, seek.ToByteString()));
            while (found.Count < txIds.Length && await call.ResponseStream.MoveNext(timeout.Token))
            {
                var block = call.ResponseStream.Current.FilteredBlock;
                foreach (var tx in block?.FilteredTransactions ?? [])
                {
                    if (txIds.Contains(tx.Txid))
                    {
                        found[tx.Txid] = (tx.TxValidationCode, block!.Number);
                    }
                }
            }
        }
        catch (Grpc.Core.RpcException e) when (e.StatusCode is Grpc.Core.StatusCode.Cancelled or Grpc.Core.StatusCode.DeadlineExceeded)
        {
            // not all committed in time: the caller's assertion names what is missing
        }

        return found;
    }

    private static async Task<ulong> HeightAsync(NodeProcess node, Signer admin)
    {
        using var channel = TestNetwork.Connect(node);
        var list = await new NodeAdmin.NodeAdminClient(channel).ListChannelsAsync(admin.Admin(new AdminRequest { ListChannels = new ListChannelsRequest() }));
        return list.Channels.Single(c => c.ChannelId == TestNetwork.Channel).Height;
    }

    /// <summary>
    /// Waits (the node's console logger writes asynchronously, and its output is read asynchronously) until the peer
    /// logged the verdict of a transaction of <paramref name="block"/>; false when it did not within the timeout.
    /// </summary>
    private static async Task<bool> ReasonLoggedAsync(NodeProcess peer, ulong block, TxValidationCode code)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!ReasonLogged(peer.Output, block, code))
        {
            try
            {
                await Task.Delay(50, timeout.Token);
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The peer logged the verdict of a transaction of <paramref name="block"/> with its code and a non-empty reason.</summary>
    private static bool ReasonLogged(string log, ulong block, TxValidationCode code) =>
        log.Split('\n').Any(line => line.Contains($"block {block} transaction", StringComparison.Ordinal)
            && line.Contains($" is {code}: ", StringComparison.Ordinal)
            && line[(line.IndexOf($" is {code}: ", StringComparison.Ordinal) + code.ToString().Length + 5)..].Trim().Length > 0);

    private static string Tail(string text) => text.Length <= 6000 ? text : "…" + text[^6000..];
}
