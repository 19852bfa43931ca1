using FnzChain.TransferAgency.Orders;
using static FnzChain.TransferAgency.Tests.TransferAgencyLedger;

namespace FnzChain.TransferAgency.Tests.Orders;

/// <summary>Order validation, forward dealing dates, four-eyes approval, cancellation.</summary>
public sealed class OrderPlacementTests
{
    [TestCase("PlaceSubscription", new[] { "O1", "ACC-1", ClassA, "0", "EUR" }, 400, "the order amount must be positive, not 0")]
    [TestCase("PlaceSubscription", new[] { "O1", "ACC-1", ClassA, "-5000", "EUR" }, 400, "the order amount must be positive, not -5000")]
    [TestCase("PlaceSubscription", new[] { "O1", "ACC-1", ClassA, "5000.001", "EUR" }, 400, "the amount 5000.001 has more decimals than EUR allows (2)")]
    [TestCase("PlaceSubscription", new[] { "O1", "ACC-1", ClassA, "5000", "USD" }, 400, "the order is in USD but share class GLOBAL-EQ-A deals in EUR")]
    [TestCase("PlaceSubscription", new[] { "O1", "ACC-1", "NOPE", "5000", "EUR" }, 404, "share class NOPE does not exist")]
    [TestCase("PlaceSubscription", new[] { "O1", "ACC-404", ClassA, "5000", "EUR" }, 404, "account ACC-404 does not exist")]
    [TestCase("PlaceSubscription", new[] { "O1", "ACC-1", ClassA, "999.99", "EUR" }, 400, "the subscription of 999.99 EUR is below the minimum of 1000 EUR for share class GLOBAL-EQ-A")]
    [TestCase("PlaceSubscription", new[] { "O1", "ACC-1", ClassA, "lots", "EUR" }, 400, "argument amount of PlaceSubscription is not a valid Decimal")]
    [TestCase("PlaceSubscription", new[] { "bad id!", "ACC-1", ClassA, "5000", "EUR" }, 400, "order id \"bad id!\" must be 1–64 characters")]
    [TestCase("PlaceRedemptionByUnits", new[] { "O1", "ACC-1", ClassA, "0" }, 400, "the number of units must be positive, not 0")]
    [TestCase("PlaceRedemptionByUnits", new[] { "O1", "ACC-1", ClassA, "1.0001" }, 400, "1.0001 units has more decimals than share class GLOBAL-EQ-A allows (3)")]
    [TestCase("PlaceRedemptionByUnits", new[] { "O1", "ACC-1", ClassA, "10" }, 400, "account ACC-1 holds no units of share class GLOBAL-EQ-A to redeem")]
    [TestCase("PlaceRedemptionByAmount", new[] { "O1", "ACC-1", ClassA, "-1", "EUR" }, 400, "the order amount must be positive, not -1")]
    [TestCase("PlaceSwitch", new[] { "O1", "ACC-1", ClassA, ClassA, "1" }, 400, "a switch needs two different share classes")]
    public async Task Bad_orders_are_refused_with_the_cause_and_nothing_written(string function, string[] args, int status, string message)
    {
        var ledger = await new TransferAgencyLedger().WithFundAndAccountsAsync();

        var refused = await ledger.InvokeAsync(Distributor1, function, args);
        var lookup = await ledger.InvokeAsync(Ta, "ReadOrder", "O1");

        Assert.That(refused.Status, Is.EqualTo(status));
        Assert.That(refused.Message, Does.StartWith(message));
        Assert.That(ledger.Stub.LastEvent, Is.Null);
        Assert.That(lookup.Status, Is.EqualTo(404), "nothing was written");
    }

    [Test]
    public async Task A_duplicate_order_id_is_refused()
    {
        var ledger = await new TransferAgencyLedger().WithFundAndAccountsAsync();
        await ledger.OkAsync(Distributor1, "PlaceSubscription", "O1", "ACC-1", ClassA, "5000", "EUR");

        var refused = await ledger.InvokeAsync(Distributor2, "PlaceSubscription", "O1", "ACC-2", ClassA, "7000", "EUR");

        Assert.That((refused.Status, refused.Message), Is.EqualTo((409, "order O1 already exists: order ids must be unique")));
        Assert.That((await ledger.OkAsync<Order>(Ta, "ReadOrder", "O1")).Amount, Is.EqualTo(5000m));
    }

    [Test]
    public async Task A_distributor_places_orders_only_for_its_own_investors()
    {
        var ledger = await new TransferAgencyLedger().WithFundAndAccountsAsync();

        var refused = await ledger.InvokeAsync(Distributor2, "PlaceSubscription", "O1", "ACC-1", ClassA, "5000", "EUR");

        Assert.That((refused.Status, refused.Message), Is.EqualTo((403, "account ACC-1 is serviced by distributor Dist1MSP: distributor Dist2MSP may act only for its own investors")));
    }

