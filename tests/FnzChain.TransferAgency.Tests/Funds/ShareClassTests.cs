using FnzChain.TransferAgency.Funds;
using static FnzChain.TransferAgency.Tests.TransferAgencyLedger;

namespace FnzChain.TransferAgency.Tests.Funds;

public sealed class ShareClassTests
{
    [Test]
    public async Task A_share_class_is_created_open_with_its_definition()
    {
        var ledger = await new TransferAgencyLedger().WithFundAndAccountsAsync();

        var shareClass = await ledger.OkAsync<ShareClass>(Ta, "ReadShareClass", ClassA);

        Assert.That((shareClass.Status, shareClass.Definition.Isin, shareClass.Definition.SettlementDays, shareClass.Definition.CutOff), Is.EqualTo((ClassStatus.Open, IsinA, 2, new TimeOnly(12, 0))));
    }

    [TestCase(IsinA, "EUR", "", 409, "ISIN IE00B4L5Y983 already identifies share class GLOBAL-EQ-A")]
    [TestCase("IE00B4L5Y984", "EUR", "", 400, "ISIN \"IE00B4L5Y984\" of share class NEW is not valid: the check digit should be 3")]
    [TestCase("LU0290358497", "EUX", "", 400, "currency \"EUX\" of share class NEW is not a supported ISO 4217 code")]
    [TestCase("LU0290358497", "EUR", ",\"unitDecimals\":9", 400, "unit decimals of share class NEW must be 0–6, not 9")]
    [TestCase("LU0290358497", "EUR", ",\"settlementDays\":-1", 400, "settlement cycle of share class NEW must be T+0 to T+10, not T+-1")]
    [TestCase("LU0290358497", "EUR", ",\"entryFeeRate\":1.5", 400, "fee rates of share class NEW are fractions")]
    [TestCase("LU0290358497", "EUR", ",\"fourEyesThreshold\":0", 400, "four-eyes threshold of share class NEW must be positive")]
    [TestCase("LU0290358497", "EUR", ",\"dealingDay\":\"sunday\"", 400, "weekly dealing day of share class NEW must be a weekday")]
    public async Task Bad_share_class_definitions_are_refused(string isin, string currency, string extra, int status, string message)
    {
        var ledger = await new TransferAgencyLedger().WithFundAndAccountsAsync();
        var json = $$"""{"classId":"NEW","fundId":"{{FundId}}","isin":"{{isin}}","currency":"{{currency}}"{{extra}}}""";

        var refused = await ledger.InvokeAsync(Ta, "CreateShareClass", json);

        Assert.That(refused.Status, Is.EqualTo(status));
        Assert.That(refused.Message, Does.StartWith(message));
    }

    [Test]
    public async Task A_share_class_of_an_unknown_fund_is_refused()
    {
        var ledger = await new TransferAgencyLedger().WithFundAndAccountsAsync();

        var refused = await ledger.InvokeAsync(Ta, "CreateShareClass", """{"classId":"X","fundId":"NOPE","isin":"LU0290358497","currency":"EUR"}""");

        Assert.That((refused.Status, refused.Message), Is.EqualTo((404, "fund NOPE does not exist")));
    }

    [Test]
    public async Task Duplicate_funds_are_refused()
    {
        var ledger = await new TransferAgencyLedger().WithFundAndAccountsAsync();

        var refused = await ledger.InvokeAsync(Ta, "CreateFund", FundId, "Again", "[]");

        Assert.That((refused.Status, refused.Message), Is.EqualTo((409, "fund GLOBAL-EQ already exists")));
    }

    [Test]
    public async Task The_status_changes_to_soft_closed_and_is_announced()
    {
        var ledger = await new TransferAgencyLedger().WithFundAndAccountsAsync();

        var changed = await ledger.OkAsync<ShareClass>(Ta, "SetShareClassStatus", ClassA, "soft-closed");

        Assert.That(changed.Status, Is.EqualTo(ClassStatus.SoftClosed));
        Assert.That(ledger.Stub.LastEvent?.Name, Is.EqualTo("ShareClassStatusChanged"));
    }
}
