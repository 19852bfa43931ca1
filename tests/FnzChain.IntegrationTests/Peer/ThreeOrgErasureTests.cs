using System.Text;
using FnzChain.Client;
using FnzChain.Protos.Peer;
using static FnzChain.IntegrationTests.Peer.ErasureHelpers;

namespace FnzChain.IntegrationTests.Peer;

/// <summary>
/// The erasure promise with three organisations and a collection of two, all real processes: Org1 and Org2 hold
/// investors' personal data; Org3 endorses (the chaincode needs Org1 and Org3) and validates with hashes only.
/// Compliance purges through <c>fnzchain private purge</c>; a collection with a block-to-live expires. Every claim
/// is checked by scanning the bytes of every peer's and the orderer's data folder.
/// </summary>
[Category("Erasure")]
[Category("Integration")]
public sealed class ThreeOrgErasureTests
{
    private const string Collections = """
        [ { "name": "investorPII", "policy": "OR('Org1MSP.member','Org2MSP.member')", "requiredPeerCount": 0, "maxPeerCount": 1, "memberOnlyRead": true },
          { "name": "kycEvidence", "policy": "OR('Org1MSP.member','Org2MSP.member')", "requiredPeerCount": 0, "maxPeerCount": 1, "blockToLive": 3 } ]
        """;

    private TestNetwork _network = null!;
    private NodeProcess _orderer = null!;
    private readonly NodeProcess[] _peers = new NodeProcess[3];
    private readonly int[] _ports = new int[3];
    private readonly List<IDisposable> _owned = [];

    [SetUp]
    public async Task StartNetwork()
    {
        for (var i = 0; i < 3; i++)
        {
            _ports[i] = TestNetwork.FreePort();
        }

        _network = await TestNetwork.CreateAsync(maxMessageCount: 10, batchTimeout: "200ms", org1AnchorPort: _ports[0], org2AnchorPort: _ports[1], org3AnchorPort: _ports[2]);
        _orderer = await _network.StartOrdererAsync();
        await _network.JoinOrdererAsync(_orderer);
        for (var i = 0; i < 3; i++)
        {
            _peers[i] = await _network.StartPeerAsync(Domain(i), MspId(i), _orderer, port: _ports[i]);
            await _network.JoinPeerAsync(_peers[i], Domain(i), MspId(i));
        }

        var packageId = await _network.InstallFundsAsync([.. Enumerable.Range(0, 3).Select(i => (_peers[i], Domain(i), MspId(i)))]);
        var collections = Path.Combine(_network.Folder, "collections.json");
        await File.WriteAllTextAsync(collections, Collections);
        var define = await _network.RunCliAsync(
            "chaincode", "define", "--peer", _peers[0].Address, "--channel", TestNetwork.Channel, "--name", "funds", "--package-id", packageId,
            "--policy", "AND('Org1MSP.peer','Org3MSP.peer')", "--collections-config", collections,
            "--signer", _network.AdminSigner("Org1MSP", "org1.example.com"), "--signer", _network.AdminSigner("Org2MSP", "org2.example.com"),
            "--signer", _network.AdminSigner("Org3MSP", "org3.example.com"));
        Assert.That(define.ExitCode, Is.Zero, define.Error);
        using var signer = _network.Org1Client();
        var client = new TestClient(signer);
        foreach (var peer in _peers)
        {
            await client.WaitForBlockAsync(peer, 1);
        }
    }

    [TearDown]
    public async Task StopNetwork()
    {
        if (TestContext.CurrentContext.Result.Outcome.Status == NUnit.Framework.Interfaces.TestStatus.Failed)
        {
            TestContext.Out.WriteLine($"--- orderer\n{_orderer?.Output}");
            for (var i = 0; i < 3; i++)
            {
                TestContext.Out.WriteLine($"--- peer of {MspId(i)}\n{_peers[i]?.Output}");
            }
        }

        foreach (var owned in _owned)
        {
            owned.Dispose();
        }

        await _network.DisposeAsync();
    }

