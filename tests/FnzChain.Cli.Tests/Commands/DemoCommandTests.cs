namespace FnzChain.Cli.Tests.Commands;

public sealed class DemoCommandTests
{
    /// <summary>
    /// The demo's two searches across the register (TransferAgencyDemo.WriteSearchesAsync). A RocksDB peer answers them by
    /// its composite-key indexes, a CouchDB peer by Mango queries (CouchDbNetworkTests): the answers must be these, both ways.
    /// </summary>
    internal const string SearchAnswers =
        "    settled orders of GLOBAL-EQ, newest first: ORD-3 ACC-4 Dist3MSP, ORD-2 ACC-2 Dist2MSP, ORD-1 ACC-1 Dist1MSP\n" +
        "    holdings of GLOBAL-EQ-A of 150 units or more: ACC-2 246.913";

    /// <summary>The transfer-agency flow over TLS (the default) and with mutual TLS on every node and connection.</summary>
    [TestCase("tls")]
    [TestCase("mutual-tls")]
    [Category("Integration")]
    public async Task Demo_runs_a_dealing_cycle_onboards_a_third_distributor_and_erases_personal_data_with_the_evidence(string security)
    {
        using var folder = new TempFolder();
        var result = await ProcessRunner.FnzchainAsync(folder.Path, security == "mutual-tls" ? ["demo", "--mutual-tls"] : ["demo"]);

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(result.StandardError, Is.Empty);
        var output = result.StandardOutput;
        Assert.That(output, Does.Contain(security == "mutual-tls"
            ? "TLS with mutual authentication: every node requires a client certificate from a TLS CA of the channel's organisations"
            : "TLS on every node (TLS 1.2+, certificates from each organisation's TLS CA); --insecure for plaintext"));
        Assert.That(output, Does.Contain("chaincode ta defined on funds").And.Contain("2 private data collections"));
        Assert.That(output, Does.Contain("refused as it should be — orders@dist2 for ACC-1: chaincode response 403, account ACC-1 is serviced by distributor Dist1MSP"));
        Assert.That(output, Does.Contain("ORD-1 ACC-1 priced: 98.765 units for EUR 10,000.00, settles 2026-11-25"));
        Assert.That(output, Does.Contain("2 orders settled, 0 failed"));
        Assert.That(output, Does.Match(@"ACC-1\s+Dist1MSP\s+98\.765"));
        Assert.That(output, Does.Match(@"total\s+345\.678"), "the register adds up: 98.765 + 246.913");
        Assert.That(output, Does.Contain("holding GLOBAL-EQ-A (IE00B4L5Y983): 98.765 units at NAV 102.40 EUR = EUR 10,113.54"),
            "Wednesday's statement values the holding at the latest NAV, Tuesday's: 98.765 × 102.40 = 10,113.536, money rounded to cents");
        Assert.That(output, Does.Not.Contain("Ada Lovelace").And.Not.Contain("Emmy Noether"), "personal data is never printed");
        AssertOnboardingChapter(output);
        AssertErasureChapter(output);
        Assert.That(output, Does.Contain("searches on the transfer agent's peer, answered by key-index (a walk of the composite-key indexes):\n" + SearchAnswers));
        Assert.That(output, Does.Contain("9. Stopping the network"));
        foreach (var peer in new[] { "TransferAgent", "Dist1", "Dist2", "Dist3" })
        {
            Assert.That(output, Does.Match($@"ledger verify \({peer} peer\): ok, \d+ blocks, (\d+) transactions \(\1 valid\)"));
        }

        Assert.That(output.TrimEnd(), Does.Match(@"demo: done in [\d.]+ s$"));
    }

