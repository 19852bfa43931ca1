using System.Text.Json;
using FnzChain.Peer.Chaincode;
using FnzChain.Protos.Peer;

namespace FnzChain.IntegrationTests.Peer;

/// <summary>
/// Execute-order-validate across processes: two organisations' peers with the sample fund contract installed,
/// an AND(Org1, Org2) definition, proposals endorsed by both, ordered, and committed by both peers.
/// </summary>
[Category("Integration")]
public sealed class EndorseOrderCommitTests
{
    private TestNetwork _network = null!;
    private NodeProcess _orderer = null!;
    private NodeProcess _peer1 = null!;
    private NodeProcess _peer2 = null!;
    private TestClient _client = null!;

    [SetUp]
    public async Task SetUp()
    {
        _network = await TestNetwork.CreateAsync(maxMessageCount: 10, batchTimeout: "200ms");
        _orderer = await _network.StartOrdererAsync();
        await _network.JoinOrdererAsync(_orderer);
        _peer1 = await _network.StartPeerAsync("org1.example.com", "Org1MSP", _orderer);
        _peer2 = await _network.StartPeerAsync("org2.example.com", "Org2MSP", _orderer);
        await _network.JoinPeerAsync(_peer1, "org1.example.com", "Org1MSP");
        await _network.JoinPeerAsync(_peer2, "org2.example.com", "Org2MSP");

        var build = Path.Combine(_network.Folder, "funds-build");
        Directory.CreateDirectory(build);
        File.Copy(Path.Combine(AppContext.BaseDirectory, "FundsSample.dll"), Path.Combine(build, "FundsSample.dll"));
        var packagePath = Path.Combine(_network.Folder, "funds.zip");
        var package = ChaincodePackage.Create(build, "funds_1.0", "FundsSample.dll", "FnzChain.Samples.Funds.FundContract");
        await File.WriteAllBytesAsync(packagePath, package.Bytes);
        foreach (var (peer, domain, msp) in new[] { (_peer1, "org1.example.com", "Org1MSP"), (_peer2, "org2.example.com", "Org2MSP") })
        {
            var installed = await _network.RunCliAsync("chaincode", "install", "--node", peer.Address, "--identity", _network.IdentityMsp(domain, $"users/Admin@{domain}"), "--msp-id", msp, "--package", packagePath);
            Assert.That(installed.ExitCode, Is.Zero, installed.Error);
            Assert.That(installed.Output.Trim(), Is.EqualTo(package.PackageId));
        }

        var define = await _network.RunCliAsync(
            "chaincode", "define", "--orderer", _orderer.Address, "--channel", TestNetwork.Channel, "--name", "funds", "--package-id", package.PackageId,
            "--policy", "AND('Org1MSP.peer','Org2MSP.peer')",
            "--signer", _network.AdminSigner("Org1MSP", "org1.example.com"), "--signer", _network.AdminSigner("Org2MSP", "org2.example.com"));
        Assert.That(define.ExitCode, Is.Zero, define.Error);
        _client = new TestClient(_network.Org1Client());
        await _client.WaitForBlockAsync(_peer1, 1); // the definition's config block: endorsers need it
        await _client.WaitForBlockAsync(_peer2, 1);
    }

    [TearDown]
    public async Task TearDown()
    {
        if (TestContext.CurrentContext.Result.Outcome.Status == NUnit.Framework.Interfaces.TestStatus.Failed)
        {
            TestContext.Out.WriteLine($"--- orderer\n{_orderer.Output}\n--- peer1\n{_peer1.Output}\n--- peer2\n{_peer2.Output}");
        }

        await _network.DisposeAsync();
    }

    private async Task<(TestClient.Proposed Proposed, ProposalResponse[] Responses)> EndorseAsync(params string[] args)
    {
        var proposed = _client.Propose("funds", args);
        var responses = await Task.WhenAll(TestClient.EndorseAsync(_peer1, proposed), TestClient.EndorseAsync(_peer2, proposed));
        return (proposed, responses);
    }

    [Test]
    public async Task A_transaction_endorsed_by_both_orgs_commits_on_both_peers_and_reads_back()
    {
        var (proposed, responses) = await EndorseAsync("CreateFund", "F1", "Global Equity", "101.25", "EUR");

        Assert.That(responses.Select(r => r.Response.Status), Is.All.EqualTo(200), string.Join("; ", responses.Select(r => r.Response.Message)));
        Assert.That(responses[0].Payload, Is.EqualTo(responses[1].Payload), "both endorsers simulated the same read/write set");
        await TestClient.SubmitAsync(_orderer, _client.Assemble(proposed, responses));

        Assert.That((await _client.WaitForCommitAsync(_peer1, proposed.TxId))[proposed.TxId], Is.EqualTo(TxValidationCode.Valid));
        Assert.That((await _client.WaitForCommitAsync(_peer2, proposed.TxId))[proposed.TxId], Is.EqualTo(TxValidationCode.Valid));
        var (_, read) = await EndorseAsync("ReadFund", "F1");
        using var fund = JsonDocument.Parse(read[1].Response.Payload.ToByteArray());
        Assert.That(fund.RootElement.GetProperty("nav").GetDecimal(), Is.EqualTo(101.25m));
    }

    [Test]
    public async Task Two_concurrent_updates_of_one_fund_leave_exactly_one_valid()
    {
        var (created, createdResponses) = await EndorseAsync("CreateFund", "F1", "Bonds", "10", "EUR");
        Assert.That(createdResponses.Select(r => r.Response.Status), Is.All.EqualTo(200), string.Join("; ", createdResponses.Select(r => r.Response.Message)));
        await TestClient.SubmitAsync(_orderer, _client.Assemble(created, createdResponses));
        await _client.WaitForCommitAsync(_peer1, created.TxId);
        await _client.WaitForCommitAsync(_peer2, created.TxId);

        var (first, firstResponses) = await EndorseAsync("PublishNav", "F1", "11");
        var (second, secondResponses) = await EndorseAsync("PublishNav", "F1", "12");
        Assert.That(firstResponses.Concat(secondResponses).Select(r => r.Response.Status), Is.All.EqualTo(200), string.Join("; ", firstResponses.Concat(secondResponses).Select(r => r.Response.Message)));
        await TestClient.SubmitAsync(_orderer, _client.Assemble(first, firstResponses), _client.Assemble(second, secondResponses));
        var codes = await _client.WaitForCommitAsync(_peer2, first.TxId, second.TxId);

        Assert.That(codes[first.TxId], Is.EqualTo(TxValidationCode.Valid));
        Assert.That(codes[second.TxId], Is.EqualTo(TxValidationCode.MvccReadConflict));
    }

    [Test]
    public async Task A_chaincode_error_is_returned_without_an_endorsement()
    {
        var (_, responses) = await EndorseAsync("ReadFund", "F404");

        Assert.That(responses.Select(r => (r.Response.Status, r.Response.Message)), Is.All.EqualTo((404, "fund F404 does not exist")));
        Assert.That(responses.Select(r => r.Endorsement), Is.All.Null);
    }

    [Test]
    public async Task A_proposal_for_an_undefined_chaincode_is_refused_with_the_reason()
    {
        var proposed = _client.Propose("nope", "Anything");

        var response = await TestClient.EndorseAsync(_peer1, proposed);

        Assert.That(response.Response.Status, Is.EqualTo(500));
        Assert.That(response.Response.Message, Is.EqualTo("chaincode \"nope\" is not defined on channel funds"));
    }
}