    [Test]
    public async Task A_purge_by_compliance_erases_every_version_from_every_node_of_three_organisations()
    {
        var markers = Enumerable.Range(1, 4).Select(i => $"PII-{Guid.NewGuid():N}-v{i}").ToArray();
        var org1 = Contract(0, "users/User1@org1.example.com");
        var org3 = Contract(2, "users/User1@org3.example.com");

        // Left to choose, the gateway sends personal data (transient data) only to the collection's members, and they
        // cannot meet the chaincode's policy (Org1 and Org3): refused, Org3's peer never asked.
        var refused = Assert.ThrowsAsync<GatewayException>(async () => await org1.SubmitAsync("RegisterInvestor", ["I0"], Personal($"NOT-SENT-{Guid.NewGuid():N}")));
        Assert.That(refused!.StatusCode, Is.EqualTo(Grpc.Core.StatusCode.FailedPrecondition), refused.Message);
        Assert.That(refused.Message, Does.Contain("carries transient data, which the gateway sends only to members of the collections it uses (funds/investorPII): Org1MSP, Org2MSP cannot satisfy the endorsement policy of chaincode funds"));
        var refusedTx = System.Text.RegularExpressions.Regex.Match(refused.Message, "transaction ([0-9a-f]{64}) carries").Groups[1].Value;
        Assert.That(refusedTx, Is.Not.Empty, refused.Message);

        // Naming the endorsers, the client sends it to Org3 (a non-member) itself.
        org1 = org1.WithEndorsingOrganizations("Org1MSP", "Org3MSP");

        // Org2's peer is down while the investor is registered and updated: endorsed by Org1 and Org3 (non-member).
        await _peers[1].StopAsync();
        await org1.SubmitAsync("RegisterInvestor", ["I1"], Personal(markers[0]));
        for (var v = 1; v < markers.Length - 1; v++)
        {
            await org1.SubmitAsync("UpdateInvestor", ["I1"], Personal(markers[v]));
        }

        var (_, last) = await org1.SubmitAsyncReturningCommit("UpdateInvestor", ["I1"], Personal(markers[^1]));
        var lastUpdate = await last;
        Assert.That((await org3.Network.GetCommitStatusAsync(lastUpdate.TransactionId)).Result, Is.EqualTo(TxValidationCode.Valid), "the non-member validates the transaction");

        // The member that was down reconciles the current value from Org1 after its restart.
        _peers[1] = await _network.StartPeerAsync("org2.example.com", "Org2MSP", _orderer, port: _ports[1]);
        var org2 = Contract(1, "users/User1@org2.example.com");
        Assert.That(await ReadWhenAvailableAsync(org2, "ReadPersonalData", "I1"), Does.Contain(markers[^1]), _peers[1].Output);
        Assert.That(_peers[1].Output, Does.Contain("reconciled 1 private key(s) of funds/investorPII"));

        var denied = Assert.ThrowsAsync<GatewayException>(async () => await org3.EvaluateAsync("ReadPersonalData", "I1"));
        Assert.That(Detail(denied!), Does.Contain("Org3MSP is not a member of collection investorPII"));
        Assert.That(DataFolderScan.Traces([PeerFolder(2), OrdererFolder], markers), Is.Empty, "the non-member peer and the orderer never hold personal data");
        // Each node's audit trail names every proposal it was sent: Org1's the refused one, Org3's only those it was named for.
        Assert.That(AuditedTxIds(0), Does.Contain(refusedTx), "Org1's peer endorsed the refused proposal first");
        Assert.That(AuditedTxIds(2), Does.Contain(lastUpdate.TransactionId).And.Not.Contain(refusedTx), "Org3's peer was never sent the refused proposal");
        Assert.That(DataFolderScan.FilesContaining(PeerFolder(0), markers[^1]), Is.Not.Empty, "the scan finds data that is there");
        Assert.That(DataFolderScan.FilesContaining(PeerFolder(1), markers[^1]), Is.Not.Empty, "the reconciled member holds it");

        // Deliver with private data: a member's client gets every version from a member peer; a non-member's client
        // gets the blocks without it, even from a member peer.
        var throughBlock = lastUpdate.BlockNumber;
        var delivered = await PrivateValuesAsync(org1, throughBlock);
        Assert.That(delivered, Has.Count.EqualTo(markers.Length));
        Assert.That(markers.Where(m => !delivered.Any(v => v.Contains(m, StringComparison.Ordinal))), Is.Empty, "each version is delivered with its block");
        Assert.That(await PrivateValuesAsync(Contract(0, "users/User1@org3.example.com", viaOrg: 2), throughBlock), Is.Empty, "Org3's client is not a member");
        Assert.That(await PrivateValuesAsync(org2, throughBlock), Has.Count.EqualTo(1), "the reconciled member holds the current value only");

        // Bad purges: each refused with its cause, and nothing is purged.
        var notCompliance = await PurgeAsync("org1.example.com", "users/User1@org1.example.com", "Org1MSP", "investorPII", "investor,I1");
        Assert.That(notCompliance.Error, Does.Contain("does not carry fnz.role=compliance"));
        var nonMember = await PurgeAsync("org3.example.com", "users/compliance@org3.example.com", "Org3MSP", "investorPII", "investor,I1", gateway: 2);
        Assert.That(nonMember.Error, Does.Contain("Org3MSP is not a member of collection investorPII"));
        var missing = await PurgeAsync("org1.example.com", "users/compliance@org1.example.com", "Org1MSP", "investorPII", "investor,NOBODY");
        Assert.That(missing.Error, Does.Contain("collection investorPII of funds has no key"));
        var undefined = await PurgeAsync("org1.example.com", "users/compliance@org1.example.com", "Org1MSP", "salaries", "investor,I1");
        Assert.That(undefined.Error, Does.Contain("collection \"salaries\" is not defined for chaincode funds"));
        Assert.That(new[] { notCompliance.ExitCode, nonMember.ExitCode, missing.ExitCode, undefined.ExitCode }, Is.All.Not.Zero);
        Assert.That(Encoding.UTF8.GetString(await org1.EvaluateAsync("ReadPersonalData", "I1")), Does.Contain(markers[^1]), "a refused purge changes nothing");

        var purge = await PurgeAsync("org1.example.com", "users/compliance@org1.example.com", "Org1MSP", "investorPII", "investor,I1", reason: "GDPR art. 17 request 4711");
        Assert.That(purge.ExitCode, Is.Zero, purge.Error);
        Assert.That(purge.Output, Does.Contain("purged funds/investorPII key").And.Contain("by Org1MSP").And.Contain("reason: GDPR art. 17 request 4711"));

        var traces = await DataFolderScan.UntilNoneAsync(() => DataFolderScan.Traces([.. Enumerable.Range(0, 3).Select(PeerFolder), OrdererFolder], markers));
        Assert.That(traces, Is.Empty, "personal data left after the purge");
        var status = await StatusWhenErasedAsync("investorPII");
        Assert.That(status.ExitCode, Is.Zero, status.Output + status.Error);
        Assert.That(Row(status.Output, "Org1MSP"), Is.EqualTo(new[] { "yes", "no", "no", "0", "no" }));
        Assert.That(Row(status.Output, "Org2MSP"), Is.EqualTo(new[] { "yes", "no", "no", "0", "no" }));
        Assert.That(Row(status.Output, "Org3MSP"), Is.EqualTo(new[] { "no", "no", "no", "0", "no" }));
        foreach (var member in new[] { org1, org2 })
        {
            var gone = Assert.ThrowsAsync<GatewayException>(async () => await member.EvaluateAsync("ReadPersonalData", "I1"));
            Assert.That(Detail(gone!), Does.Contain("no personal data is held for investor I1"));
        }

        Assert.That(await PrivateValuesAsync(org1, throughBlock), Is.Empty, "no block carries the purged key's private data any more");
        var history = Encoding.UTF8.GetString(await org1.EvaluateAsync("InvestorHistory", "I1"));
        Assert.That(history, Does.Contain("personalDataHash"), "the public record's history is there");
        Assert.That(markers.Where(history.Contains), Is.Empty, "GetHistoryForKey shows no purged value");
        await VerifyLedgersAsync();
    }