    [TestCase("pending")]
    [TestCase("rejected")]
    public async Task An_account_without_approved_kyc_cannot_deal(string kyc)
    {
        var ledger = await new TransferAgencyLedger().WithFundAndAccountsAsync();
        await ledger.OkAsync(Ta, "SetKycStatus", "ACC-1", kyc);

        var refused = await ledger.InvokeAsync(Distributor1, "PlaceSubscription", "O1", "ACC-1", ClassA, "5000", "EUR");

        Assert.That(refused.Message, Is.EqualTo($"account ACC-1 cannot deal: it is active with KYC {kyc} (it must be active with KYC approved)"));
    }

    [Test]
    public async Task A_blocked_account_cannot_deal()
    {
        var ledger = await new TransferAgencyLedger().WithFundAndAccountsAsync();
        await ledger.OkAsync(Ta, "SetAccountStatus", "ACC-1", "blocked");

        var refused = await ledger.InvokeAsync(Distributor1, "PlaceSubscription", "O1", "ACC-1", ClassA, "5000", "EUR");

        Assert.That((refused.Status, refused.Message), Is.EqualTo((409, "account ACC-1 cannot deal: it is blocked with KYC approved (it must be active with KYC approved)")));
    }

    [Test]
    public async Task The_transfer_agent_places_orders_for_any_distributors_account()
    {
        var ledger = await new TransferAgencyLedger().WithFundAndAccountsAsync();

        var order = await ledger.OkAsync<Order>(Ta, "PlaceSubscription", "O1", "ACC-2", ClassA, "5000", "EUR");

        Assert.That((order.Status, order.PlacedByMsp), Is.EqualTo((OrderStatus.Pending, "TaMSP")));
    }

    [Test]
    public async Task A_closed_class_takes_no_orders()
    {
        var ledger = await new TransferAgencyLedger().WithFundAndAccountsAsync();
        await ledger.OkAsync(Ta, "SetShareClassStatus", ClassA, "closed");

        var refused = await ledger.InvokeAsync(Distributor1, "PlaceSubscription", "O1", "ACC-1", ClassA, "5000", "EUR");

        Assert.That((refused.Status, refused.Message), Is.EqualTo((409, "share class GLOBAL-EQ-A is closed: it takes no orders")));
    }

    [Test]
    public async Task A_soft_closed_class_takes_subscriptions_only_from_existing_holders()
    {
        var ledger = await new TransferAgencyLedger().WithFundAndAccountsAsync();
        await ledger.OkAsync(Distributor1, "PlaceSubscription", "O1", "ACC-1", ClassA, "5000", "EUR");
        await ledger.PriceAndDealAsync(ClassA, "2026-03-02", 100m);
        await ledger.SettleAsync("2026-03-04");
        await ledger.OkAsync(Ta, "SetShareClassStatus", ClassA, "soft-closed");

        var holder = await ledger.InvokeAsync(Distributor1, "PlaceSubscription", "O2", "ACC-1", ClassA, "5000", "EUR");
        var newcomer = await ledger.InvokeAsync(Distributor2, "PlaceSubscription", "O3", "ACC-2", ClassA, "5000", "EUR");

        Assert.That(holder.IsSuccess, Is.True, holder.Message);
        Assert.That(newcomer.Message, Is.EqualTo("share class GLOBAL-EQ-A is soft-closed: only existing holders may buy, and account ACC-2 holds none"));
    }

