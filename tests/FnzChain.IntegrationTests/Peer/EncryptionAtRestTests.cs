using System.Text;
using FnzChain.Client;
using FnzChain.Protos.Peer;
using static FnzChain.IntegrationTests.Peer.ErasureHelpers;

namespace FnzChain.IntegrationTests.Peer;

/// <summary>
/// Marker values written through real nodes as public state (with its chaincode event and arguments in the block),
/// as private data of a collection, and as transient data of an endorsement that is never submitted; then a byte
/// scan of every file of the network's folder (every node's data folder, configs, packages).
/// </summary>
public abstract class AtRestScanFixture : FundsNetworkFixture
{
    internal string Peer1Folder => Network.PeerDataPath("org1.example.com");

    internal string Peer2Folder => Network.PeerDataPath("org2.example.com");

    internal string OrdererFolder => Path.Combine(Network.Folder, "orderer-data");

    internal sealed record Markers(string Fund, string Personal, string Transient)
    {
        public string[] All => [Fund, Personal, Transient];
    }

    /// <summary>Writes the markers; returns them once both peers committed the public and private writes.</summary>
    internal async Task<Markers> WriteMarkersAsync()
    {
        var collections = Path.Combine(Network.Folder, "collections.json");
        await File.WriteAllTextAsync(collections, """
            [ { "name": "investorPII", "policy": "OR('Org1MSP.member')", "requiredPeerCount": 0, "maxPeerCount": 0,
                "blockToLive": 0, "memberOnlyRead": true, "memberOnlyWrite": false } ]
            """);
        var define = await Network.RunCliAsync(
            "chaincode", "define", "--peer", Peer1.Address, "--channel", TestNetwork.Channel, "--name", "funds", "--policy", "AND('Org1MSP.peer','Org2MSP.peer')",
            "--collections-config", collections,
            "--signer", Network.AdminSigner("Org1MSP", "org1.example.com"), "--signer", Network.AdminSigner("Org2MSP", "org2.example.com"));
        Assert.That(define.ExitCode, Is.Zero, define.Error);
        await Client.WaitForBlockAsync(Peer1, 2);
        await Client.WaitForBlockAsync(Peer2, 2);

        var markers = new Markers($"FUNDNAME{Guid.NewGuid():N}", $"PERSONAL{Guid.NewGuid():N}", $"TRANSIENT{Guid.NewGuid():N}");
        using var org1User = ClientIdentity.FromMspFolder(Network.IdentityMsp("org1.example.com", "users/User1@org1.example.com"), "Org1MSP");
        using var gateway = Gateway.Connect(Peer1.Address, org1User);
        var funds = gateway.GetNetwork(TestNetwork.Channel).GetContract("funds");
        var (_, created) = await funds.SubmitAsyncReturningCommit("CreateFund", ["F1", markers.Fund, "100.5", "EUR"], null);
        Assert.That((await created).Result, Is.EqualTo(TxValidationCode.Valid));
        // The chaincode needs Org2, which is not a member: the client names the endorsers to send it the personal data.
        var (_, registered) = await funds.WithEndorsingOrganizations("Org1MSP", "Org2MSP").SubmitAsyncReturningCommit("RegisterInvestor", ["I1"], Personal(markers.Personal));
        var status = await registered;
        Assert.That(status.Result, Is.EqualTo(TxValidationCode.Valid));
        await gateway.GetNetwork(TestNetwork.Channel).GetCommitStatusAsync(status.TransactionId);

        // Endorsed by the member peer, never submitted: its private write set stays in that peer's transient store.
        var pending = Client.Propose("funds", Personal(markers.Transient), "RegisterInvestor", "I2");
        var response = await TestClient.EndorseAsync(Peer1, pending);
        Assert.That(response.Response.Status, Is.EqualTo(200), response.Response.Message);
        await Client.WaitForBlockAsync(Peer2, 3);

        Assert.That(Encoding.UTF8.GetString(await funds.EvaluateAsync("ReadFund", "F1")), Does.Contain(markers.Fund));
        Assert.That(Encoding.UTF8.GetString(await funds.EvaluateAsync("ReadPersonalData", "I1")), Does.Contain(markers.Personal));
        return markers;
    }
}