    [Test]
    public async Task Private_data_expires_after_its_block_to_live_on_every_member_and_leaves_no_byte()
    {
        var org1 = Contract(0, "users/User1@org1.example.com").WithEndorsingOrganizations("Org1MSP", "Org3MSP");
        var org2 = Contract(1, "users/User1@org2.example.com");
        var (personal, evidence) = ($"KEPT-{Guid.NewGuid():N}", $"KYC-{Guid.NewGuid():N}");
        await org1.SubmitAsync("RegisterInvestor", ["I2"], Personal(personal));
        // An evaluate of a function that writes private data leaves nothing behind: no transient copy, no push.
        var evaluated = $"EVALUATED-{Guid.NewGuid():N}";
        await org1.SubmitAsync("CreateFund", ["F0", "Filler", "1", "EUR"]);
        await org1.EvaluateAsync("RecordKycEvidence", ["I2"], new Dictionary<string, byte[]> { ["evidence"] = Encoding.UTF8.GetBytes(evaluated) });
        Assert.That(DataFolderScan.Traces([.. Enumerable.Range(0, 3).Select(PeerFolder)], [evaluated]), Is.Empty, "an evaluate stored private data");

        var (_, recorded) = await org1.SubmitAsyncReturningCommit("RecordKycEvidence", ["I2"], new Dictionary<string, byte[]> { ["evidence"] = Encoding.UTF8.GetBytes(evidence) });
        var written = await recorded;
        Assert.That(written.IsSuccessful, Is.True);
        Assert.That(await ReadWhenAvailableAsync(org2, "ReadKycEvidence", "I2"), Is.EqualTo(evidence), "pushed to Org2's member peer");

        // blockToLive 3: readable in the three blocks after the one that wrote it, gone when the fourth commits.
        for (var i = 1; i <= 3; i++)
        {
            var status = await (await org1.SubmitAsyncReturningCommit("CreateFund", [$"F{i}", "Filler", "1", "EUR"], null)).Commit;
            Assert.That(status.BlockNumber, Is.EqualTo(written.BlockNumber + (ulong)i), "one transaction per block");
            Assert.That(Encoding.UTF8.GetString(await org1.EvaluateAsync("ReadKycEvidence", "I2")), Is.EqualTo(evidence), $"still alive {i} block(s) later");
        }

        var expiring = await (await org1.SubmitAsyncReturningCommit("CreateFund", ["F4", "Filler", "1", "EUR"], null)).Commit;
        await org2.Network.GetCommitStatusAsync(expiring.TransactionId);
        foreach (var member in new[] { org1, org2 })
        {
            var gone = Assert.ThrowsAsync<GatewayException>(async () => await member.EvaluateAsync("ReadKycEvidence", "I2"));
            Assert.That(Detail(gone!), Does.Contain("no KYC evidence is held for investor I2"));
        }

        var traces = await DataFolderScan.UntilNoneAsync(() => DataFolderScan.Traces([.. Enumerable.Range(0, 3).Select(PeerFolder), OrdererFolder], [evidence]));
        Assert.That(traces, Is.Empty, "expired KYC evidence left on disk");
        Assert.That(Encoding.UTF8.GetString(await org1.EvaluateAsync("ReadPersonalData", "I2")), Does.Contain(personal), "a collection without block-to-live keeps its data");
        var status2 = await StatusWhenErasedAsync("kycEvidence", "investor,I2");
        Assert.That(Row(status2.Output, "Org1MSP"), Is.EqualTo(new[] { "yes", "no", "no", "0", "no" }), "expiry removes the hash too");
        await VerifyLedgersAsync();
    }

