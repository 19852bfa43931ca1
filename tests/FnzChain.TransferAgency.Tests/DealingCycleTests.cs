using FnzChain.TransferAgency.Distributions;
using FnzChain.TransferAgency.Funds;
using FnzChain.TransferAgency.Orders;
using FnzChain.TransferAgency.Reports;
using static FnzChain.TransferAgency.Tests.TransferAgencyLedger;

namespace FnzChain.TransferAgency.Tests;

/// <summary>A whole week of business: orders → NAV → dealing → settlement → register → distribution → statement, reconciled.</summary>
public sealed class DealingCycleTests
{
    [Test]
    public async Task A_dealing_cycle_reconciles_the_register_with_units_issued_minus_redeemed()
    {
        var ledger = await new TransferAgencyLedger().WithFundAndAccountsAsync();

        // Monday before the cut-off: two distributors subscribe for their investors.
        await ledger.OkAsync(Distributor1, "PlaceSubscription", "ORD-1", "ACC-1", ClassA, "10000", "EUR");
        await ledger.OkAsync(Distributor2, "PlaceSubscription", "ORD-2", "ACC-2", ClassA, "5000", "EUR");
        var monday = await ledger.PriceAndDealAsync(ClassA, "2026-03-02", 123.457m);
        Assert.That(monday.Priced.Select(p => (p.OrderId, p.Units, p.SettlementDate)), Is.EqualTo(new[]
        {
            ("ORD-1", 80.999m, new DateOnly(2026, 3, 4)),
            ("ORD-2", 40.499m, new DateOnly(2026, 3, 4)),
        }));

        // Priced is not settled: the register is still empty on Tuesday.
        Assert.That((await RegisterAsync(ledger, "2026-03-03")).Sum(e => e.Units), Is.Zero);
        var settledWednesday = await ledger.SettleAsync("2026-03-04");
        Assert.That(settledWednesday.Settled.Select(s => s.OrderId), Is.EqualTo(new[] { "ORD-1", "ORD-2" }));

        // Wednesday: a redemption of 20 units at Wednesday's NAV, settled Friday.
        ledger.Stub.Timestamp = new DateTimeOffset(2026, 3, 4, 11, 0, 0, TimeSpan.Zero);
        await ledger.OkAsync(Distributor1, "PlaceRedemptionByUnits", "ORD-3", "ACC-1", ClassA, "20");
        var wednesday = await ledger.PriceAndDealAsync(ClassA, "2026-03-04", 125m);
        Assert.That(wednesday.Priced.Single().NetAmount, Is.EqualTo(2500.00m));
        await ledger.SettleAsync("2026-03-06");

        // Friday: NAV, then a distribution of 0.50 per unit to holders on Friday; ACC-2 reinvests at the ex-date NAV.
        await ledger.PriceAndDealAsync(ClassA, "2026-03-06", 126m);
        await ledger.OkAsync(Ta, "DeclareDistribution", """
            {"distributionId":"DIST-2026-1","classId":"GLOBAL-EQ-A","recordDate":"2026-03-06","exDate":"2026-03-06","paymentDate":"2026-03-09","amountPerUnit":0.50,"currency":"EUR"}
            """);
        var distribution = await ledger.OkAsync<Distribution>(Ta, "ProcessDistribution", "DIST-2026-1", "0");
        // Cash is money, half up to cents: 60.999 × 0.50 = 30.4995 → 30.50 and 40.499 × 0.50 = 20.2495 → 20.25;
        // units are truncated: 20.25 / 126 = 0.1607… → 0.160.
        Assert.That((distribution.Status, distribution.CashPaidOut, distribution.CashReinvested, distribution.UnitsReinvested), Is.EqualTo((BatchStatus.Completed, 30.50m, 20.25m, 0.160m)));

        // The register after payment reconciles with the class's counters.
        var register = await RegisterAsync(ledger, "2026-03-09");
        var shareClass = await ledger.OkAsync<ShareClass>(Ta, "ReadShareClass", ClassA);
        Assert.That(register.Select(e => (e.AccountId, e.Units)), Is.EqualTo(new[] { ("ACC-1", 60.999m), ("ACC-2", 40.659m) }));
        Assert.That(register.Sum(e => e.Units), Is.EqualTo(shareClass.UnitsInIssue));
        Assert.That(shareClass.UnitsInIssue, Is.EqualTo(shareClass.UnitsSubscribed - shareClass.UnitsRedeemed + shareClass.UnitsReinvested));
        Assert.That((shareClass.UnitsSubscribed, shareClass.UnitsRedeemed, shareClass.UnitsReinvested), Is.EqualTo((121.498m, 20m, 0.160m)));

        // The investor statement shows the holding valued at the latest NAV, the distribution and the order.
        ledger.Stub.Timestamp = new DateTimeOffset(2026, 3, 9, 9, 0, 0, TimeSpan.Zero);
        var statement = await ledger.OkAsync<InvestorStatement>(Distributor2, "GetInvestorStatement", "ACC-2", "10", "");
        Assert.That(statement.Holdings.Single(), Is.EqualTo(new StatementHolding(ClassA, IsinA, "EUR", 40.659m, 126m, new DateOnly(2026, 3, 6), 5123.03m)));
        Assert.That(statement.Distributions.Single().UnitsReinvested, Is.EqualTo(0.160m));
        Assert.That(statement.Orders.Select(o => (o.OrderId, o.Status)), Is.EqualTo(new[] { ("ORD-2", OrderStatus.Settled) }));
    }

    private static async Task<List<RegisterEntry>> RegisterAsync(TransferAgencyLedger ledger, string date)
    {
        var entries = new List<RegisterEntry>();
        var bookmark = string.Empty;
        do
        {
            // Page size 1 walks the pagination too.
            var page = await ledger.OkAsync<RegisterPage>(Ta, "GetRegister", ClassA, date, "1", bookmark);
            entries.AddRange(page.Entries);
            bookmark = page.Bookmark;
        }
        while (bookmark.Length > 0);

        return entries;
    }
}
