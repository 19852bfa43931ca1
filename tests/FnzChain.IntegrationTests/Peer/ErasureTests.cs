using System.Text;
using FnzChain.Client;
using FnzChain.Protos.Peer;
using static FnzChain.IntegrationTests.Peer.ErasureHelpers;

namespace FnzChain.IntegrationTests.Peer;

/// <summary>
/// Private data and GDPR erasure with real processes: investors' personal data in a collection whose only member
/// is Org1; Org2 endorses and validates with hashes only. After a value is written, updated and purged, no byte
/// of any version is left in any peer's or the orderer's data folder.
/// </summary>
[Category("Erasure")]
[Category("Integration")]
public sealed class ErasureTests : FundsNetworkFixture
{
    [Test]
    public async Task Personal_data_stays_with_members_and_a_purge_leaves_no_byte_on_any_node()
    {
        await DefineWithCollectionsAsync("AND('Org1MSP.peer','Org2MSP.peer')", """
            [ { "name": "investorPII", "policy": "OR('Org1MSP.member')", "requiredPeerCount": 0, "maxPeerCount": 0,
                "blockToLive": 0, "memberOnlyRead": true, "memberOnlyWrite": false } ]
            """);

        using var org1User = ClientIdentity.FromMspFolder(Network.IdentityMsp("org1.example.com", "users/User1@org1.example.com"), "Org1MSP");
        using var org2User = ClientIdentity.FromMspFolder(Network.IdentityMsp("org2.example.com", "users/User1@org2.example.com"), "Org2MSP");
        using var gateway1 = Gateway.Connect(Peer1.Address, org1User);
        using var gateway2 = Gateway.Connect(Peer2.Address, org2User);
        // Org2 is not a member, but the chaincode needs it: the client names both endorsers, sending the personal data
        // (transient data) to Org2's peer itself; left to choose, the gateway would refuse (ThreeOrgErasureTests).
        var funds1 = gateway1.GetNetwork(TestNetwork.Channel).GetContract("funds").WithEndorsingOrganizations("Org1MSP", "Org2MSP");
        var funds2 = gateway2.GetNetwork(TestNetwork.Channel).GetContract("funds");
        var markers = Enumerable.Range(1, 3).Select(i => $"PERSONAL-{Guid.NewGuid():N}-v{i}").ToArray();

        var tooLarge = Assert.ThrowsAsync<GatewayException>(async () =>
            await funds1.SubmitAsync("RegisterInvestor", ["I0"], new Dictionary<string, byte[]> { ["personal"] = new byte[2 * 1024 * 1024] }));
        Assert.That(tooLarge!.Message, Does.Contain("transient data is 2097160 bytes; at most 1048576 are accepted"));
        await funds1.SubmitAsync("RegisterInvestor", ["I1"], Personal(markers[0]));
        var undefined = Assert.ThrowsAsync<GatewayException>(async () =>
            await funds1.SubmitAsync("RecordKycEvidence", ["I1"], new Dictionary<string, byte[]> { ["evidence"] = "scan"u8.ToArray() }));
        Assert.That(string.Join(" | ", undefined!.Details.Select(d => d.Message).Prepend(undefined.Message)), Does.Contain("collection \"kycEvidence\" is not defined for chaincode funds"));
        await funds1.SubmitAsync("UpdateInvestor", ["I1"], Personal(markers[1]));
        var (_, lastUpdate) = await funds1.SubmitAsyncReturningCommit("UpdateInvestor", ["I1"], Personal(markers[2]));
        var updated = await lastUpdate;
        await gateway2.GetNetwork(TestNetwork.Channel).GetCommitStatusAsync(updated.TransactionId);

        Assert.That(Encoding.UTF8.GetString(await funds1.EvaluateAsync("ReadPersonalData", "I1")), Does.Contain(markers[2]));
        var submitted = Assert.ThrowsAsync<GatewayException>(async () => await funds1.SubmitAsync("ReadPersonalData", "I1"));
        var submittedDetails = string.Join(" | ", submitted!.Details.Select(d => d.Message).Prepend(submitted.Message));
        Assert.That(submittedDetails, Does.Contain("put private data of collection investorPII into its response"), "a submit would store the plaintext in the block");
        Assert.That(submittedDetails, Does.Not.Contain(markers[2]));
        var denied = Assert.ThrowsAsync<GatewayException>(async () => await funds2.EvaluateAsync("ReadPersonalData", "I1"));
        Assert.That(denied!.Message, Does.Contain("Org2MSP is not a member of collection investorPII"));
        foreach (var marker in markers)
        {
            Assert.That(DataFolderScan.FilesContaining(Peer2Folder, marker), Is.Empty, $"the non-member peer holds {marker}");
            Assert.That(DataFolderScan.FilesContaining(OrdererFolder, marker), Is.Empty, $"the orderer holds {marker}");
        }

        Assert.That(DataFolderScan.FilesContaining(Peer1Folder, markers[2]), Is.Not.Empty, "the scan finds data that is there");
        var before = await StatusAsync();
        Assert.That(before.ExitCode, Is.EqualTo(1), before.Output + before.Error);
        Assert.That(Row(before.Output, "Org1MSP"), Is.EqualTo(new[] { "yes", "yes", "yes", "0", "no" }), "Org1: member, plaintext, hash, no transient copy, no erasure running");
        Assert.That(Row(before.Output, "Org2MSP"), Is.EqualTo(new[] { "no", "no", "yes", "0", "no" }), "Org2: not a member, hash only");

        var (_, erasure) = await funds1.SubmitAsyncReturningCommit("EraseInvestor", ["I1", "GDPR art. 17 request"], null);
        Assert.That((await erasure).Result, Is.EqualTo(TxValidationCode.Valid));
        await gateway2.GetNetwork(TestNetwork.Channel).GetCommitStatusAsync((await erasure).TransactionId);

        var remaining = await DataFolderScan.UntilNoneAsync(() => DataFolderScan.Traces([Peer1Folder], markers));
        Assert.That(remaining, Is.Empty, "personal data left on the member peer after the purge");
        var after = await StatusAsync();
        Assert.That(after.ExitCode, Is.Zero, after.Output + after.Error);
        Assert.That(Row(after.Output, "Org1MSP"), Is.EqualTo(new[] { "yes", "no", "no", "0", "no" }));
        var notFound = Assert.ThrowsAsync<GatewayException>(async () => await funds1.EvaluateAsync("ReadPersonalData", "I1"));
        Assert.That(notFound!.Message, Does.Contain("no personal data is held for investor I1"));
        foreach (var peerFolder in new[] { Peer1Folder, Peer2Folder })
        {
            var verify = await Network.RunCliAsync("ledger", "verify", "--path", Path.Combine(peerFolder, "channels", TestNetwork.Channel));
            Assert.That(verify.ExitCode, Is.Zero, verify.Error);
        }
    }