    [Test]
    public async Task A_member_peer_that_lost_its_database_rebuilds_state_from_its_blocks_and_private_data_from_other_members()
    {
        var org1 = Contract(0, "users/User1@org1.example.com").WithEndorsingOrganizations("Org1MSP", "Org3MSP");
        var marker = $"REBUILT-{Guid.NewGuid():N}";
        await org1.SubmitAsync("RegisterInvestor", ["I3"], Personal(marker));
        var org2 = Contract(1, "users/User1@org2.example.com");
        Assert.That(await ReadWhenAvailableAsync(org2, "ReadPersonalData", "I3"), Does.Contain(marker));

        await _peers[1].StopAsync();
        Directory.Delete(Path.Combine(PeerFolder(1), "channels", TestNetwork.Channel, "db"), recursive: true);
        _peers[1] = await _network.StartPeerAsync("org2.example.com", "Org2MSP", _orderer, port: _ports[1]);
        org2 = Contract(1, "users/User1@org2.example.com");

        Assert.That(await ReadWhenAvailableAsync(org2, "ReadPersonalData", "I3"), Does.Contain(marker), _peers[1].Output);
        Assert.That(Encoding.UTF8.GetString(await org2.EvaluateAsync("ReadInvestor", "I3")), Does.Contain("personalDataHash"), "public state replayed from the block files");
        await VerifyLedgersAsync();
    }