/// <summary>Encryption at rest with real processes: nothing readable on any node, the wrong key refused at restart, key rotation.</summary>
[Category("Integration")]
[Category("Erasure")]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class EncryptionAtRestTests : AtRestScanFixture
{
    protected override bool EncryptAtRest => true;

    [Test]
    public async Task With_encryption_on_no_marker_value_is_in_any_file_of_any_node()
    {
        var markers = await WriteMarkersAsync();

        var traces = DataFolderScan.Traces([Network.Folder], markers.All);

        Assert.That(traces, Is.Empty, "readable on disk with encryption at rest on");
        foreach (var (folder, node) in new[] { (Peer1Folder, "peer0.org1.example.com"), (Peer2Folder, "peer0.org2.example.com"), (OrdererFolder, "orderer") })
        {
            var ledger = Path.Combine(folder, "channels", TestNetwork.Channel);
            var verified = await Network.RunCliAsync("ledger", "verify", "--path", ledger, "--kek", Network.KekPath(node));
            Assert.That(verified.ExitCode, Is.Zero, verified.Error);
            var refused = await Network.RunCliAsync("ledger", "verify", "--path", ledger);
            Assert.That(refused.ExitCode, Is.EqualTo(1));
            Assert.That(refused.Error.TrimEnd(), Does.StartWith($"fnzchain: ledger {ledger} is encrypted at rest (keyring ").And.Not.Contain("\n"));
        }
    }

    [Test]
    public async Task A_peer_restarted_with_the_wrong_key_refuses_in_one_line_and_starts_again_with_the_right_one()
    {
        var markers = await WriteMarkersAsync();
        await Peer1.StopAsync();
        var kek = Network.KekPath("peer0.org1.example.com");
        var right = kek + ".right";
        File.Move(kek, right);
        FnzChain.Ledger.Encryption.KeyEncryptionKeyFile.Generate(kek);
        var config = Path.Combine(Network.Folder, "peer0.org1.example.com.json");

        var wrong = await Network.RunCliAsync("peer", "start", "--config", config);

        Assert.That(wrong.ExitCode, Is.EqualTo(1));
        Assert.That(wrong.Error.TrimEnd(), Is.EqualTo($"fnzchain: the key-encryption key in {kek} does not unwrap data key 1 of {Path.Combine(Peer1Folder, "keyring.json")}: wrong key"));

        File.SetUnixFileMode(right, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        File.Move(right, kek, overwrite: true);
        var readable = await Network.RunCliAsync("peer", "start", "--config", config);
        Assert.That(readable.Error.TrimEnd(), Is.EqualTo($"fnzchain: key-encryption key file {kek} is accessible by group or others (mode 0640); run chmod 600 {kek}"));

        File.SetUnixFileMode(kek, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Peer1 = await Network.StartPeerAsync("org1.example.com", "Org1MSP", Orderer, port: PeerPort(Peer1));
        using var org1User = ClientIdentity.FromMspFolder(Network.IdentityMsp("org1.example.com", "users/User1@org1.example.com"), "Org1MSP");
        using var gateway = Gateway.Connect(Peer1.Address, org1User);
        Assert.That(Encoding.UTF8.GetString(await gateway.GetNetwork(TestNetwork.Channel).GetContract("funds").EvaluateAsync("ReadPersonalData", "I1")), Does.Contain(markers.Personal));
    }

    [Test]
    public async Task After_keys_rotate_old_data_stays_readable_and_new_writes_are_encrypted_under_key_2()
    {
        var markers = await WriteMarkersAsync();
        await Peer1.StopAsync();
        var kek = Network.KekPath("peer0.org1.example.com");

        var rotated = await Network.RunCliAsync("keys", "rotate", "--node", Peer1Folder, "--kek", kek);
        Assert.That(rotated.ExitCode, Is.Zero, rotated.Error);
        Assert.That(rotated.Output, Does.Contain($"data key 2 of {Path.Combine(Peer1Folder, "keyring.json")} is active"));

        Peer1 = await Network.StartPeerAsync("org1.example.com", "Org1MSP", Orderer, port: PeerPort(Peer1));
        Assert.That(Peer1.Output, Does.Contain("(data key 2 for new writes)"));
        using var org1User = ClientIdentity.FromMspFolder(Network.IdentityMsp("org1.example.com", "users/User1@org1.example.com"), "Org1MSP");
        using var gateway = Gateway.Connect(Peer1.Address, org1User);
        var funds = gateway.GetNetwork(TestNetwork.Channel).GetContract("funds");
        var newMarker = $"AFTERROTATION{Guid.NewGuid():N}";
        var (_, created) = await funds.SubmitAsyncReturningCommit("CreateFund", ["F2", newMarker, "1", "EUR"], null);
        Assert.That((await created).Result, Is.EqualTo(TxValidationCode.Valid));

        Assert.Multiple(async () =>
        {
            Assert.That(Encoding.UTF8.GetString(await funds.EvaluateAsync("ReadFund", "F1")), Does.Contain(markers.Fund), "written under key 1");
            Assert.That(Encoding.UTF8.GetString(await funds.EvaluateAsync("ReadPersonalData", "I1")), Does.Contain(markers.Personal), "written under key 1");
            Assert.That(Encoding.UTF8.GetString(await funds.EvaluateAsync("ReadFund", "F2")), Does.Contain(newMarker));
            Assert.That(DataFolderScan.Traces([Network.Folder], [.. markers.All, newMarker]), Is.Empty);
        });
    }

    private static int PeerPort(NodeProcess peer) => int.Parse(peer.Address[(peer.Address.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>The positive control of the byte scan: the same writes and the same scan with encryption off find every marker.</summary>
[Category("Integration")]
[Category("Erasure")]
public sealed class EncryptionAtRestControlTests : AtRestScanFixture
{
    [Test]
    public async Task Control_with_encryption_off_the_same_scan_finds_every_marker()
    {
        var markers = await WriteMarkersAsync();

        Assert.Multiple(() =>
        {
            Assert.That(DataFolderScan.FilesContaining(Peer1Folder, markers.Fund), Is.Not.Empty, "public state on the peer");
            Assert.That(DataFolderScan.FilesContaining(Peer2Folder, markers.Fund).Any(f => f.Contains("blockfile_", StringComparison.Ordinal)), Is.True, "arguments and event in the blocks");
            Assert.That(DataFolderScan.FilesContaining(OrdererFolder, markers.Fund), Is.Not.Empty, "the orderer's blocks");
            Assert.That(DataFolderScan.FilesContaining(Peer1Folder, markers.Personal), Is.Not.Empty, "private data on the member");
            Assert.That(DataFolderScan.FilesContaining(Peer1Folder, markers.Transient), Is.Not.Empty, "the member's transient store");
            Assert.That(Directory.Exists(Path.Combine(Network.Folder, "keys")), Is.False);
        });
    }
}
