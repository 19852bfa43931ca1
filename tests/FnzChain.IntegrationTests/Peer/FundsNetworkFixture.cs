namespace FnzChain.IntegrationTests.Peer;

/// <summary>
/// Two organisations' peers (on fixed loopback ports that are also their anchor peers) with the sample fund
/// contract installed and defined with AND(Org1, Org2), plus an orderer: the network the end-to-end tests share.
/// </summary>
public abstract class FundsNetworkFixture
{
    internal TestNetwork Network { get; private set; } = null!;

    internal NodeProcess Orderer { get; private set; } = null!;

    /// <summary>The orderer's fixed port: a restarted orderer listens there again.</summary>
    internal int OrdererPort { get; private set; }

    /// <summary>The channel's batch size and timeout (the tests of lost, uncut envelopes need a batch that waits).</summary>
    protected virtual (uint MaxMessageCount, string BatchTimeout) Batch => (10, "200ms");

    /// <summary>Whether the nodes encrypt their ledgers at rest.</summary>
    protected virtual bool EncryptAtRest => false;

    internal NodeProcess Peer1 { get; set; } = null!;

    internal NodeProcess Peer2 { get; set; } = null!;

    internal TestClient Client { get; private set; } = null!;

    /// <summary>Org2's peer's port (its anchor address): a restarted Peer2 must listen there again.</summary>
    internal int Peer2Port { get; private set; }

    [SetUp]
    public async Task StartNetwork()
    {
        var (port1, port2) = (TestNetwork.FreePort(), TestNetwork.FreePort());
        Peer2Port = port2;
        // The chaincode definition is a transaction like any other: it is cut with the default batch, and a fixture
        // with another batch gets it by a config update afterwards.
        Network = await TestNetwork.CreateAsync(maxMessageCount: DefaultBatch.MaxMessageCount, batchTimeout: DefaultBatch.BatchTimeout, org1AnchorPort: port1, org2AnchorPort: port2);
        Network.EncryptAtRest = EncryptAtRest;
        OrdererPort = TestNetwork.FreePort();
        Orderer = await Network.StartOrdererAsync(port: OrdererPort);
        await Network.JoinOrdererAsync(Orderer);
        Peer1 = await Network.StartPeerAsync("org1.example.com", "Org1MSP", Orderer, port: port1);
        Peer2 = await Network.StartPeerAsync("org2.example.com", "Org2MSP", Orderer, port: port2);
        await Network.JoinPeerAsync(Peer1, "org1.example.com", "Org1MSP");
        await Network.JoinPeerAsync(Peer2, "org2.example.com", "Org2MSP");

        var packageId = await Network.InstallFundsAsync((Peer1, "org1.example.com", "Org1MSP"), (Peer2, "org2.example.com", "Org2MSP"));
        var define = await Network.RunCliAsync(
            "chaincode", "define", "--peer", Peer1.Address, "--channel", TestNetwork.Channel, "--name", "funds", "--package-id", packageId,
            "--policy", "AND('Org1MSP.peer','Org2MSP.peer')",
            "--signer", Network.AdminSigner("Org1MSP", "org1.example.com"), "--signer", Network.AdminSigner("Org2MSP", "org2.example.com"));
        Assert.That(define.ExitCode, Is.Zero, define.Error);
        Client = new TestClient(Network.Org1Client());
        await Client.WaitForBlockAsync(Peer1, 1); // the definition's block: endorsers need it
        await Client.WaitForBlockAsync(Peer2, 1);
        if (Batch != DefaultBatch)
        {
            await SetBatchAsync(Batch);
        }
    }

    private static (uint MaxMessageCount, string BatchTimeout) DefaultBatch => (10, "200ms");

    /// <summary>Changes the channel's batch by a config update signed by the orderer organisation's admin, and waits until both peers have its block.</summary>
    private async Task SetBatchAsync((uint MaxMessageCount, string BatchTimeout) batch)
    {
        var file = Path.Combine(Network.Folder, "batch.update");
        string[] admin = ["--identity", Network.IdentityMsp("example.com", "users/Admin@example.com"), "--msp-id", "OrdererMSP"];
        string[][] steps =
        [
            ["channel", "update", "set-batch", "--channel", TestNetwork.Channel, "--orderer", Orderer.Address, .. admin,
                "--max-message-count", batch.MaxMessageCount.ToString(System.Globalization.CultureInfo.InvariantCulture), "--timeout", batch.BatchTimeout, "--out", file],
            ["channel", "update", "sign", file, .. admin],
            ["channel", "update", "submit", file, "--orderer", Orderer.Address, .. admin],
        ];
        foreach (var step in steps)
        {
            var result = await Network.RunCliAsync(step);
            Assert.That(result.ExitCode, Is.Zero, $"{string.Join(' ', step[..3])}: {result.Error}");
        }

        await Client.WaitForBlockAsync(Peer1, 2);
        await Client.WaitForBlockAsync(Peer2, 2);
    }

    /// <summary>Kills the orderer (as a crash: envelopes it queued but had not cut are lost) and starts it again on its port.</summary>
    internal async Task CrashAndRestartOrdererAsync()
    {
        await Orderer.KillAsync();
        await RestartOrdererAsync();
    }

    /// <summary>Starts the (stopped) orderer again from its config and data, on its port.</summary>
    internal async Task RestartOrdererAsync() => Orderer = await Network.StartOrdererAsync(port: OrdererPort);

    [TearDown]
    public async Task StopNetwork()
    {
        if (TestContext.CurrentContext.Result.Outcome.Status == NUnit.Framework.Interfaces.TestStatus.Failed)
        {
            TestContext.Out.WriteLine($"--- orderer\n{Orderer?.Output}\n--- peer1\n{Peer1?.Output}\n--- peer2\n{Peer2?.Output}");
        }

        if (Network is not null) // set-up may have failed before the network existed
        {
            await Network.DisposeAsync();
        }
    }
}
