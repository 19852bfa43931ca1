using FnzChain.TransferAgency.Funds;
using FnzChain.TransferAgency.Orders;

namespace FnzChain.TransferAgency.Tests.Orders;

/// <summary>The rounding rules: units truncated to the class's decimals; every money amount half up to the currency's minor units.</summary>
public sealed class OrderPricingTests
{
    private static readonly DateOnly Dealing = new(2026, 3, 2);

    private static ShareClass Class(decimal entryFee = 0, decimal exitFee = 0, int decimals = 3, string currency = "EUR") => new()
    {
        Definition = new ShareClassDefinition
        {
            ClassId = "C", FundId = "F", Isin = "IE00B4L5Y983", Currency = currency, UnitDecimals = decimals, EntryFeeRate = entryFee, ExitFeeRate = exitFee,
        },
    };

    private static Order Order(OrderType type, decimal? amount, decimal? units) => new()
    {
        OrderId = "O", Type = type, AccountId = "A", ClassId = "C", Currency = "EUR", Amount = amount, Units = units, Status = OrderStatus.Pending,
        ReceivedAt = DateTimeOffset.UnixEpoch, DealingDate = Dealing, PlacedBy = "x", PlacedByMsp = "M",
    };

    [TestCase(10000, 123.457, 0, 80.999, 0)]
    [TestCase(10000, 100, 0.05, 95, 500)]
    [TestCase(1000.10, 3.3, 0.0125, 299.272, 12.50)]
    public void Subscriptions_buy_net_amount_over_nav_truncated(decimal amount, decimal nav, decimal fee, decimal units, decimal feeAmount)
    {
        var priced = OrderPricing.Price(Order(OrderType.Subscription, amount, null), Class(entryFee: fee), nav, null, null, Dealing.AddDays(2));

        Assert.That((priced.Status, priced.DealtUnits, priced.Fee, priced.NetAmount), Is.EqualTo((OrderStatus.Priced, units, feeAmount, amount - feeAmount)));
    }

    [TestCase(9999.95625, "EUR", 9999.96)] // 98.765 units at NAV 101.25
    [TestCase(0.005, "EUR", 0.01)]
    [TestCase(0.00499, "EUR", 0.00)]
    [TestCase(-0.005, "EUR", -0.01)]
    [TestCase(1234.5, "JPY", 1235)]
    [TestCase(1234.49, "JPY", 1234)]
    public void Money_is_rounded_half_up_to_the_currency_minor_units(decimal value, string currency, decimal expected)
    {
        Assert.That(OrderPricing.Money(value, currency), Is.EqualTo(expected));
    }

    [Test]
    public void Redemption_proceeds_and_the_exit_fee_are_rounded_half_up()
    {
        // 3.333 × 1.2345 = 4.1145885 → 4.11; fee 4.11 × 0.5 % = 0.02055 → 0.02.
        var priced = OrderPricing.Price(Order(OrderType.Redemption, null, 3.333m), Class(exitFee: 0.005m), 1.2345m, null, null, Dealing);

        Assert.That((priced.DealtUnits, priced.GrossAmount, priced.Fee, priced.NetAmount), Is.EqualTo((3.333m, 4.11m, 0.02m, 4.09m)));
    }

    [Test]
    public void A_redemption_by_amount_sells_the_units_the_amount_buys_at_the_nav()
    {
        var priced = OrderPricing.Price(Order(OrderType.Redemption, 1000m, null), Class(), 123.457m, null, null, Dealing);

        // 8.099 × 123.457 = 999.878243 → 999.88, never more than the amount asked for (the units are truncated).
        Assert.That((priced.DealtUnits, priced.GrossAmount), Is.EqualTo((8.099m, 999.88m)));
    }

    [Test]
    public void Currencies_without_minor_units_round_to_whole_amounts()
    {
        var priced = OrderPricing.Price(Order(OrderType.Redemption, null, 7m), Class(exitFee: 0.015m, currency: "JPY"), 1234.5m, null, null, Dealing);

        // 7 × 1234.5 = 8641.5 → 8642; fee 129.63 → 130.
        Assert.That((priced.GrossAmount, priced.Fee), Is.EqualTo((8642m, 130m)));
    }

    [Test]
    public void A_switch_buys_the_target_class_with_the_proceeds()
    {
        var priced = OrderPricing.Price(Order(OrderType.Switch, null, 10m) with { TargetClassId = "T" }, Class(), 101.01m, Class(decimals: 2), 33.33m, Dealing);

        Assert.That((priced.GrossAmount, priced.TargetUnits), Is.EqualTo((1010.10m, 30.30m)));
    }

    [Test]
    public void An_order_worth_less_than_the_smallest_unit_is_rejected_at_dealing()
    {
        var priced = OrderPricing.Price(Order(OrderType.Subscription, 0.01m, null), Class(decimals: 0), 100m, null, null, Dealing);

        Assert.That((priced.Status, priced.Reason), Is.EqualTo((OrderStatus.Rejected, "the order is worth less than the smallest unit at the dealing NAV")));
    }
}
