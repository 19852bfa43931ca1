using FnzChain.Identity.Policies;

namespace FnzChain.Identity.Tests.Policies;

public sealed class ImplicitMetaPolicyEvaluatorTests
{
    private static readonly string[] Orgs = ["Org1MSP", "Org2MSP", "Org3MSP"];
    private static readonly TestPki Pki = new(Orgs);
    private static readonly byte[] Data = "config update"u8.ToArray();
    private static readonly Dictionary<string, TestIdentity> Admins = Orgs.ToDictionary(o => o, o => Pki.Issue(o, "admin"));

    private static ImplicitMetaPolicyEvaluator Policy(string text, int orgCount) =>
        new(ImplicitMetaPolicyEvaluator.Parse(text),
            Orgs.Take(orgCount).Select(o => new OrganizationPolicy(o, SignaturePolicyEvaluator.Parse($"OR('{o}.admin')"))).ToList());

    [TestCase("ANY Admins", 3, 1, true)]
    [TestCase("ANY Admins", 3, 0, false)]
    [TestCase("ALL Admins", 3, 3, true)]
    [TestCase("ALL Admins", 3, 2, false)]
    [TestCase("MAJORITY Admins", 3, 2, true)]
    [TestCase("MAJORITY Admins", 3, 1, false)]
    [TestCase("MAJORITY Admins", 2, 1, false)]
    [TestCase("MAJORITY Admins", 2, 2, true)]
    [TestCase("MAJORITY Admins", 1, 1, true)]
    [TestCase("ALL Admins", 0, 0, true)]
    [TestCase("ANY Admins", 0, 0, true)]
    [TestCase("MAJORITY Admins", 0, 0, true)]
    public void Evaluate_counts_satisfied_organisations(string text, int orgCount, int signingOrgs, bool expected)
    {
        var registry = Pki.Registry(null, Orgs);
        var signers = SignatureSet.Validate(Orgs.Take(signingOrgs).Select(o => Admins[o].Sign(Data)), registry);
        var result = Policy(text, orgCount).Evaluate(signers);
        Assert.That(result.IsSatisfied, Is.EqualTo(expected), result.Reason);
    }

    [Test]
    public void Unsatisfied_majority_says_how_many_organisations_were_needed()
    {
        var registry = Pki.Registry(null, Orgs);
        var result = Policy("MAJORITY Admins", 3).Evaluate(SignatureSet.Validate([Admins["Org1MSP"].Sign(Data)], registry));
        Assert.That(result.Reason, Does.StartWith("policy MAJORITY Admins not satisfied: 1 of 3 organisations' Admins policies satisfied, 2 required"));
        Assert.That(result.Reason, Does.Contain("Org2MSP: policy OR('Org2MSP.admin') not satisfied: no valid signature from Org2MSP.admin"));
    }

    [TestCase("SOME Admins", "unknown rule 'SOME'")]
    [TestCase("ANY", "is not of the form")]
    [TestCase("ANY Ad mins", "is not of the form")]
    [TestCase("ANY Ad$mins", "may hold only letters")]
    public void Parse_rejects_bad_text(string text, string expected)
    {
        var ex = Assert.Throws<PolicyException>(() => ImplicitMetaPolicyEvaluator.Parse(text));
        Assert.That(ex!.Message, Does.Contain(expected));
    }

    [TestCase("any writers", "ANY writers")]
    [TestCase("MAJORITY Endorsement", "MAJORITY Endorsement")]
    public void Parse_accepts_rules_in_any_case(string text, string rendered)
    {
        Assert.That(ImplicitMetaPolicyEvaluator.Render(ImplicitMetaPolicyEvaluator.Parse(text)), Is.EqualTo(rendered));
    }
}
