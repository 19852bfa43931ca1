using FnzChain.TransferAgency.Orders;
using FnzChain.TransferAgency.Pricing;
using static FnzChain.TransferAgency.Tests.TransferAgencyLedger;

namespace FnzChain.TransferAgency.Tests.Pricing;

/// <summary>NAV publication once per class and date, four-eyes corrections, forward pricing at dealing.</summary>
public sealed class NavTests
{
    private static readonly DateTimeOffset MondayEvening = new(2026, 3, 2, 18, 0, 0, TimeSpan.Zero);

    [Test]
    public async Task A_nav_is_published_once_per_class_and_date()
    {
        var ledger = await new TransferAgencyLedger().WithFundAndAccountsAsync();
        ledger.Stub.Timestamp = MondayEvening;
        await ledger.OkAsync(Accountant, "PublishNav", ClassA, "2026-03-02", "100", "EUR");

        var again = await ledger.InvokeAsync(Accountant, "PublishNav", ClassA, "2026-03-02", "101", "EUR");

        Assert.That((again.Status, again.Message), Is.EqualTo((409, "the NAV of share class GLOBAL-EQ-A for 2026-03-02 is already published (100); a correction needs ProposeNavCorrection and an approval")));
    }

    [TestCase(ClassA, "2026-03-02", "0", "EUR", 400, "a NAV must be positive, not 0")]
    [TestCase(ClassA, "2026-03-02", "-1", "EUR", 400, "a NAV must be positive, not -1")]
    [TestCase(ClassA, "2026-03-02", "100", "GBP", 400, "the NAV is in GBP but share class GLOBAL-EQ-A is priced in EUR")]
    [TestCase(ClassA, "2026-03-01", "100", "EUR", 400, "2026-03-01 is not a dealing date of share class GLOBAL-EQ-A")]
    [TestCase(ClassA, "2026-03-03", "100", "EUR", 400, "the NAV date 2026-03-03 is after today (2026-03-02)")]
    [TestCase(ClassA, "2 March", "100", "EUR", 400, "NAV date \"2 March\" is not a date in the form yyyy-MM-dd")]
    [TestCase("NOPE", "2026-03-02", "100", "EUR", 404, "share class NOPE does not exist")]
    public async Task Bad_navs_are_refused(string classId, string date, string nav, string currency, int status, string message)
    {
        var ledger = await new TransferAgencyLedger().WithFundAndAccountsAsync();
        ledger.Stub.Timestamp = MondayEvening;

        var refused = await ledger.InvokeAsync(Accountant, "PublishNav", classId, date, nav, currency);

        Assert.That(refused.Status, Is.EqualTo(status));
        Assert.That(refused.Message, Does.StartWith(message));
    }

    [Test]
    public async Task No_nav_is_published_for_a_closed_class()
    {
        var ledger = await new TransferAgencyLedger().WithFundAndAccountsAsync();
        await ledger.OkAsync(Ta, "SetShareClassStatus", ClassB, "closed");
        ledger.Stub.Timestamp = MondayEvening;

        var refused = await ledger.InvokeAsync(Accountant, "PublishNav", ClassB, "2026-03-02", "100", "EUR");

        Assert.That((refused.Status, refused.Message), Is.EqualTo((409, "share class GLOBAL-EQ-B is closed: no NAV is published for a closed class")));
    }

    [Test]
    public async Task Orders_are_priced_at_their_dealing_dates_nav_not_the_nav_known_at_entry()
    {
        var ledger = await new TransferAgencyLedger().WithFundAndAccountsAsync();
        await ledger.PriceAndDealAsync(ClassA, "2026-03-02", 100m);
        ledger.Stub.Timestamp = new DateTimeOffset(2026, 3, 3, 9, 0, 0, TimeSpan.Zero);
        await ledger.OkAsync(Distributor1, "PlaceSubscription", "O1", "ACC-1", ClassA, "5000", "EUR");

        var dealt = await ledger.PriceAndDealAsync(ClassA, "2026-03-03", 125m);

        Assert.That(dealt.Priced.Single().Units, Is.EqualTo(40m));
    }