    [Test]
    public async Task An_endorser_pushes_private_data_to_member_peers_that_did_not_endorse_and_needs_the_required_count()
    {
        await DefineWithCollectionsAsync("OR('Org1MSP.peer','Org2MSP.peer')", """
            [ { "name": "investorPII", "policy": "OR('Org1MSP.member','Org2MSP.member')", "requiredPeerCount": 1, "maxPeerCount": 1 } ]
            """);
        using var org1User = ClientIdentity.FromMspFolder(Network.IdentityMsp("org1.example.com", "users/User1@org1.example.com"), "Org1MSP");
        using var org2User = ClientIdentity.FromMspFolder(Network.IdentityMsp("org2.example.com", "users/User1@org2.example.com"), "Org2MSP");
        using var gateway1 = Gateway.Connect(Peer1.Address, org1User);
        using var gateway2 = Gateway.Connect(Peer2.Address, org2User);
        var marker = $"PUSHED-{Guid.NewGuid():N}";

        // OR policy: Org1's gateway endorses on Org1 alone; Org2's peer gets the data only by dissemination.
        var (_, commit) = await gateway1.GetNetwork(TestNetwork.Channel).GetContract("funds").SubmitAsyncReturningCommit("RegisterInvestor", ["I9"], Personal(marker));
        await gateway2.GetNetwork(TestNetwork.Channel).GetCommitStatusAsync((await commit).TransactionId);

        Assert.That(Encoding.UTF8.GetString(await gateway2.GetNetwork(TestNetwork.Channel).GetContract("funds").EvaluateAsync("ReadPersonalData", "I9")), Does.Contain(marker));
        Assert.That(Peer2.Output, Does.Not.Contain("is missing on this member peer"));

        await Peer2.StopAsync();
        var refused = Assert.ThrowsAsync<GatewayException>(async () =>
            await gateway1.GetNetwork(TestNetwork.Channel).GetContract("funds").SubmitAsync("RegisterInvestor", ["I10"], Personal("not stored")));
        Assert.That(refused!.Message, Does.Contain("collection investorPII needs its private data on 1 other peer(s) before endorsement, but reached 0 of 1"));
        Assert.That(refused.Message, Does.Not.Contain("not stored"), "the private data is never in an error");
    }

