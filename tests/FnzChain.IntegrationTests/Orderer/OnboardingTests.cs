using FnzChain.Client;
using FnzChain.Crypto.Cryptogen;
using FnzChain.Protos.Common;
using FnzChain.Protos.Orderer;
using Google.Protobuf;
using Status = FnzChain.Protos.Common.Status;

namespace FnzChain.IntegrationTests.Orderer;

/// <summary>
/// Operators change a live three-organisation channel with <c>fnzchain channel update</c>, all real processes: a
/// fourth organisation is added by an update file passed between two admins' folders, its peer joins and catches up,
/// endorses and commits; organisations change what is theirs with their own admin only; a removed organisation is
/// shut out; a CRL pushed by <c>update-msp</c> stops a revoked client from that block on.
/// </summary>
[Category("Integration")]
public sealed class OnboardingTests
{
    private const string Policy = "OR('Org1MSP.peer','Org2MSP.peer','Org3MSP.peer','Org4MSP.peer')";

    private TestNetwork _network = null!;
    private NodeProcess _orderer = null!;
    private readonly List<NodeProcess> _peers = [];
    private readonly int[] _ports = new int[4];
    private readonly List<IDisposable> _owned = [];
    private string _packageId = string.Empty;

    private static string Domain(int org) => $"org{org + 1}.example.com";

    private static string MspId(int org) => $"Org{org + 1}MSP";

    private string AdminMsp(int org) => _network.IdentityMsp(Domain(org), $"users/Admin@{Domain(org)}");

    [SetUp]
    public async Task StartNetwork()
    {
        _peers.Clear();
        _owned.Clear();
        for (var i = 0; i < _ports.Length; i++)
        {
            _ports[i] = TestNetwork.FreePort();
        }

        _network = await TestNetwork.CreateAsync(maxMessageCount: 10, batchTimeout: "200ms", org1AnchorPort: _ports[0], org2AnchorPort: _ports[1], org3AnchorPort: _ports[2]);
        _orderer = await _network.StartOrdererAsync();
        await _network.JoinOrdererAsync(_orderer);
        for (var i = 0; i < 3; i++)
        {
            _peers.Add(await _network.StartPeerAsync(Domain(i), MspId(i), _orderer, port: _ports[i]));
            await _network.JoinPeerAsync(_peers[i], Domain(i), MspId(i));
        }

        _packageId = await _network.InstallFundsAsync([.. Enumerable.Range(0, 3).Select(i => (_peers[i], Domain(i), MspId(i)))]);
        var define = await _network.RunCliAsync(
            "chaincode", "define", "--peer", _peers[0].Address, "--channel", "funds", "--name", "funds", "--package-id", _packageId, "--policy", Policy,
            "--signer", _network.AdminSigner("Org1MSP", Domain(0)), "--signer", _network.AdminSigner("Org2MSP", Domain(1)));
        Assert.That(define.ExitCode, Is.Zero, define.Error);
        await Contract(0, "users/User1@org1.example.com").SubmitAsync("CreateFund", "F1", "Fund one", "100.00", "EUR");
    }

    [TearDown]
    public async Task StopNetwork()
    {
        if (TestContext.CurrentContext.Result.Outcome.Status == NUnit.Framework.Interfaces.TestStatus.Failed)
        {
            TestContext.Out.WriteLine($"--- orderer\n{_orderer?.Output}");
            for (var i = 0; i < _peers.Count; i++)
            {
                TestContext.Out.WriteLine($"--- peer of {MspId(i)}\n{_peers[i].Output}");
            }
        }

        _owned.ForEach(o => o.Dispose());
        await _network.DisposeAsync();
    }

    private Contract Contract(int org, string who, int? viaPeer = null)
    {
        var identity = ClientIdentity.FromMspFolder(_network.IdentityMsp(Domain(org), who), MspId(org));
        var gateway = Gateway.Connect(_peers[viaPeer ?? org].Address, identity);
        _owned.Add(gateway);
        _owned.Add(identity);
        return gateway.GetNetwork("funds").GetContract("funds");
    }

    private Task<(int ExitCode, string Output, string Error)> Cli(params string[] args) => _network.RunCliAsync(args);

    private string[] ReadFrom(int org) => ["--orderer", _orderer.Address, "--identity", AdminMsp(org), "--msp-id", MspId(org)];

