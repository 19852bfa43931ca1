using FnzChain.Identity.Channels;
using FnzChain.Identity.Policies;
using FnzChain.Protos.Config;
using FnzChain.Protos.Peer;

namespace FnzChain.Identity.Tests.Channels;

/// <summary>Which collection changes a chaincode redefinition may make (Fabric's lifecycle rules).</summary>
public sealed class CollectionTransitionTests
{
    private static List<ChaincodeDefinition> Config(params (string Name, ulong BlockToLive, string Members)[] collections)
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

        return [new ChaincodeDefinition { Name = "ta", Sequence = 1, Collections = package }];
    }

    [Test]
    public void Adding_a_collection_or_changing_its_members_is_allowed()
    {
        var before = Config(("pii", 0, "OR('Org1MSP.member')"));
        var after = Config(("pii", 0, "OR('Org1MSP.member','Org2MSP.member')"), ("kyc", 10, "OR('Org1MSP.member')"));

        Assert.That(ChannelBundle.TransitionProblem(before, after), Is.Null);
    }

    [Test]
    public void Removing_a_collection_is_refused_naming_it()
    {
        var problem = ChannelBundle.TransitionProblem(Config(("pii", 0, "OR('Org1MSP.member')"), ("kyc", 10, "OR('Org1MSP.member')")), Config(("pii", 0, "OR('Org1MSP.member')")));

        Assert.That(problem, Is.EqualTo("chaincode ta: collection kyc cannot be removed (its private data would be orphaned)"));
    }

    [Test]
    public void Changing_block_to_live_is_refused_with_both_values()
    {
        var problem = ChannelBundle.TransitionProblem(Config(("kyc", 10, "OR('Org1MSP.member')")), Config(("kyc", 0, "OR('Org1MSP.member')")));

        Assert.That(problem, Is.EqualTo("chaincode ta: the blockToLive of collection kyc cannot change (10 → 0)"));
    }

    [Test]
    public void A_chaincode_that_is_no_longer_defined_is_not_checked()
    {
        List<ChaincodeDefinition> after = [];

        Assert.That(ChannelBundle.TransitionProblem(Config(("pii", 0, "OR('Org1MSP.member')")), after), Is.Null);
    }
}