    [Test]
    public async Task A_member_peer_down_during_endorsement_reconciles_the_private_data_after_restart()
    {
        await DefineWithCollectionsAsync("OR('Org1MSP.peer','Org2MSP.peer')", """
            [ { "name": "investorPII", "policy": "OR('Org1MSP.member','Org2MSP.member')", "requiredPeerCount": 0, "maxPeerCount": 1 } ]
            """);
        await Peer2.StopAsync();

        using var org1User = ClientIdentity.FromMspFolder(Network.IdentityMsp("org1.example.com", "users/User1@org1.example.com"), "Org1MSP");
        using var gateway1 = Gateway.Connect(Peer1.Address, org1User);
        var marker = $"RECONCILED-{Guid.NewGuid():N}";
        await gateway1.GetNetwork(TestNetwork.Channel).GetContract("funds").SubmitAsync("RegisterInvestor", ["I7"], Personal(marker));

        Peer2 = await Network.StartPeerAsync("org2.example.com", "Org2MSP", Orderer, port: Peer2Port);
        using var org2User = ClientIdentity.FromMspFolder(Network.IdentityMsp("org2.example.com", "users/User1@org2.example.com"), "Org2MSP");
        using var gateway2 = Gateway.Connect(Peer2.Address, org2User);
        var funds2 = gateway2.GetNetwork(TestNetwork.Channel).GetContract("funds");
        string? read = null;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (read is null && DateTime.UtcNow < deadline)
        {
            try
            {
                read = Encoding.UTF8.GetString(await funds2.EvaluateAsync("ReadPersonalData", "I7"));
            }
            catch (GatewayException)
            {
                await Task.Delay(500); // not committed or not reconciled yet
            }
        }

        Assert.That(read, Does.Contain(marker), Peer2.Output);
        Assert.That(Peer2.Output, Does.Contain("reconciled 1 private key(s) of funds/investorPII"));
    }

    [Test]
    public async Task The_gateway_meets_a_collections_own_endorsement_policy_and_validation_enforces_it()
    {
        // The chaincode needs one organisation; writes to investorPII need both: the gateway endorses on Org1 first (the
        // personal data is transient data), sees the private write in Org1's result and plans on the collection's
        // policy among the collection's members — Org2 too.
        await DefineWithCollectionsAsync("OR('Org1MSP.peer','Org2MSP.peer')", """
            [ { "name": "investorPII", "policy": "OR('Org1MSP.member','Org2MSP.member')", "requiredPeerCount": 0, "maxPeerCount": 1,
                "endorsementPolicy": { "signaturePolicy": "AND('Org1MSP.peer','Org2MSP.peer')" } } ]
            """);
        using var org1User = ClientIdentity.FromMspFolder(Network.IdentityMsp("org1.example.com", "users/User1@org1.example.com"), "Org1MSP");
        using var gateway1 = Gateway.Connect(Peer1.Address, org1User);
        var funds1 = gateway1.GetNetwork(TestNetwork.Channel).GetContract("funds");

        var (_, registered) = await funds1.SubmitAsyncReturningCommit("RegisterInvestor", ["I20"], Personal("policy test"));
        var (_, fund) = await funds1.SubmitAsyncReturningCommit("CreateFund", ["F20", "Public only", "1", "EUR"], null);

        Assert.That((await registered).Result, Is.EqualTo(TxValidationCode.Valid), "endorsed by both organisations, as the collection's policy needs");
        Assert.That((await fund).Result, Is.EqualTo(TxValidationCode.Valid), "a public-only write needs only the chaincode's policy");
    }

    /// <summary>Redefines the fund contract with <paramref name="policy"/> and the collections in <paramref name="collectionsJson"/>, and waits until both peers have the definition.</summary>
    private async Task DefineWithCollectionsAsync(string policy, string collectionsJson)
    {
        var collections = Path.Combine(Network.Folder, "collections.json");
        await File.WriteAllTextAsync(collections, collectionsJson);
        var define = await Network.RunCliAsync(
            "chaincode", "define", "--peer", Peer1.Address, "--channel", TestNetwork.Channel, "--name", "funds", "--policy", policy,
            "--collections-config", collections,
            "--signer", Network.AdminSigner("Org1MSP", "org1.example.com"), "--signer", Network.AdminSigner("Org2MSP", "org2.example.com"));
        Assert.That(define.ExitCode, Is.Zero, define.Error);
        await Client.WaitForBlockAsync(Peer1, 2);
        await Client.WaitForBlockAsync(Peer2, 2);
    }

    /// <summary><c>fnzchain private status --expect-erased</c> on both peers, each asked by an admin of its organisation.</summary>
    private Task<(int ExitCode, string Output, string Error)> StatusAsync() =>
        Network.RunCliAsync(
            "private", "status", "--channel", TestNetwork.Channel, "--chaincode", "funds", "--collection", "investorPII", "--composite-key", "investor,I1", "--expect-erased",
            "--peer", $"Org1MSP={Network.IdentityMsp("org1.example.com", "users/Admin@org1.example.com")}@{Peer1.Address}",
            "--peer", $"Org2MSP={Network.IdentityMsp("org2.example.com", "users/Admin@org2.example.com")}@{Peer2.Address}");

    private string Peer1Folder => Path.Combine(Network.Folder, "peer0.org1.example.com-data");

    private string Peer2Folder => Path.Combine(Network.Folder, "peer0.org2.example.com-data");

    private string OrdererFolder => Path.Combine(Network.Folder, "orderer-data");
}