    private async Task<(int ExitCode, string Output, string Error)> Sign(string file, int org) =>
        await Cli("channel", "update", "sign", file, "--identity", AdminMsp(org), "--msp-id", MspId(org));

    private async Task<(int ExitCode, string Output, string Error)> Submit(string file, int org = 0) =>
        await Cli(["channel", "update", "submit", file, .. ReadFrom(org)]);

    /// <summary>A copy of <paramref name="file"/> in an admin's own folder, as if sent to them.</summary>
    private string Handed(string file, string admin)
    {
        var folder = Directory.CreateDirectory(Path.Combine(_network.Folder, admin)).FullName;
        var copy = Path.Combine(folder, Path.GetFileName(file));
        File.Copy(file, copy, overwrite: true);
        return copy;
    }

    private void GenerateOrg4() =>
        new CryptoMaterialGenerator().Generate(
            CryptoConfigReader.Parse("""{ "peerOrgs": [ { "name": "Org4", "domain": "org4.example.com", "mspId": "Org4MSP", "peers": 1, "users": 1 } ] }"""),
            _network.Crypto,
            force: false);

    [Test]
    public async Task A_fourth_organisation_added_by_two_of_three_admins_joins_catches_up_endorses_and_commits()
    {
        GenerateOrg4();
        var file = Path.Combine(_network.Folder, "add-org4.update");
        var made = await Cli(["channel", "update", "add-org", "--channel", "funds", .. ReadFrom(0), "--org-msp", _network.OrgMsp("org4.example.com"),
            "--new-msp-id", "Org4MSP", "--anchor-peer", $"127.0.0.1:{_ports[3]}", "--out", file]);
        Assert.That(made.ExitCode, Is.Zero, made.Error);
        Assert.That(made.Output, Does.Contain("adds group /Channel/Application/Org4: MSP Org4MSP, root CA 'CN=ca.org4.example.com"));
        Assert.That(made.Output, Does.Contain("modifies group /Channel/Application (version 0 → 1); needs /Channel/Application/Admins (MAJORITY Admins)"));

        // The transfer agent's admin (Org1) signs in its folder and sends the file on; one signature of three is refused.
        var atOrg1 = Handed(file, "admin-org1");
        Assert.That((await Sign(atOrg1, 0)).ExitCode, Is.Zero);
        var alone = await Submit(atOrg1);
        Assert.That(alone.ExitCode, Is.EqualTo(1));
        Assert.That(alone.Error, Does.Contain("Forbidden: config update not authorized").And.Contain("modifying group /Channel/Application needs /Channel/Application/Admins (MAJORITY Admins)")
            .And.Contain("1 of 3 organisations' Admins policies satisfied, 2 required").And.Contain("Org2:").And.Contain("Org3:")
            .And.Contain("valid signatures from Org1MSP"));
        Assert.That((await Sign(atOrg1, 0)).Error, Does.Contain("is already signed by Org1MSP"), "the same admin cannot sign twice");

        var atOrg2 = Handed(atOrg1, "admin-org2");
        var shown = await Cli(["channel", "update", "show", atOrg2, .. ReadFrom(1)]);
        Assert.That(shown.Output, Does.Contain("adds group /Channel/Application/Org4").And.Contain("Org1MSP 'CN=Admin@org1.example.com").And.Contain("signature valid over this update"));
        Assert.That((await Sign(atOrg2, 1)).ExitCode, Is.Zero);
        var submitted = await Submit(atOrg2, 1);
        Assert.That(submitted.ExitCode, Is.Zero, submitted.Error);
        Assert.That(submitted.Output, Does.Match("channel funds: update applied in config block [0-9]+, config sequence 1"));

        // Org4's peer joins with the genesis block, pulls every block and validates each against the config of its height.
        _peers.Add(await _network.StartPeerAsync("org4.example.com", "Org4MSP", _orderer, port: _ports[3]));
        await _network.JoinPeerAsync(_peers[3], "org4.example.com", "Org4MSP");
        _ = await _network.InstallFundsAsync((_peers[3], "org4.example.com", "Org4MSP"));
        var org4 = Contract(3, "users/User1@org4.example.com");
        var (_, commit) = await org4.SubmitAsyncReturningCommit("CreateFund", ["F4", "Fund four", "40.00", "EUR"], transient: null);
        var status = await commit;
        Assert.That(status.Result, Is.EqualTo(FnzChain.Protos.Peer.TxValidationCode.Valid));

        var org1 = Contract(0, "users/User1@org1.example.com");
        Assert.That(await WaitForAsync(() => org1.EvaluateAsync("ReadFund", "F4")), Does.Contain("Fund four"), "Org1 committed Org4's transaction");
        Assert.That(System.Text.Encoding.UTF8.GetString(await org4.EvaluateAsync("ReadFund", "F1")), Does.Contain("Fund one"), "Org4 caught up with the state before it joined");

        // Same blocks everywhere: ledger verify on Org1's and Org4's ledgers gives the same last block hash.
        using (var reader = _network.Org1Client())
        {
            await new TestClient(reader).WaitForBlockAsync(_peers[0], status.BlockNumber);
        }

        await _peers[0].StopAsync();
        await _peers[3].StopAsync();
        var verify1 = await Cli("ledger", "verify", "--path", LedgerOf("peer0.org1.example.com"));
        var verify4 = await Cli("ledger", "verify", "--path", LedgerOf("peer0.org4.example.com"));
        Assert.That(verify1.ExitCode, Is.Zero, verify1.Error);
        Assert.That(verify4.ExitCode, Is.Zero, verify4.Error);
        Assert.That(LastHash(verify4.Output), Is.EqualTo(LastHash(verify1.Output)));
    }

