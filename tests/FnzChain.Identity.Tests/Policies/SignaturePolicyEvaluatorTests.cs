using FnzChain.Identity.Msp;
using FnzChain.Identity.Policies;

namespace FnzChain.Identity.Tests.Policies;

public sealed class SignaturePolicyEvaluatorTests
{
    private static readonly TestPki Pki = new("Org1MSP", "Org2MSP", "Org3MSP");
    private static readonly byte[] Data = "proposal response payload"u8.ToArray();
    private static readonly Dictionary<string, TestIdentity> Identities = new();

    private static MspRegistry Registry() => Pki.Registry(null, "Org1MSP", "Org2MSP", "Org3MSP");

    /// <summary>Signers are written "Org1.peer" (one identity per org and OU, reused) or "Org1.peer#2" (a second identity).</summary>
    private static SignedData Signer(string spec)
    {
        lock (Identities)
        {
            if (!Identities.TryGetValue(spec, out var identity))
            {
                var parts = spec.Split('#')[0].Split('.');
                identity = Pki.Issue($"{parts[0]}MSP", parts[1]);
                Identities[spec] = identity;
            }

            return identity.Sign(Data);
        }
    }

    [TestCase("AND('Org1MSP.peer','Org2MSP.peer')", "Org1.peer,Org2.peer", true)]
    [TestCase("AND('Org1MSP.peer','Org2MSP.peer')", "Org1.peer", false)]
    [TestCase("AND('Org1MSP.peer','Org2MSP.peer')", "Org1.peer,Org1.peer#2", false)]
    [TestCase("OR('Org1MSP.peer','Org2MSP.peer')", "Org2.peer", true)]
    [TestCase("OR('Org1MSP.peer','Org2MSP.peer')", "Org3.peer", false)]
    [TestCase("OR('Org1MSP.peer','Org2MSP.peer')", "", false)]
    [TestCase("OutOf(2, 'Org1MSP.peer', 'Org2MSP.peer', 'Org3MSP.peer')", "Org1.peer,Org3.peer", true)]
    [TestCase("OutOf(2, 'Org1MSP.peer', 'Org2MSP.peer', 'Org3MSP.peer')", "Org3.peer", false)]
    [TestCase("OutOf(3, 'Org1MSP.peer', 'Org2MSP.peer', 'Org3MSP.peer')", "Org1.peer,Org2.peer,Org3.peer", true)]
    [TestCase("OR('Org1MSP.member', AND('Org2MSP.admin','Org3MSP.client'))", "Org2.admin,Org3.client", true)]
    [TestCase("OR('Org1MSP.member', AND('Org2MSP.admin','Org3MSP.client'))", "Org2.admin", false)]
    [TestCase("AND('Org1MSP.member', OutOf(1, 'Org2MSP.peer', 'Org3MSP.peer'))", "Org1.client,Org3.peer", true)]
    // Roles: member is any valid identity; the other roles come from the node OU and do not imply one another.
    [TestCase("OR('Org1MSP.member')", "Org1.client", true)]
    [TestCase("OR('Org1MSP.member')", "Org1.admin", true)]
    [TestCase("OR('Org1MSP.member')", "Org1.orderer", true)]
    [TestCase("OR('Org1MSP.admin')", "Org1.admin", true)]
    [TestCase("OR('Org1MSP.admin')", "Org1.client", false)]
    [TestCase("OR('Org1MSP.client')", "Org1.client", true)]
    [TestCase("OR('Org1MSP.client')", "Org1.peer", false)]
    [TestCase("OR('Org1MSP.peer')", "Org1.peer", true)]
    [TestCase("OR('Org1MSP.peer')", "Org1.admin", false)]
    [TestCase("OR('Org1MSP.orderer')", "Org1.orderer", true)]
    [TestCase("OR('Org1MSP.orderer')", "Org1.peer", false)]
    // Duplicate signers: one identity counts once, two identities of one org count twice.
    [TestCase("AND('Org1MSP.member','Org1MSP.member')", "Org1.client,Org1.client", false)]
    [TestCase("AND('Org1MSP.member','Org1MSP.member')", "Org1.client,Org1.client#2", true)]
    [TestCase("OutOf(2, 'Org1MSP.peer', 'Org1MSP.peer')", "Org1.peer,Org1.peer,Org1.peer", false)]
    // One identity satisfies at most one leaf, even when it could satisfy several.
    [TestCase("AND('Org1MSP.member','Org1MSP.peer')", "Org1.peer", false)]
    [TestCase("AND('Org1MSP.member','Org1MSP.peer')", "Org1.client,Org1.peer", true)]
    // Fabric's evaluation is greedy, without backtracking: a leaf takes the first unused signer that fits, so
    // here 'member' takes the peer and 'peer' finds none left. Kept identical so policies mean what they mean in Fabric.
    [TestCase("AND('Org1MSP.member','Org1MSP.peer')", "Org1.peer,Org1.client", false)]
    public void Evaluate_applies_fabric_semantics(string policy, string signers, bool expected)
    {
        var signed = signers.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(Signer).ToList();
        var result = SignaturePolicyEvaluator.Parse(policy).Evaluate(signed, Registry());
        Assert.That(result.IsSatisfied, Is.EqualTo(expected), result.Reason);
    }

