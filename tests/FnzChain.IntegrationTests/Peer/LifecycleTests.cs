namespace FnzChain.IntegrationTests.Peer;

/// <summary>
/// Chaincode definitions through the peers' _lifecycle contract, on real peers and an orderer: approvals by
/// organisations' admins (MAJORITY of the channel's Application admins), passed between admins as a file or given at
/// once; the commit endorsed under LifecycleEndorsement; refusals that name the cause; definitions kept in world state
/// across a restart. The fixture defines funds (sequence 1) with both admins.
/// </summary>
[Category("Integration")]
public sealed class LifecycleTests : FundsNetworkFixture
{
    private string Org1Admin => Network.IdentityMsp("org1.example.com", "users/Admin@org1.example.com");

    private string Org2Admin => Network.IdentityMsp("org2.example.com", "users/Admin@org2.example.com");

    private Task<(int ExitCode, string Output, string Error)> ListAsync(NodeProcess peer) =>
        Network.RunCliAsync("chaincode", "list", "--peer", peer.Address, "--channel", TestNetwork.Channel,
            "--identity", Network.IdentityMsp("org2.example.com", "users/User1@org2.example.com"), "--msp-id", "Org2MSP");

    [Test]
    public async Task One_admin_of_two_organisations_is_not_enough_and_the_refusal_names_the_policy()
    {
        var result = await Network.RunCliAsync(
            "chaincode", "define", "--peer", Peer1.Address, "--channel", TestNetwork.Channel, "--name", "funds", "--policy", "OR('Org1MSP.peer')",
            "--signer", Network.AdminSigner("Org1MSP", "org1.example.com"));

        Assert.That(result.ExitCode, Is.EqualTo(1));
        Assert.That(result.Error, Does.Contain("chaincode funds sequence 2 is not approved by enough organisations")
            .And.Contain("/Channel/Application/Admins").And.Contain("1 of 2"));
        Assert.That((await ListAsync(Peer2)).Output, Does.Contain("funds version 1.0, sequence 1, endorsement policy AND('Org1MSP.peer','Org2MSP.peer')"));
    }