    /// <summary>The transaction ids of the requests peer <paramref name="i"/> has audited so far.</summary>
    private HashSet<string> AuditedTxIds(int i) =>
        [.. AuditFiles.Records(PeerFolder(i)).Select(r => r.TryGetProperty("txId", out var tx) ? tx.GetString() ?? string.Empty : string.Empty)];

    private static string Domain(int i) => $"org{i + 1}.example.com";

    private static string MspId(int i) => $"Org{i + 1}MSP";

    private string PeerFolder(int i) => Path.Combine(_network.Folder, $"peer0.{Domain(i)}-data");

    private string OrdererFolder => Path.Combine(_network.Folder, "orderer-data");

    /// <summary>A contract as <paramref name="who"/> of organisation <paramref name="viaOrg"/> (default: <paramref name="org"/>), through the gateway of <paramref name="org"/>'s peer.</summary>
    private Contract Contract(int org, string who, int? viaOrg = null)
    {
        var identity = ClientIdentity.FromMspFolder(_network.IdentityMsp(Domain(viaOrg ?? org), who), MspId(viaOrg ?? org));
        var gateway = Gateway.Connect(_peers[org].Address, identity);
        _owned.Add(gateway);
        _owned.Add(identity);
        return gateway.GetNetwork(TestNetwork.Channel).GetContract("funds");
    }

    /// <summary>Every private value delivered with blocks 0..<paramref name="last"/> to this contract's identity.</summary>
    private static async Task<List<string>> PrivateValuesAsync(Contract contract, ulong last)
    {
        var found = new List<string>();
        await foreach (var block in contract.Network.GetBlocksWithPrivateDataAsync(0, last))
        {
            found.AddRange(block.PrivateData.Values
                .SelectMany(d => d.NsPvtRwset).SelectMany(n => n.CollectionPvtRwset)
                .SelectMany(c => Protos.Ledger.Rwset.Kvrwset.KVRWSet.Parser.ParseFrom(c.Rwset).Writes)
                .Select(w => w.Value.ToStringUtf8()));
        }

        return found;
    }

    /// <summary>Evaluates until it succeeds (the peer may not have committed or reconciled yet), at most 60 s.</summary>
    private static async Task<string> ReadWhenAvailableAsync(Contract contract, string function, string id)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                return Encoding.UTF8.GetString(await contract.EvaluateAsync(function, id));
            }
            catch (GatewayException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(500);
            }
        }
    }

    private Task<(int ExitCode, string Output, string Error)> PurgeAsync(
        string domain, string who, string mspId, string collection, string compositeKey, int gateway = 0, string reason = "test") =>
        _network.RunCliAsync(
            "private", "purge", "--gateway", _peers[gateway].Address, "--identity", _network.IdentityMsp(domain, who), "--msp-id", mspId,
            "--channel", TestNetwork.Channel, "--chaincode", "funds", "--collection", collection, "--composite-key", compositeKey, "--reason", reason);

    /// <summary><c>fnzchain private status --expect-erased</c> on all three peers, repeated until it passes or 60 s pass.</summary>
    private async Task<(int ExitCode, string Output, string Error)> StatusWhenErasedAsync(string collection, string compositeKey = "investor,I1")
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var status = await _network.RunCliAsync(
                [
                    "private", "status", "--channel", TestNetwork.Channel, "--chaincode", "funds", "--collection", collection, "--composite-key", compositeKey, "--expect-erased",
                    .. Enumerable.Range(0, 3).SelectMany(i => new[] { "--peer", $"{MspId(i)}={_network.IdentityMsp(Domain(i), $"users/Admin@{Domain(i)}")}@{_peers[i].Address}" }),
                ]);
            if (status.ExitCode == 0 || DateTime.UtcNow > deadline)
            {
                return status;
            }

            await Task.Delay(500);
        }
    }

    private async Task VerifyLedgersAsync()
    {
        foreach (var folder in Enumerable.Range(0, 3).Select(PeerFolder).Append(OrdererFolder))
        {
            var verify = await _network.RunCliAsync("ledger", "verify", "--path", Path.Combine(folder, "channels", TestNetwork.Channel));
            Assert.That(verify.ExitCode, Is.Zero, $"{folder}: {verify.Output}{verify.Error}");
        }
    }

    private static string Detail(GatewayException e) => string.Join(" | ", e.Details.Select(d => d.Message).Prepend(e.Message));
}
