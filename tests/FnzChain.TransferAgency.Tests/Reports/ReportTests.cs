using FnzChain.TransferAgency.Orders;
using FnzChain.TransferAgency.Reports;
using static FnzChain.TransferAgency.Tests.TransferAgencyLedger;

namespace FnzChain.TransferAgency.Tests.Reports;

/// <summary>Paginated reports and histories from the ledger.</summary>
public sealed class ReportTests
{
    [Test]
    public async Task The_order_book_pages_through_a_dealing_date()
    {
        var ledger = await new TransferAgencyLedger().WithFundAndAccountsAsync();
        foreach (var id in new[] { "O1", "O2", "O3" })
        {
            await ledger.OkAsync(Distributor1, "PlaceSubscription", id, "ACC-1", ClassA, "2000", "EUR");
        }

        var first = await ledger.OkAsync<OrderBookPage>(Ta, "GetOrderBook", ClassA, "2026-03-02", "2", "");
        var second = await ledger.OkAsync<OrderBookPage>(Ta, "GetOrderBook", ClassA, "2026-03-02", "2", first.Bookmark);

        Assert.That(first.Orders.Select(o => o.OrderId), Is.EqualTo(new[] { "O1", "O2" }));
        Assert.That((second.Orders.Single().OrderId, second.Bookmark, first.SubscribedAmountOnPage), Is.EqualTo(("O3", string.Empty, 4000m)));
    }

    [Test]
    public async Task A_bookmark_from_another_report_is_refused()
    {
        var ledger = await new TransferAgencyLedger().WithFundAndAccountsAsync();
        foreach (var id in new[] { "O1", "O2" })
        {
            await ledger.OkAsync(Distributor1, "PlaceSubscription", id, "ACC-1", ClassA, "2000", "EUR");
        }

        var page = await ledger.OkAsync<OrderBookPage>(Ta, "GetOrderBook", ClassA, "2026-03-02", "1", "");
        var refused = await ledger.InvokeAsync(Ta, "GetRegister", ClassA, "2026-03-02", "1", page.Bookmark);

        Assert.That(refused.Message, Is.EqualTo("the bookmark does not belong to this report: pass the bookmark the previous page returned"));
    }

    [TestCase("0")]
    [TestCase("1001")]
    public async Task Page_sizes_are_bounded(string pageSize)
    {
        var ledger = await new TransferAgencyLedger().WithFundAndAccountsAsync();

        var refused = await ledger.InvokeAsync(Ta, "GetOrderBook", ClassA, "2026-03-02", pageSize, "");

        Assert.That(refused.Message, Is.EqualTo($"page size must be between 1 and 1000, not {pageSize}"));
    }

    [Test]
    public async Task An_orders_history_lists_every_state_it_went_through()
    {
        var ledger = await new TransferAgencyLedger().WithFundAndAccountsAsync();
        await ledger.OkAsync(Distributor1, "PlaceSubscription", "O1", "ACC-1", ClassA, "5000", "EUR");
        await ledger.PriceAndDealAsync(ClassA, "2026-03-02", 100m);
        await ledger.SettleAsync("2026-03-04");

        var history = await ledger.OkAsync<List<HistoryEntry>>(Distributor1, "GetOrderHistory", "O1");

        Assert.That(history.Select(h => h.Value!.Value.GetProperty("status").GetString()), Is.EqualTo(new[] { "settled", "priced", "pending" }));
    }

    [Test]
    public async Task A_distributor_sees_statements_only_of_its_own_investors()
    {
        var ledger = await new TransferAgencyLedger().WithFundAndAccountsAsync();

        var refused = await ledger.InvokeAsync(Distributor1, "GetInvestorStatement", "ACC-2", "10", "");

        Assert.That(refused.Status, Is.EqualTo(403));
    }

    [Test]
    public async Task Every_state_change_emits_an_event()
    {
        var ledger = await new TransferAgencyLedger().WithFundAndAccountsAsync();

        await ledger.OkAsync(Distributor1, "PlaceSubscription", "O1", "ACC-1", ClassA, "5000", "EUR");
        var placed = ledger.Stub.LastEvent?.Name;
        var dealt = await ledger.PriceAndDealAsync(ClassA, "2026-03-02", 100m);

        Assert.That((placed, ledger.Stub.LastEvent?.Name, dealt.Priced.Single().Type), Is.EqualTo(("OrderPlaced", "OrdersDealt", OrderType.Subscription)));
    }
}
