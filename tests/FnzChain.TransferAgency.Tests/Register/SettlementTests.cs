using FnzChain.TransferAgency.Funds;
using FnzChain.TransferAgency.Orders;
using FnzChain.TransferAgency.Register;
using FnzChain.TransferAgency.Tests.Orders;
using static FnzChain.TransferAgency.Tests.TransferAgencyLedger;

namespace FnzChain.TransferAgency.Tests.Register;

/// <summary>Settlement on T+n: the register changes only here; failures carry a reason and change nothing.</summary>
public sealed class SettlementTests
{
    [Test]
    public async Task The_register_changes_only_on_settlement()
    {
        var ledger = await new TransferAgencyLedger().WithFundAndAccountsAsync();
        await ledger.OkAsync(Distributor1, "PlaceSubscription", "O1", "ACC-1", ClassA, "5000", "EUR");
        await ledger.PriceAndDealAsync(ClassA, "2026-03-02", 100m);

        var priced = await ledger.OkAsync<Holding>(Ta, "ReadHolding", "ACC-1", ClassA);
        var early = await ledger.SettleAsync("2026-03-03");
        var due = await ledger.SettleAsync("2026-03-04");
        var settled = await ledger.OkAsync<Holding>(Ta, "ReadHolding", "ACC-1", ClassA);

        Assert.That((priced.Units, early.Settled.Count, due.Settled.Single().OrderId, settled.Units), Is.EqualTo((0m, 0, "O1", 50m)));
        Assert.That((await ledger.OkAsync<Order>(Ta, "ReadOrder", "O1")).Status, Is.EqualTo(OrderStatus.Settled));
    }

    [Test]
    public async Task Settling_a_date_that_has_not_arrived_is_refused()
    {
        var ledger = await new TransferAgencyLedger().WithFundAndAccountsAsync();

        var refused = await ledger.InvokeAsync(Ta, "SettleOrders", "2026-03-04");

        Assert.That(refused.Message, Is.EqualTo("orders due on 2026-03-04 cannot settle before that date (today is 2026-03-02)"));
    }

    [Test]
    public async Task A_priced_order_fails_with_its_reason_and_leaves_the_register_alone()
    {
        var ledger = await new TransferAgencyLedger().WithFundAndAccountsAsync();
        await ledger.OkAsync(Distributor1, "PlaceSubscription", "O1", "ACC-1", ClassA, "5000", "EUR");
        await ledger.PriceAndDealAsync(ClassA, "2026-03-02", 100m);

        var failed = await ledger.OkAsync<Order>(Ta, "FailOrder", "O1", "subscription cash not received");
        var settlement = await ledger.SettleAsync("2026-03-04");

        Assert.That((failed.Status, failed.Reason), Is.EqualTo((OrderStatus.Failed, "subscription cash not received")));
        Assert.That(settlement.Settled, Is.Empty);
        Assert.That((await ledger.OkAsync<ShareClass>(Ta, "ReadShareClass", ClassA)).UnitsInIssue, Is.Zero);
    }

    [Test]
    public async Task A_redemption_by_amount_beyond_the_holding_is_rejected_at_dealing()
    {
        var ledger = await OrderPlacementTests.SettledHoldingAsync(100m);
        await ledger.OkAsync(Distributor1, "PlaceRedemptionByAmount", "R1", "ACC-1", ClassA, "6000", "EUR");

        var dealt = await ledger.PriceAndDealAsync(ClassA, "2026-03-04", 100m);

        Assert.That(dealt.Rejected.Single().Reason, Is.EqualTo("account ACC-1 has 50 units of share class GLOBAL-EQ-A available (50 held, 0 in open orders) but the order needs 60"));
    }

    [Test]
    public async Task A_switch_moves_units_between_classes_on_settlement()
    {
        var ledger = await OrderPlacementTests.SettledHoldingAsync(100m);
        await ledger.OkAsync(Distributor1, "PlaceSwitch", "S1", "ACC-1", ClassA, ClassB, "10");

        var firstClass = await ledger.PriceAndDealAsync(ClassA, "2026-03-04", 100m);
        var secondClass = await ledger.PriceAndDealAsync(ClassB, "2026-03-04", 50m);
        var settled = await ledger.SettleAsync("2026-03-06");

        Assert.That(firstClass.WaitingForTargetNav, Is.EqualTo(new[] { "S1" }));
        Assert.That(secondClass.Priced.Single().TargetUnits, Is.EqualTo(20m));
        Assert.That(settled.Settled.Single().TargetUnits, Is.EqualTo(20m));
        Assert.That((await ledger.OkAsync<Holding>(Ta, "ReadHolding", "ACC-1", ClassA)).Units, Is.EqualTo(40m));
        Assert.That((await ledger.OkAsync<Holding>(Ta, "ReadHolding", "ACC-1", ClassB)).Units, Is.EqualTo(20m));
    }

    [Test]
    public async Task Settlement_emits_one_event_describing_every_order_it_settled()
    {
        var ledger = await new TransferAgencyLedger().WithFundAndAccountsAsync();
        await ledger.OkAsync(Distributor1, "PlaceSubscription", "O1", "ACC-1", ClassA, "5000", "EUR");
        await ledger.OkAsync(Distributor1, "PlaceSubscription", "O2", "ACC-1", ClassA, "3000", "EUR");
        await ledger.PriceAndDealAsync(ClassA, "2026-03-02", 100m);

        await ledger.SettleAsync("2026-03-04");
        var payload = System.Text.Encoding.UTF8.GetString(ledger.Stub.LastEvent!.Value.Payload);

        Assert.That(ledger.Stub.LastEvent.Value.Name, Is.EqualTo("OrdersSettled"));
        Assert.That(payload, Does.Contain("\"orderId\":\"O1\"").And.Contain("\"orderId\":\"O2\""));
        Assert.That((await ledger.OkAsync<Holding>(Ta, "ReadHolding", "ACC-1", ClassA)).Units, Is.EqualTo(80m), "two settlements of one holding in one transaction both count");
    }
}
