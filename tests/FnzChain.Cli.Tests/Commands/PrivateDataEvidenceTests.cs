using FnzChain.Cli.Commands;
using FnzChain.Protos.Admin;

namespace FnzChain.Cli.Tests.Commands;

/// <summary>The per-peer evidence table of <c>private status</c> and the demo (the peers' answers are tested with real peers in the integration tests).</summary>
public sealed class PrivateDataEvidenceTests
{
    [Test]
    public void The_table_has_one_row_per_peer_under_the_private_status_header()
    {
        using var output = new StringWriter();

        PrivateDataEvidence.WriteTable(output,
        [
            new("127.0.0.1:7051", new PrivateDataStatus { MspId = "TaMSP", Member = true, PlaintextHeld = true, HashOnLedger = true, Height = 15 }),
            new("127.0.0.1:9051", new PrivateDataStatus { MspId = "Dist2MSP", HashOnLedger = true, TransientCopies = 2, ErasurePending = true, Height = 14 }),
        ], "  ");

        Assert.That(output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries), Is.EqualTo(new[]
        {
            "  peer                   org              member  plaintext  hash on ledger  transient  erasing  height",
            "  127.0.0.1:7051         TaMSP            yes     yes        yes             0          no       15",
            "  127.0.0.1:9051         Dist2MSP         no      no         yes             2          yes      14",
        }));
    }

    [TestCase(false, 0u, false, true)]
    [TestCase(true, 0u, false, false)]
    [TestCase(false, 1u, false, false)]
    [TestCase(false, 0u, true, false)]
    public void A_peer_shows_the_key_erased_only_without_plaintext_transient_copies_or_erasure_running(bool plaintext, uint transient, bool erasing, bool erased)
    {
        var row = new PeerEvidence("127.0.0.1:7051", new PrivateDataStatus { MspId = "TaMSP", PlaintextHeld = plaintext, TransientCopies = transient, ErasurePending = erasing, HashOnLedger = true });

        Assert.That(row.Erased, Is.EqualTo(erased));
    }
}