    [Test]
    public async Task An_organisation_sets_its_own_anchor_peers_with_its_own_admin_and_a_stale_update_is_refused()
    {
        var file = Path.Combine(_network.Folder, "anchors.update");
        var stale = Path.Combine(_network.Folder, "anchors-stale.update");
        var before = Path.Combine(_network.Folder, "config-before.block");
        var fetched = await Cli(["channel", "fetch", "--channel", "funds", .. ReadFrom(2), "--out", before]);
        Assert.That(fetched.Output, Does.Match("block [0-9]+ of channel funds written to .* \\(a config block, config sequence 0\\)"), fetched.Error);
        Assert.That((await Cli(["channel", "update", "set-anchor-peers", "--channel", "funds", .. ReadFrom(2), "--org", "Org3", "--anchor-peer", $"127.0.0.1:{_ports[2]}", "--anchor-peer", "127.0.0.1:1", "--out", file])).ExitCode, Is.Zero);
        Assert.That((await Sign(file, 2)).ExitCode, Is.Zero);

        var applied = await Submit(file, 2);

        Assert.That(applied.ExitCode, Is.Zero, applied.Error);
        // An update made from the config block fetched before that change is stale now.
        var made = await Cli("channel", "update", "set-anchor-peers", "--channel", "funds", "--block", before, "--org", "Org3", "--anchor-peer", "127.0.0.1:2", "--out", stale);
        Assert.That(made.ExitCode, Is.Zero, made.Error);
        Assert.That((await Sign(stale, 2)).ExitCode, Is.Zero);
        var again = await Submit(stale, 2);
        Assert.That(again.ExitCode, Is.EqualTo(1));
        Assert.That(again.Error, Does.Contain("config update is stale: it sets value /Channel/Application/Org3/AnchorPeers to version 1 but channel funds has it at version 1 already"));
    }

    [Test]
    public async Task A_removed_organisations_client_is_refused_on_submit_and_deliver()
    {
        var file = Path.Combine(_network.Folder, "remove-org3.update");
        Assert.That((await Cli(["channel", "update", "remove-org", "--channel", "funds", .. ReadFrom(0), "--org", "Org3", "--out", file])).ExitCode, Is.Zero);
        Assert.That((await Sign(file, 0)).ExitCode, Is.Zero);
        Assert.That((await Sign(file, 1)).ExitCode, Is.Zero);
        var removed = await Submit(file);
        Assert.That(removed.ExitCode, Is.Zero, removed.Error);

        var org3ViaOrg1 = Contract(2, "users/User1@org3.example.com", viaPeer: 0);
        var refused = Assert.CatchAsync<GatewayException>(async () => await org3ViaOrg1.SubmitAsync("CreateFund", "F3", "Fund three", "30.00", "EUR"));
        Assert.That(refused!.Message + refused.InnerException?.Message, Does.Contain("Org3MSP"));

        using var org3 = _network.As("org3.example.com", "users/User1@org3.example.com", "Org3MSP");
        using var channel = TestNetwork.Connect(_orderer);
        using var call = new AtomicBroadcast.AtomicBroadcastClient(channel).Deliver();
        var oldest = new SeekPosition { Oldest = new SeekOldest() };
        await call.RequestStream.WriteAsync(org3.Envelope("funds", HeaderType.DeliverSeekInfo, new SeekInfo { Start = oldest, Stop = oldest }.ToByteString()));
        Assert.That(await call.ResponseStream.MoveNext(CancellationToken.None), Is.True);
        Assert.That(call.ResponseStream.Current.Status, Is.EqualTo(Status.Forbidden));
    }

