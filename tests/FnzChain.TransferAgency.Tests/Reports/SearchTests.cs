using FnzChain.TransferAgency.Orders;
using FnzChain.TransferAgency.Reports;
using static FnzChain.TransferAgency.Tests.TransferAgencyLedger;

namespace FnzChain.TransferAgency.Tests.Reports;

/// <summary>
/// Order and holding searches on a peer without rich queries (the in-memory stub is one): the composite-key index walk.
/// The CouchDB query path is run by the demo on CouchDB peers, whose output the CLI tests compare with this path's.
/// </summary>
public sealed class SearchTests
{
    /// <summary>Orders O1–O3 by Dist1 (O2 cancelled) and O4 by Dist2, an hour apart; then O5 by Dist1 in the same hour as O4.</summary>
    private static async Task<TransferAgencyLedger> WithOrdersAsync()
    {
        var ledger = await new TransferAgencyLedger().WithFundAndAccountsAsync();
        var hour = 0;
        foreach (var (id, account, who) in new[] { ("O1", "ACC-1", Distributor1), ("O2", "ACC-1", Distributor1), ("O3", "ACC-1", Distributor1), ("O4", "ACC-2", Distributor2) })
        {
            ledger.Stub.Timestamp = Monday.AddMinutes(10 * hour++);
            await ledger.OkAsync(who, "PlaceSubscription", id, account, id == "O3" ? ClassB : ClassA, "2000", "EUR");
        }

        await ledger.OkAsync(Distributor1, "PlaceSubscription", "O5", "ACC-1", ClassA, "3000", "EUR");
        await ledger.OkAsync(Distributor1, "CancelOrder", "O2", "changed my mind");
        return ledger;
    }

    [Test]
    public async Task Orders_are_found_newest_first_with_ties_broken_by_order_id()
    {
        var ledger = await WithOrdersAsync();

        var page = await ledger.OkAsync<OrderSearchPage>(Ta, "FindOrders", FundId, "", "", "50", "");

        Assert.That(page.Orders.Select(o => o.OrderId), Is.EqualTo(new[] { "O5", "O4", "O3", "O2", "O1" }));
        Assert.That((page.Bookmark, page.AnsweredBy), Is.EqualTo((string.Empty, "key-index")));
    }

    [Test]
    public async Task Orders_are_filtered_by_status_and_distributor()
    {
        var ledger = await WithOrdersAsync();

        var pending = await ledger.OkAsync<OrderSearchPage>(Ta, "FindOrders", FundId, "pending", "Dist1MSP", "50", "");
        var cancelled = await ledger.OkAsync<OrderSearchPage>(Accountant, "FindOrders", "", "cancelled", "", "50", "");

        Assert.That(pending.Orders.Select(o => o.OrderId), Is.EqualTo(new[] { "O5", "O3", "O1" }));
        Assert.That(pending.Orders.Select(o => o.Distributor).Distinct(), Is.EqualTo(new[] { "Dist1MSP" }));
        Assert.That(cancelled.Orders.Select(o => (o.OrderId, o.Status)), Is.EqualTo(new[] { ("O2", OrderStatus.Cancelled) }));
    }

    [Test]
    public async Task Pages_follow_each_other_without_gaps_or_repeats()
    {
        var ledger = await WithOrdersAsync();
        var seen = new List<string>();
        var bookmark = string.Empty;
        var pages = 0;
        do
        {
            var page = await ledger.OkAsync<OrderSearchPage>(Ta, "FindOrders", "", "", "", "2", bookmark);
            seen.AddRange(page.Orders.Select(o => o.OrderId));
            bookmark = page.Bookmark;
            pages++;
        }
        while (bookmark.Length > 0 && pages < 10);

        Assert.That(seen, Is.EqualTo(new[] { "O5", "O4", "O3", "O2", "O1" }));
        Assert.That(pages, Is.EqualTo(3));
    }

    [Test]
    public async Task A_distributor_sees_only_its_own_investors_orders()
    {
        var ledger = await WithOrdersAsync();

        var own = await ledger.OkAsync<OrderSearchPage>(Distributor2, "FindOrders", "", "", "", "50", "");
        var refused = await ledger.InvokeAsync(Distributor2, "FindOrders", "", "", "Dist1MSP", "50", "");

        Assert.That((own.Distributor, own.Orders.Select(o => o.OrderId).ToList()), Is.EqualTo(("Dist2MSP", new List<string> { "O4" })));
        Assert.That((refused.Status, refused.Message), Is.EqualTo((403, "distributor Dist2MSP may search only its own investors' orders, not Dist1MSP's")));
    }

    [Test]
    public async Task A_bookmark_from_a_couchdb_peer_is_refused_in_one_line()
    {
        var ledger = await WithOrdersAsync();

        var refused = await ledger.InvokeAsync(Ta, "FindOrders", "", "", "", "2", "q:g1AAAA");

        Assert.That((refused.Status, refused.Message), Is.EqualTo((400,
            "the bookmark comes from a peer whose state database answers this search the other way (CouchDB query or key index): start again without a bookmark on this peer")));
    }

    [Test]
    public async Task Holdings_above_a_threshold_are_found_in_account_order_page_by_page()
    {
        var ledger = await new TransferAgencyLedger().WithFundAndAccountsAsync();
        await ledger.OpenAccountAsync("ACC-3", Distributor1, "Dist1MSP", "payout");
        await ledger.OkAsync(Distributor1, "PlaceSubscription", "O1", "ACC-1", ClassA, "5000", "EUR");
        await ledger.OkAsync(Distributor2, "PlaceSubscription", "O2", "ACC-2", ClassA, "20000", "EUR");
        await ledger.OkAsync(Distributor1, "PlaceSubscription", "O3", "ACC-3", ClassA, "30000", "EUR");
        await ledger.PriceAndDealAsync(ClassA, "2026-03-02", 100m);
        await ledger.SettleAsync("2026-03-04");

        var all = await ledger.OkAsync<HoldingSearchPage>(Compliance, "FindHoldings", ClassA, "0", "50", "");
        var first = await ledger.OkAsync<HoldingSearchPage>(Ta, "FindHoldings", ClassA, "100", "1", "");
        var second = await ledger.OkAsync<HoldingSearchPage>(Ta, "FindHoldings", ClassA, "100", "1", first.Bookmark);
        var negative = await ledger.InvokeAsync(Ta, "FindHoldings", ClassA, "-1", "1", "");

        Assert.That(all.Holdings.Select(h => (h.AccountId, h.Units)), Is.EqualTo(new[] { ("ACC-1", 50m), ("ACC-2", 200m), ("ACC-3", 300m) }));
        Assert.That((first.Holdings.Single().AccountId, second.Holdings.Single().AccountId, second.Bookmark), Is.EqualTo(("ACC-2", "ACC-3", string.Empty)));
        Assert.That(negative.Message, Is.EqualTo("the minimum number of units must not be negative, not -1"));
    }
}
