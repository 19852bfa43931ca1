using FnzChain.TransferAgency.Funds;

namespace FnzChain.TransferAgency.Tests.Funds;

public sealed class IsinTests
{
    [TestCase("IE00B4L5Y983")]
    [TestCase("US0378331005")]
    [TestCase("LU0290358497")]
    public void Real_isins_are_valid(string isin) => Assert.That(Isin.Problem(isin), Is.Null);

    [TestCase("IE00B4L5Y984", "the check digit should be 3")]
    [TestCase("IE00B4L5Y98", "an ISIN has 12 characters")]
    [TestCase("1E00B4L5Y983", "an ISIN starts with a two-letter country code")]
    [TestCase("IE00B4L5Y98X", "an ISIN has nine letters or digits and a check digit after the country code")]
    public void Bad_isins_name_the_problem(string isin, string problem) => Assert.That(Isin.Problem(isin), Is.EqualTo(problem));
}