    /// <summary>
    /// Chapters 4, 5 and 7: Dist3 added to the running channel by an add-org update that one admin's signature cannot pass
    /// and two of three can; its peer catches up to the others' height and runs the same package; the chaincode redefined
    /// with its collection; its first order dealt on Tuesday, settled on Thursday, on the register with the others.
    /// </summary>
    private static void AssertOnboardingChapter(string output)
    {
        var chapter = output[output.IndexOf("4. Monday evening", StringComparison.Ordinal)..output.IndexOf("6. Wednesday", StringComparison.Ordinal)];
        Assert.That(chapter, Does.Contain("adds group /Channel/Application/Dist3: MSP Dist3MSP, root CA 'CN=ca.dist3.example.com"));
        Assert.That(chapter, Does.Contain("modifies group /Channel/Application (version 0 → 1); needs /Channel/Application/Admins (MAJORITY Admins)"));
        Assert.That(chapter, Does.Contain("with that one signature — refused by the orderer: 1 of 3 organisations' Admins policies satisfied, 2 required"));
        Assert.That(chapter, Does.Contain("fnzchain channel update sign — 2 signature(s) now: 2 of 3 organisations' admins, a MAJORITY"));
        Assert.That(chapter, Does.Match(@"channel funds: update applied in config block \d+, config sequence 1"));
        Assert.That(chapter, Does.Match(@"height (\d+), the transfer agent's peer \1 \(TransferAgent \1, Dist1 \1, Dist2 \1, Dist3 \1\)"), "Dist3's peer caught up");
        Assert.That(chapter, Does.Match(@"chaincode install ta_1\.0\.pkg .* — ta_1\.0:[0-9a-f]{64}, the id the definition names"));
        Assert.That(chapter, Does.Match(@"chaincode ta version 1\.0, sequence 2, .*collections .*ta-personal-Dist3MSP.* defined on funds in block \d+, approved by TransferAgentMSP, Dist1MSP, Dist3MSP"));
        Assert.That(chapter, Does.Contain("distributors now Dist1MSP, Dist2MSP, Dist3MSP"));
        Assert.That(chapter, Does.Contain("byte scan: ACC-4's name and address are in the files of peer0.ta.example.com and peer0.dist3.example.com, in none of Dist1's, Dist2's or the orderer's and in no log"));
        Assert.That(chapter, Does.Contain("ORD-3 ACC-4 priced: 146.484 units for EUR 15,000.00, settles 2026-11-26"), "15,000 / 102.40 = 146.484375");

        var thursday = output[output.IndexOf("7. Thursday", StringComparison.Ordinal)..output.IndexOf("8. Thursday", StringComparison.Ordinal)];
        Assert.That(thursday, Does.Contain("1 order settled (ORD-3 ACC-4), 0 failed"));
        Assert.That(thursday, Does.Match(@"ACC-1\s+Dist1MSP\s+98\.765\s+ACC-2\s+Dist2MSP\s+246\.913\s+ACC-4\s+Dist3MSP\s+146\.484\s+total\s+492\.162"), "three distributors' accounts, and they add up");
        Assert.That(thursday, Does.Contain("order ORD-3: Subscription EUR 15,000.00 dealt 2026-11-24 at 102.40 -> 146.484 units, Settled"));
    }

    /// <summary>
    /// Chapter 8: the applicant's data read by its distributor only, refused to the other distributor and on the other
    /// distributor's peer, the evidence table before (members hold plaintext, Dist2 only the hash) and after (nothing
    /// anywhere), and the byte scans.
    /// </summary>
    private static void AssertErasureChapter(string output)
    {
        Assert.That(output, Does.Contain("8. Thursday: the right to erasure"));
        Assert.That(output, Does.Contain("orders@dist1 reads it on its own peer: Lise Meitner, Kaiser-Wilhelm-Platz 1, Berlin, born 1978-11-07, tax id 47036892816, IBAN DE89370400440532013000"));
        Assert.That(output.Split("Lise Meitner").Length - 1, Is.EqualTo(1), "the applicant's data is printed only where its distributor reads it");
        Assert.That(output, Does.Contain("refused as it should be — orders@dist2 for ACC-3: chaincode response 403, account ACC-3 is serviced by distributor Dist1MSP: distributor Dist2MSP may act only for its own investors"));
        Assert.That(output, Does.Contain("refused as it should be — compliance@ta asking Dist2MSP's peer: chaincode response 403, this peer's organisation Dist2MSP is not a member of collection ta-personal-Dist1MSP: its private data is not held here"));

        var chapter = output[output.IndexOf("8. Thursday", StringComparison.Ordinal)..output.IndexOf("9. Stopping", StringComparison.Ordinal)];
        var (before, after) = (chapter[..chapter.IndexOf("evidence after erasure", StringComparison.Ordinal)], chapter[chapter.IndexOf("evidence after erasure", StringComparison.Ordinal)..]);
        // Columns: org, member, plaintext, hash on ledger, transient, erasing.
        Assert.That(before, Does.Match(@"TransferAgentMSP\s+yes\s+yes\s+yes\s+0\s+no\s+\d+"));
        Assert.That(before, Does.Match(@"Dist1MSP\s+yes\s+yes\s+yes\s+0\s+no\s+\d+"));
        Assert.That(before, Does.Match(@"Dist2MSP\s+no\s+no\s+yes\s+0\s+no\s+\d+"), "the non-member's peer holds only the hash");
        Assert.That(before, Does.Match(@"Dist3MSP\s+no\s+no\s+yes\s+0\s+no\s+\d+"), "so does the peer that joined later");
        var scanBefore = before.Split('\n').Single(l => l.Contains("byte scan before erasure", StringComparison.Ordinal));
        Assert.That(scanBefore, Does.Match(@"the applicant's values are in peer0\.ta\.example\.com\S+ and .*peer0\.dist1\.example\.com\S+ \(members' peers\), in no file of the other peers or the orderer and in no log"));
        Assert.That(scanBefore, Does.Not.Contain("dist2").And.Not.Contain("dist3"));

        Assert.That(chapter, Does.Match(@"operator@ta closes ACC-3; compliance@ta erases its personal data\s+\(ErasePersonalData, reason ""GDPR art\. 17 request: application withdrawn before KYC"": a purge, valid in block \d+\)"));
        Assert.That(chapter, Does.Contain("orders@dist1 reads it again: chaincode response 404, the personal data of account ACC-3 was erased on 2026-11-26: nothing is on file"));
        foreach (var (msp, member) in new[] { ("TransferAgentMSP", "yes"), ("Dist1MSP", "yes"), ("Dist2MSP", "no"), ("Dist3MSP", "no") })
        {
            Assert.That(after, Does.Match($@"{msp}\s+{member}\s+no\s+no\s+0\s+no\s+\d+"), $"{msp}'s peer holds nothing of the key after erasure");
        }

        Assert.That(after, Does.Match(@"byte scan of 5 data folders and 5 node logs \(\d+ files, [\d,]+ bytes\): no trace of the applicant's name, address, tax id or bank account"));
    }