    [Test]
    public async Task Dealing_without_a_published_nav_is_refused()
    {
        var ledger = await new TransferAgencyLedger().WithFundAndAccountsAsync();

        var refused = await ledger.InvokeAsync(Ta, "DealOrders", ClassA, "2026-03-02");

        Assert.That((refused.Status, refused.Message), Is.EqualTo((404, "no NAV is published for share class GLOBAL-EQ-A on 2026-03-02")));
    }

    [Test]
    public async Task A_nav_correction_takes_effect_only_after_a_different_approver_and_reprices_unsettled_orders()
    {
        var ledger = await new TransferAgencyLedger().WithFundAndAccountsAsync();
        await ledger.OkAsync(Distributor1, "PlaceSubscription", "O1", "ACC-1", ClassA, "5000", "EUR");
        await ledger.PriceAndDealAsync(ClassA, "2026-03-02", 100m);

        await ledger.OkAsync(AccountantApprover, "ProposeNavCorrection", "CORR-1", ClassA, "2026-03-02", "125", "stale FX rate for the JPY holdings");
        var beforeApproval = await ledger.OkAsync<NavRecord>(Ta, "ReadNav", ClassA, "2026-03-02");
        var self = await ledger.InvokeAsync(AccountantApprover, "ApproveNavCorrection", "CORR-1");
        var correction = await ledger.OkAsync<NavCorrection>(Approver, "ApproveNavCorrection", "CORR-1");
        var after = await ledger.OkAsync<NavRecord>(Ta, "ReadNav", ClassA, "2026-03-02");
        var order = await ledger.OkAsync<Order>(Ta, "ReadOrder", "O1");

        Assert.That(beforeApproval.Nav, Is.EqualTo(100m));
        Assert.That(self.Message, Is.EqualTo("NAV correction CORR-1 was proposed by the same identity that is approving it; four-eyes approval needs a different approver"));
        Assert.That((after.Nav, after.OriginalNav, after.CorrectionId), Is.EqualTo((125m, (decimal?)100m, "CORR-1")));
        Assert.That(correction.RepricedOrders, Is.EqualTo(new[] { "O1" }));
        Assert.That((order.Status, order.DealtUnits, order.Nav), Is.EqualTo((OrderStatus.Priced, (decimal?)40m, (decimal?)125m)));
    }

    [Test]
    public async Task A_nav_correction_lists_settled_orders_for_compensation()
    {
        var ledger = await new TransferAgencyLedger().WithFundAndAccountsAsync();
        await ledger.OkAsync(Distributor1, "PlaceSubscription", "O1", "ACC-1", ClassA, "5000", "EUR");
        await ledger.PriceAndDealAsync(ClassA, "2026-03-02", 100m);
        await ledger.SettleAsync("2026-03-04");
        await ledger.OkAsync(Accountant, "ProposeNavCorrection", "CORR-1", ClassA, "2026-03-02", "99", "late trade");

        var correction = await ledger.OkAsync<NavCorrection>(Approver, "ApproveNavCorrection", "CORR-1");

        Assert.That((correction.SettledOrdersToCompensate.Single(), correction.RepricedOrders.Count), Is.EqualTo(("O1", 0)));
    }

    [TestCase("", "correction reason is missing")]
    public async Task A_nav_correction_needs_a_reason(string reason, string message)
    {
        var ledger = await new TransferAgencyLedger().WithFundAndAccountsAsync();
        await ledger.PriceAndDealAsync(ClassA, "2026-03-02", 100m);

        var refused = await ledger.InvokeAsync(Accountant, "ProposeNavCorrection", "CORR-1", ClassA, "2026-03-02", "101", reason);

        Assert.That(refused.Message, Is.EqualTo(message));
    }
}