    [Test]
    public void Unsatisfied_policy_names_the_missing_principal()
    {
        var result = SignaturePolicyEvaluator.Parse("AND('Org1MSP.peer','Org2MSP.peer')").Evaluate([Signer("Org1.peer")], Registry());
        Assert.That(result.Reason, Is.EqualTo("policy AND('Org1MSP.peer', 'Org2MSP.peer') not satisfied: no valid signature from Org2MSP.peer"));
    }

    [Test]
    public void Signature_from_an_unknown_msp_is_ignored_with_its_reason()
    {
        var outsider = new TestPki("Org9MSP").Issue("Org9MSP", "peer").Sign(Data);
        var result = SignaturePolicyEvaluator.Parse("OR('Org1MSP.peer')").Evaluate([outsider], Registry());
        Assert.That(result.IsSatisfied, Is.False);
        Assert.That(result.Reason, Does.Contain("no valid signature from Org1MSP.peer").And.Contain("identity's MSP 'Org9MSP' is not known on this channel"));
    }

    [Test]
    public void Expired_signer_does_not_count()
    {
        var identity = Pki.Issue("Org1MSP", "peer", validity: TimeSpan.FromDays(1));
        var registry = Pki.Registry(new ManualTime(TestPki.Epoch.AddDays(5)), "Org1MSP");
        var result = SignaturePolicyEvaluator.Parse("OR('Org1MSP.peer')").Evaluate([identity.Sign(Data)], registry);
        Assert.That(result.Reason, Does.Contain("expired at"));
    }

    [Test]
    public void Revoked_signer_does_not_count()
    {
        var identity = Pki.Issue("Org1MSP", "peer");
        var registry = new MspRegistry([Pki.Definition("Org1MSP", Pki.Ca("Org1MSP").Revoke(identity.Certificate))], new ManualTime(TestPki.Epoch.AddDays(1)));
        var result = SignaturePolicyEvaluator.Parse("OR('Org1MSP.peer')").Evaluate([identity.Sign(Data)], registry);
        Assert.That(result.IsSatisfied, Is.False);
        Assert.That(result.Reason, Does.Contain("is revoked by Org1MSP's CRL"));
    }

    [Test]
    public void Signature_over_other_bytes_does_not_count()
    {
        var identity = Pki.Issue("Org1MSP", "peer");
        var forged = identity.Sign(Data) with { Data = "something else"u8.ToArray() };
        var result = SignaturePolicyEvaluator.Parse("OR('Org1MSP.peer')").Evaluate([forged], Registry());
        Assert.That(result.Reason, Does.Contain("signature does not match"));
    }

    [Test]
    public void High_s_twin_of_a_valid_signature_does_not_count()
    {
        var identity = Pki.Issue("Org1MSP", "peer");
        var signed = identity.Sign(Data);
        var twin = signed with { Signature = Crypto.Signatures.EcdsaSignature.Flip(signed.Signature.Span) };
        var result = SignaturePolicyEvaluator.Parse("OR('Org1MSP.peer')").Evaluate([twin], Registry());
        Assert.That(result.Reason, Does.Contain("high S"));
    }

    [Test]
    public void Compile_rejects_a_signed_by_index_outside_the_identities()
    {
        var envelope = PolicyDsl.Parse("OR('Org1MSP.peer')");
        envelope.Rule.NOutOf.Rules[0].SignedBy = 5;
        var ex = Assert.Throws<PolicyException>(() => SignaturePolicyEvaluator.Compile(envelope));
        Assert.That(ex!.Message, Does.Contain("signed_by 5 is outside the 1 identities"));
    }
}
