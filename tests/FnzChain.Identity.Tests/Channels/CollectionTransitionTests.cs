using FnzChain.Identity.Channels;
using FnzChain.Identity.Policies;
using FnzChain.Protos.Lifecycle;
using FnzChain.Protos.Peer;

namespace FnzChain.Identity.Tests.Channels;

/// <summary>Which changes a chaincode redefinition may make (Fabric's lifecycle rules): sequence, collections.</summary>
public sealed class CollectionTransitionTests
{
    private static ChaincodeDefinition Config(params (string Name, ulong BlockToLive, string Members)[] collections)
    {
        var package = new CollectionConfigPackage();
        foreach (var (name, blockToLive, members) in collections)
        {
            package.Config.Add(new CollectionConfig
            {
                StaticCollectionConfig = new StaticCollectionConfig
                {
                    Name = name,
                    BlockToLive = blockToLive,
                    MemberOrgsPolicy = new CollectionPolicyConfig { SignaturePolicy = PolicyDsl.Parse(members) },
                },
            });
        }

        return new ChaincodeDefinition { Name = "ta", Sequence = 1, Collections = package };
    }

    [Test]
    public void Adding_a_collection_or_changing_its_members_is_allowed()
    {
        var before = Config(("pii", 0, "OR('Org1MSP.member')"));
        var after = Config(("pii", 0, "OR('Org1MSP.member','Org2MSP.member')"), ("kyc", 10, "OR('Org1MSP.member')"));

        Assert.That(ChaincodeLifecycle.TransitionProblem(before, Next(after)), Is.Null);
    }

    [Test]
    public void Removing_a_collection_is_refused_naming_it()
    {
        var problem = ChaincodeLifecycle.TransitionProblem(Config(("pii", 0, "OR('Org1MSP.member')"), ("kyc", 10, "OR('Org1MSP.member')")), Next(Config(("pii", 0, "OR('Org1MSP.member')"))));

        Assert.That(problem, Is.EqualTo("chaincode ta: collection kyc cannot be removed (its private data would be orphaned)"));
    }

    [Test]
    public void Changing_block_to_live_is_refused_with_both_values()
    {
        var problem = ChaincodeLifecycle.TransitionProblem(Config(("kyc", 10, "OR('Org1MSP.member')")), Next(Config(("kyc", 0, "OR('Org1MSP.member')"))));

        Assert.That(problem, Is.EqualTo("chaincode ta: the blockToLive of collection kyc cannot change (10 → 0)"));
    }

    [Test]
    public void The_sequence_starts_at_one_and_goes_up_by_one()
    {
        var first = Config(("pii", 0, "OR('Org1MSP.member')"));
        var skipped = Next(Next(first));

        Assert.Multiple(() =>
        {
            Assert.That(ChaincodeLifecycle.TransitionProblem(null, first), Is.Null);
            Assert.That(ChaincodeLifecycle.TransitionProblem(null, Next(first)), Is.EqualTo("chaincode ta is not defined yet: its first definition has sequence 1, not 2"));
            Assert.That(ChaincodeLifecycle.TransitionProblem(first, first), Is.EqualTo("chaincode ta: sequence 1 does not follow the committed sequence 1 (expected 2)"));
            Assert.That(ChaincodeLifecycle.TransitionProblem(first, skipped), Does.Contain("sequence 3 does not follow"));
        });
    }

    private static ChaincodeDefinition Next(ChaincodeDefinition definition)
    {
        var next = definition.Clone();
        next.Sequence++;
        return next;
    }
}