    /// <summary>Over TLS (the default), and in plaintext only when asked with --insecure, which the demo says.</summary>
    [TestCase("tls")]
    [TestCase("insecure")]
    [Category("Integration")]
    public async Task Sample_demo_runs_a_network_and_shows_commits_a_refusal_a_conflict_events_and_verified_ledgers(string security)
    {
        using var folder = new TempFolder();
        var result = await ProcessRunner.FnzchainAsync(folder.Path, security == "insecure" ? ["demo", "sample", "--insecure"] : ["demo", "sample"]);

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(result.StandardError, Is.Empty);
        var output = result.StandardOutput;
        Assert.That(output, Does.Contain(security == "insecure"
            ? "--insecure: TLS is OFF; every node listens in plaintext and every connection is plaintext (local development only)"
            : "TLS on every node (TLS 1.2+"));
        Assert.That(output, Does.Contain("transfer agent creates fund GEQ: Valid in block 2"));
        Assert.That(output, Does.Contain("distributor reads GEQ on its own peer: {\"id\":\"GEQ\",\"name\":\"Global Equity\",\"nav\":102.40,\"currency\":\"EUR\"}"));
        Assert.That(output, Does.Contain("a negative NAV is refused at endorsement (Aborted)"));
        Assert.That(output, Does.Match(@"two NAV updates of BND endorsed on the same state: (Valid|MvccReadConflict) \(block \d+\) and (Valid|MvccReadConflict)"));
        Assert.That(output, Does.Contain("    NavPublished {\"id\":\"GEQ\""));
        Assert.That(output, Does.Match(@"ledger verify \(TransferAgent peer\): ok, \d+ blocks"));
        Assert.That(output, Does.Match(@"ledger verify \(Distributor peer\): ok, \d+ blocks"));
        Assert.That(output.TrimEnd(), Does.Match(@"demo: done in [\d.]+ s$"));
    }

    [Test]
    public async Task Foundation_demo_runs_every_step_and_shows_the_revoked_user_rejected()
    {
        using var folder = new TempFolder();
        var result = await ProcessRunner.FnzchainAsync(folder.Path, "demo", "foundation");

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(result.StandardError, Is.Empty);
        var output = result.StandardOutput;
        Assert.That(output, Does.Contain("signature verified"));
        Assert.That(output, Does.Contain("4. Endorsement by both peers: policy satisfied"));
        Assert.That(output, Does.Contain("no valid signature from DistributorMSP.peer"));
        Assert.That(output, Does.Contain("8. Config update signed by both admins: policy satisfied"));
        Assert.That(output, Does.Match(@"rejected: certificate 'CN=User1@distributor\.example\.com.*is revoked by DistributorMSP's CRL"));
        Assert.That(output.TrimEnd(), Does.EndWith("demo: done"));
    }

    [Test]
    public async Task Foundation_demo_with_keep_leaves_a_cryptogen_layout_behind()
    {
        using var folder = new TempFolder();
        var keep = Path.Combine(folder.Path, "material");
        var result = await ProcessRunner.FnzchainAsync(folder.Path, "demo", "foundation", "--keep", keep);

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(File.Exists(Path.Combine(keep, "peerOrganizations", "distributor.example.com", "msp", "crls", "crl.pem")), Is.True);
    }

    [Test]
    [Category("Integration")]
    public async Task Network_up_starts_nodes_that_serve_and_network_down_stops_them()
    {
        using var folder = new TempFolder();
        var dir = folder.File("net");

        var up = await ProcessRunner.FnzchainAsync(folder.Path, "network", "up", "--dir", dir);
        try
        {
            Assert.That(up.ExitCode, Is.Zero, up.ToString());
            using var connection = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "connection.json")));
            var org = connection.RootElement.GetProperty("organizations")[0];
            var list = await ProcessRunner.FnzchainAsync(
                folder.Path, "channel", "list", "--node", org.GetProperty("peer").GetString()!, "--identity", org.GetProperty("adminMsp").GetString()!, "--msp-id", org.GetProperty("mspId").GetString()!);
            Assert.That(list.ExitCode, Is.Zero, list.ToString());
            Assert.That(list.StandardOutput, Does.Match(@"funds\theight [2-9]"));
        }
        finally
        {
            var down = await ProcessRunner.FnzchainAsync(folder.Path, "network", "down", "--dir", dir);
            Assert.That(down.ExitCode, Is.Zero, down.ToString());
            Assert.That(down.StandardOutput, Does.Contain("stopped the orderer and 2 peers"));
        }
    }
}