    [Test]
    public async Task A_crl_pushed_by_update_msp_stops_the_revoked_client_while_earlier_blocks_still_validate_on_a_joining_peer()
    {
        var org2 = Contract(1, "users/User1@org2.example.com");
        await org2.SubmitAsync("CreateFund", "F2", "Fund two", "20.00", "EUR");

        var revoke = await Cli("crypto", "revoke", "--org", Path.Combine(_network.Crypto, "peerOrganizations", "org2.example.com"),
            "--cert", Path.Combine(_network.IdentityMsp("org2.example.com", "users/User1@org2.example.com"), "signcerts", "User1@org2.example.com-cert.pem"));
        Assert.That(revoke.ExitCode, Is.Zero, revoke.Error);
        var file = Path.Combine(_network.Folder, "org2-crl.update");
        var made = await Cli(["channel", "update", "update-msp", "--channel", "funds", .. ReadFrom(1), "--org", "Org2", "--org-msp", _network.OrgMsp("org2.example.com"), "--out", file]);
        Assert.That(made.ExitCode, Is.Zero, made.Error);
        Assert.That(made.Output, Does.Contain("sets value /Channel/Application/Org2/MSP").And.Contain("1 CRL(s) revoking 1 certificate(s)").And.Contain("needs /Channel/Application/Org2/Admins"));
        Assert.That((await Sign(file, 1)).ExitCode, Is.Zero, "Org2's own admin is enough for Org2's MSP");
        var pushed = await Submit(file, 1);
        Assert.That(pushed.ExitCode, Is.Zero, pushed.Error);
        // submit returns once the orderer cut the config block; Org2's peer applies it when it commits it.
        var configBlock = ulong.Parse(System.Text.RegularExpressions.Regex.Match(pushed.Output, @"config block (\d+)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        using (var reader = _network.As("org1.example.com", "users/User1@org1.example.com", "Org1MSP"))
        {
            await new TestClient(reader).WaitForBlockAsync(_peers[1], configBlock);
        }

        var after = Contract(1, "users/User1@org2.example.com");
        var refused = Assert.CatchAsync<GatewayException>(async () => await after.SubmitAsync("CreateFund", "F5", "Fund five", "50.00", "EUR"));
        Assert.That(refused!.Message + refused.InnerException?.Message, Does.Contain("revoked").IgnoreCase);

        // A peer joining now validates the blocks before the CRL — F2 by the since-revoked user — as valid: Org3's peer
        // starts again from nothing and pulls every block.
        await _peers[2].StopAsync();
        Directory.Delete(Path.Combine(_network.Folder, "peer0.org3.example.com-data"), recursive: true);
        _peers[2] = await _network.StartPeerAsync("org3.example.com", "Org3MSP", _orderer, port: _ports[2]);
        await _network.JoinPeerAsync(_peers[2], "org3.example.com", "Org3MSP");
        _ = await _network.InstallFundsAsync((_peers[2], "org3.example.com", "Org3MSP"));
        var viaJoining = Contract(2, "users/User1@org3.example.com");
        Assert.That(await WaitForAsync(() => viaJoining.EvaluateAsync("ReadFund", "F2")), Does.Contain("Fund two"));
        Assert.That(_peers[2].Output, Does.Not.Match("block [0-9]+ transaction [0-9]+ is ").And.Not.Contain("is not valid"), "no transaction or config block was judged invalid on the joining peer");
    }

    private string LedgerOf(string peer) => Path.Combine(_network.Folder, $"{peer}-data", "channels", "funds");

    private static string LastHash(string output) =>
        System.Text.RegularExpressions.Regex.Match(output, "last block hash ([0-9a-f]{64})").Groups[1].Value is { Length: 64 } hash ? hash : throw new AssertionException($"no block hash in: {output}");

    private static async Task<string> WaitForAsync(Func<Task<byte[]>> read)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                return System.Text.Encoding.UTF8.GetString(await read());
            }
            catch (GatewayException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
            }
        }
    }
}