    [Test]
    public async Task A_definition_file_passes_between_admins_is_committed_and_survives_a_restart()
    {
        var file = Path.Combine(Network.Folder, "funds-2.definition");
        var written = await Network.RunCliAsync(
            "chaincode", "define", "--peer", Peer1.Address, "--channel", TestNetwork.Channel, "--name", "funds", "--version", "2.0", "--policy", "OR('Org1MSP.peer','Org2MSP.peer')",
            "--out", file, "--identity", Org1Admin, "--msp-id", "Org1MSP");
        Assert.That(written.ExitCode, Is.Zero, written.Error);
        Assert.That(written.Output, Does.Contain("funds version 2.0, sequence 2").And.Contain("0 approval(s)"));

        var byOrg1 = await Network.RunCliAsync("chaincode", "approve", file, "--identity", Org1Admin, "--msp-id", "Org1MSP");
        var again = await Network.RunCliAsync("chaincode", "approve", file, "--identity", Org1Admin, "--msp-id", "Org1MSP");
        var tooEarly = await Network.RunCliAsync("chaincode", "commit", file, "--peer", Peer2.Address, "--identity", Org2Admin, "--msp-id", "Org2MSP");
        var byOrg2 = await Network.RunCliAsync("chaincode", "approve", file, "--identity", Org2Admin, "--msp-id", "Org2MSP");
        var shown = await Network.RunCliAsync("chaincode", "show", file);
        var committed = await Network.RunCliAsync("chaincode", "commit", file, "--peer", Peer2.Address, "--identity", Org2Admin, "--msp-id", "Org2MSP");

        Assert.Multiple(() =>
        {
            Assert.That(byOrg1.ExitCode, Is.Zero, byOrg1.Error);
            Assert.That(again.ExitCode, Is.EqualTo(1));
            Assert.That(again.Error, Does.Contain("has already approved this definition"));
            Assert.That(tooEarly.ExitCode, Is.EqualTo(1));
            Assert.That(tooEarly.Error, Does.Contain("not approved by enough organisations"));
            Assert.That(byOrg2.Output, Does.Contain("2 approval(s)"));
            Assert.That(shown.Output, Does.Contain("channel funds: chaincode funds version 2.0, sequence 2").And.Contain("Org1MSP (").And.Contain("Org2MSP ("));
            Assert.That(committed.ExitCode, Is.Zero, committed.Error);
            Assert.That(committed.Output, Does.Contain("defined on funds in block 2"));
        });

        // The same file again: its sequence no longer follows the committed one.
        var stale = await Network.RunCliAsync("chaincode", "commit", file, "--peer", Peer1.Address, "--identity", Org2Admin, "--msp-id", "Org2MSP");
        Assert.That(stale.Error, Does.Contain("sequence 2 does not follow the committed sequence 2 (expected 3)"));

        // Definitions are world state: a restarted peer reads them back, and the new OR policy lets Org2 alone endorse.
        await Client.WaitForBlockAsync(Peer2, 2);
        await Peer2.StopAsync();
        Peer2 = await Network.StartPeerAsync("org2.example.com", "Org2MSP", Orderer, port: Peer2Port);
        Assert.That((await ListAsync(Peer2)).Output, Does.Contain("funds version 2.0, sequence 2, endorsement policy OR('Org1MSP.peer','Org2MSP.peer')"));
        using var org2User = Network.As("org2.example.com", "users/User1@org2.example.com", "Org2MSP");
        var org2 = new TestClient(org2User);
        var proposed = org2.Propose("funds", "CreateFund", "F9", "Org2 Fund", "1", "EUR");
        var response = await TestClient.EndorseAsync(Peer2, proposed);
        await TestClient.SubmitAsync(Orderer, org2.Assemble(proposed, response));
        var codes = await Client.WaitForCommitAsync(Peer2, proposed.TxId);
        Assert.That(codes[proposed.TxId], Is.EqualTo(FnzChain.Protos.Peer.TxValidationCode.Valid));
    }

    [Test]
    public async Task A_tampered_definition_file_is_refused_and_nothing_changes()
    {
        var file = Path.Combine(Network.Folder, "funds-tampered.definition");
        var written = await Network.RunCliAsync(
            "chaincode", "define", "--peer", Peer1.Address, "--channel", TestNetwork.Channel, "--name", "funds", "--policy", "OR('Org1MSP.peer')",
            "--out", file, "--signer", Network.AdminSigner("Org1MSP", "org1.example.com"), "--signer", Network.AdminSigner("Org2MSP", "org2.example.com"));
        Assert.That(written.ExitCode, Is.Zero, written.Error);
        var bytes = await File.ReadAllBytesAsync(file);
        var at = bytes.AsSpan().IndexOf("Org1MSP"u8); // inside the approved proposal: the policy's principal
        bytes[at + 3] = (byte)'2';
        await File.WriteAllBytesAsync(file, bytes);

        var committed = await Network.RunCliAsync("chaincode", "commit", file, "--peer", Peer1.Address, "--identity", Org1Admin, "--msp-id", "Org1MSP");
        var truncated = Path.Combine(Network.Folder, "funds-truncated.definition");
        await File.WriteAllBytesAsync(truncated, bytes[..(bytes.Length / 2)]);
        var cut = await Network.RunCliAsync("chaincode", "commit", truncated, "--peer", Peer1.Address, "--identity", Org1Admin, "--msp-id", "Org1MSP");

        Assert.Multiple(() =>
        {
            Assert.That(committed.ExitCode, Is.EqualTo(1));
            Assert.That(committed.Error, Does.Contain("not approved by enough organisations"));
            Assert.That(cut.ExitCode, Is.EqualTo(1));
            Assert.That(cut.Error, Does.Contain("is not a chaincode definition approvals file"));
        });
        Assert.That((await ListAsync(Peer1)).Output, Does.Contain("funds version 1.0, sequence 1"));
    }
}
