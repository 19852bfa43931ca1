using FnzChain.Identity.Policies;

namespace FnzChain.Identity.Tests.Policies;

public sealed class PolicyDslTests
{
    [TestCase("AND('Org1MSP.peer','Org2MSP.peer')", "AND('Org1MSP.peer', 'Org2MSP.peer')")]
    [TestCase("or(\"Org1MSP.member\", \"Org2MSP.admin\")", "OR('Org1MSP.member', 'Org2MSP.admin')")]
    [TestCase("  OutOf( 2 , 'A.peer','B.peer' ,'C.peer' ) ", "OutOf(2, 'A.peer', 'B.peer', 'C.peer')")]
    [TestCase("OR('Org1MSP.member', AND('Org2MSP.admin','Org3MSP.client'))", "OR('Org1MSP.member', AND('Org2MSP.admin', 'Org3MSP.client'))")]
    [TestCase("'org1.example.com.orderer'", "'org1.example.com.orderer'")]
    public void Parse_then_render_gives_canonical_text(string text, string expected)
    {
        Assert.That(PolicyDsl.Render(PolicyDsl.Parse(text)), Is.EqualTo(expected));
    }

    [Test]
    public void Parse_shares_one_principal_between_repeated_mentions()
    {
        var envelope = PolicyDsl.Parse("OR(AND('A.peer','B.peer'), AND('A.peer','C.peer'))");
        Assert.That(envelope.Identities, Has.Count.EqualTo(3));
    }

    [TestCase("AND('A.peer'", "expected ')' at position 12 (found the end)")]
    [TestCase("AND('A.boss')", "unknown role 'boss' in 'A.boss'")]
    [TestCase("OutOf(3, 'A.peer', 'B.peer')", "OutOf(3, ...) at position 0")]
    [TestCase("OutOf(0, 'A.peer')", "needs n between 1 and its 1 rules")]
    [TestCase("XOR('A.peer')", "unknown operator 'XOR'")]
    [TestCase("AND('A.peer') junk", "expected the end of the policy")]
    [TestCase("AND('peer')", "is not of the form '<MSP id>.<role>'")]
    [TestCase("AND('A B.peer')", "may hold only letters, digits")]
    [TestCase("OR('A.peer", "unterminated principal")]
    [TestCase("OutOf(x, 'A.peer')", "expected a whole number")]
    [TestCase("", "expected AND(, OR(, OutOf( or a quoted principal")]
    public void Parse_rejects_bad_text_naming_the_problem(string text, string expected)
    {
        var ex = Assert.Throws<PolicyException>(() => PolicyDsl.Parse(text));
        Assert.That(ex!.Message, Does.StartWith("policy: ").And.Contain(expected));
    }
}
