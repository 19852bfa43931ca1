using FnzChain.Identity.Policies;
using FnzChain.Peer.Gateway;
using FnzChain.Identity.Channels;
using FnzChain.Protos.Msp;

namespace FnzChain.Peer.Tests.Gateway;

public sealed class EndorsementPlanTests
{
    private static readonly ChannelOrganization[] Orgs = new[] { "Org1MSP", "Org2MSP", "Org3MSP" }
        .Select(m => new ChannelOrganization(m[..4], m, new FabricMSPConfig { Name = m }, IsApplication: true, IsOrderer: false, [], []))
        .ToArray();

    private static string[][] Plan(IPolicy? policy, string local = "Org1MSP") =>
        EndorsementPlan.Layouts(policy, Orgs, local).Select(l => l.Select(o => o.MspId).ToArray()).ToArray();

    [Test]
    public void An_or_policy_is_satisfied_by_the_local_organisation_alone_first()
    {
        var layouts = Plan(SignaturePolicyEvaluator.Parse("OR('Org1MSP.peer','Org2MSP.peer')"), local: "Org2MSP");
        Assert.That(layouts, Is.EqualTo(new[] { new[] { "Org2MSP" }, ["Org1MSP"] }));
    }

    [Test]
    public void An_and_policy_needs_both_organisations_and_ignores_the_third()
    {
        var layouts = Plan(SignaturePolicyEvaluator.Parse("AND('Org1MSP.peer','Org2MSP.member')"));
        Assert.That(layouts, Is.EqualTo(new[] { new[] { "Org1MSP", "Org2MSP" } }));
    }

    [Test]
    public void Two_out_of_three_gives_minimal_pairs_with_the_local_organisation_first()
    {
        var layouts = Plan(SignaturePolicyEvaluator.Parse("OutOf(2,'Org1MSP.peer','Org2MSP.peer','Org3MSP.peer')"), local: "Org3MSP");
        Assert.That(layouts, Is.EqualTo(new[] { new[] { "Org1MSP", "Org3MSP" }, ["Org2MSP", "Org3MSP"], ["Org1MSP", "Org2MSP"] }));
    }

    [Test]
    public void A_majority_implicit_meta_policy_is_planned_over_the_organisations_sub_policies()
    {
        var policy = new ImplicitMetaPolicyEvaluator(
            ImplicitMetaPolicyEvaluator.Parse("MAJORITY Endorsement"),
            Orgs.Select(o => new OrganizationPolicy(o.Name, SignaturePolicyEvaluator.Parse($"OR('{o.MspId}.peer')"))).ToList());
        var layouts = Plan(policy);
        Assert.That(layouts.Select(l => l.Length), Is.All.EqualTo(2));
        Assert.That(layouts[0], Does.Contain("Org1MSP"));
        Assert.That(layouts, Has.Length.EqualTo(3));
    }

    [TestCase("AND('Org1MSP.admin','Org2MSP.peer')")]
    [TestCase("OR('Org9MSP.peer')")]
    public void A_policy_peers_cannot_satisfy_falls_back_to_every_organisation(string text)
    {
        Assert.That(Plan(SignaturePolicyEvaluator.Parse(text)), Is.EqualTo(new[] { new[] { "Org1MSP", "Org2MSP", "Org3MSP" } }));
    }

    [Test]
    public void An_unknown_policy_falls_back_to_every_organisation()
    {
        Assert.That(Plan(null), Is.EqualTo(new[] { new[] { "Org1MSP", "Org2MSP", "Org3MSP" } }));
    }
}