    [TestCase("2026-03-02T11:59:00Z", "2026-03-02")]
    [TestCase("2026-03-02T12:00:00Z", "2026-03-03")]
    [TestCase("2026-03-07T10:00:00Z", "2026-03-09")]
    public async Task The_cut_off_decides_the_dealing_date(string receivedAt, string dealingDate)
    {
        var ledger = await new TransferAgencyLedger().WithFundAndAccountsAsync();
        ledger.Stub.Timestamp = DateTimeOffset.Parse(receivedAt, System.Globalization.CultureInfo.InvariantCulture);

        var order = await ledger.OkAsync<Order>(Distributor1, "PlaceSubscription", "O1", "ACC-1", ClassA, "5000", "EUR");

        Assert.That(order.DealingDate, Is.EqualTo(DateOnly.Parse(dealingDate, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Test]
    public async Task Redemptions_cannot_exceed_the_units_not_already_in_open_orders()
    {
        var ledger = await SettledHoldingAsync(100m);
        await ledger.OkAsync(Distributor1, "PlaceRedemptionByUnits", "R1", "ACC-1", ClassA, "30");

        var refused = await ledger.InvokeAsync(Distributor1, "PlaceRedemptionByUnits", "R2", "ACC-1", ClassA, "30");

        Assert.That((refused.Status, refused.Message), Is.EqualTo((409, "account ACC-1 has 20 units of share class GLOBAL-EQ-A available (50 held, 30 in open orders) but the order needs 30")));
    }

    [Test]
    public async Task An_order_above_the_threshold_waits_for_a_different_approver()
    {
        var ledger = await new TransferAgencyLedger().WithFundAndAccountsAsync(""","fourEyesThreshold":100000""");
        var placer = Identity("dealer@ta.example.com", "TaMSP", "transfer-agent,approver");

        var order = await ledger.OkAsync<Order>(placer, "PlaceSubscription", "BIG", "ACC-1", ClassA, "250000", "EUR");
        var self = await ledger.InvokeAsync(placer, "ApproveOrder", "BIG");
        var distributor = await ledger.InvokeAsync(Distributor1, "ApproveOrder", "BIG");
        var approved = await ledger.OkAsync<Order>(Approver, "ApproveOrder", "BIG");

        Assert.That(order.Status, Is.EqualTo(OrderStatus.AwaitingApproval));
        Assert.That((self.Status, self.Message), Is.EqualTo((403, "order BIG was proposed by the same identity that is approving it; four-eyes approval needs a different approver")));
        Assert.That(distributor.Message, Does.StartWith("ApproveOrder needs role approver"));
        Assert.That((approved.Status, approved.ApprovedBy), Is.EqualTo((OrderStatus.Pending, Approver.Id)));
    }

    [Test]
    public async Task An_order_still_awaiting_approval_at_dealing_is_rejected()
    {
        var ledger = await new TransferAgencyLedger().WithFundAndAccountsAsync(""","fourEyesThreshold":100000""");
        await ledger.OkAsync(Distributor1, "PlaceSubscription", "BIG", "ACC-1", ClassA, "250000", "EUR");
        await ledger.OkAsync(Distributor1, "PlaceSubscription", "SMALL", "ACC-1", ClassA, "5000", "EUR");

        var dealt = await ledger.PriceAndDealAsync(ClassA, "2026-03-02", 100m);

        Assert.That(dealt.Rejected.Single(), Is.EqualTo(new RejectedOrder("BIG", "not approved by a second identity before dealing")));
        Assert.That(dealt.Priced.Single().OrderId, Is.EqualTo("SMALL"));
    }

    [Test]
    public async Task A_pending_order_can_be_cancelled_with_a_reason_but_a_priced_one_cannot()
    {
        var ledger = await new TransferAgencyLedger().WithFundAndAccountsAsync();
        await ledger.OkAsync(Distributor1, "PlaceSubscription", "O1", "ACC-1", ClassA, "5000", "EUR");
        await ledger.OkAsync(Distributor1, "PlaceSubscription", "O2", "ACC-1", ClassA, "5000", "EUR");

        var cancelled = await ledger.OkAsync<Order>(Distributor1, "CancelOrder", "O1", "investor changed their mind");
        await ledger.PriceAndDealAsync(ClassA, "2026-03-02", 100m);
        var tooLate = await ledger.InvokeAsync(Distributor1, "CancelOrder", "O2", "too late");

        Assert.That((cancelled.Status, cancelled.Reason), Is.EqualTo((OrderStatus.Cancelled, "investor changed their mind")));
        Assert.That(tooLate.Message, Is.EqualTo("order O2 is priced: only pending orders can be cancelled"));
    }

    [Test]
    public async Task A_switch_needs_the_same_currency()
    {
        var ledger = await SettledHoldingAsync(100m);
        await ledger.OkAsync(Ta, "CreateShareClass", ClassJson("GLOBAL-EQ-USD", "LU0290358497", "USD"));

        var refused = await ledger.InvokeAsync(Distributor1, "PlaceSwitch", "S1", "ACC-1", ClassA, "GLOBAL-EQ-USD", "10");

        Assert.That(refused.Message, Is.EqualTo("share class GLOBAL-EQ-A deals in EUR and GLOBAL-EQ-USD in USD: a switch needs the same currency"));
    }

    /// <summary>ACC-1 holds 50 units of class A, settled on Wednesday 4 March; the clock is then Wednesday 11:00.</summary>
    internal static async Task<TransferAgencyLedger> SettledHoldingAsync(decimal nav, string classExtra = "")
    {
        var ledger = await new TransferAgencyLedger().WithFundAndAccountsAsync(classExtra);
        await ledger.OkAsync(Distributor1, "PlaceSubscription", "SEED", "ACC-1", ClassA, (50 * nav).ToString(System.Globalization.CultureInfo.InvariantCulture), "EUR");
        await ledger.PriceAndDealAsync(ClassA, "2026-03-02", nav);
        await ledger.SettleAsync("2026-03-04");
        ledger.Stub.Timestamp = new DateTimeOffset(2026, 3, 4, 11, 0, 0, TimeSpan.Zero);
        return ledger;
    }
}
