using FnzChain.Chaincode;
using FnzChain.TransferAgency.Funds;

namespace FnzChain.TransferAgency.Orders;

/// <summary>
/// Forward pricing of an order at its dealing date's NAV(s). The rounding rules, all explicit:
/// <list type="bullet">
/// <item>Units issued or cancelled are truncated (<see cref="MidpointRounding.ToZero"/>) to the class's unit
/// decimals, so the fund never issues a fraction it was not paid for nor pays one it did not cancel.</item>
/// <item>Every money amount — proceeds (units × NAV), fees, distribution cash, the value of a holding — is rounded
/// half up (half away from zero, <see cref="MidpointRounding.AwayFromZero"/>) to the currency's minor units, once,
/// where it is computed; what is stored is what is printed.</item>
/// </list>
/// </summary>
public static class OrderPricing
{
    public static decimal Units(decimal value, int decimals) => decimal.Round(value, decimals, MidpointRounding.ToZero);

    /// <summary>A money amount in <paramref name="currency"/>: half up to its minor units (EUR 9,999.956… → 9,999.96).</summary>
    public static decimal Money(decimal value, string currency) => decimal.Round(value, Currencies.MinorUnitsOf(currency), MidpointRounding.AwayFromZero);

    public static decimal Proceeds(decimal value, string currency) => Money(value, currency);

    public static decimal Fee(decimal value, string currency) => Money(value, currency);

    /// <summary>
    /// The order priced at <paramref name="nav"/> (and <paramref name="targetNav"/> for a switch), with status
    /// <see cref="OrderStatus.Priced"/> and its settlement date; refuses (as a rejection reason, not an exception)
    /// an order that yields no units.
    /// </summary>
    public static Order Price(Order order, ShareClass shareClass, decimal nav, ShareClass? target, decimal? targetNav, DateOnly settlementDate)
    {
        ArgumentNullException.ThrowIfNull(order);
        ArgumentNullException.ThrowIfNull(shareClass);
        var currency = shareClass.Currency;
        var priced = order.Type switch
        {
            OrderType.Subscription => Subscription(order, shareClass, nav, currency),
            OrderType.Redemption => Redemption(order, shareClass, nav, currency),
            OrderType.Switch => Switch(order, shareClass, nav, target ?? throw new ChaincodeException($"switch {order.OrderId} has no target class"), targetNav!.Value, currency),
            _ => throw new ChaincodeException($"order {order.OrderId} has unknown type {order.Type}"),
        };

        return priced.DealtUnits is > 0 && (order.Type != OrderType.Switch || priced.TargetUnits is > 0)
            ? priced with { Status = OrderStatus.Priced, SettlementDate = settlementDate, Nav = nav, TargetNav = targetNav, Reason = null }
            : order with { Status = OrderStatus.Rejected, Nav = nav, TargetNav = targetNav, Reason = "the order is worth less than the smallest unit at the dealing NAV" };
    }

    private static Order Subscription(Order order, ShareClass shareClass, decimal nav, string currency)
    {
        var gross = order.Amount!.Value;
        var fee = Fee(gross * shareClass.Definition.EntryFeeRate, currency);
        var net = gross - fee;
        return order with { GrossAmount = gross, Fee = fee, NetAmount = net, DealtUnits = Units(net / nav, shareClass.UnitDecimals) };
    }

    private static Order Redemption(Order order, ShareClass shareClass, decimal nav, string currency)
    {
        var units = order.Units ?? Units(order.Amount!.Value / nav, shareClass.UnitDecimals);
        var gross = Proceeds(units * nav, currency);
        var fee = Fee(gross * shareClass.Definition.ExitFeeRate, currency);
        return order with { DealtUnits = units, GrossAmount = gross, Fee = fee, NetAmount = gross - fee };
    }

    private static Order Switch(Order order, ShareClass shareClass, decimal nav, ShareClass target, decimal targetNav, string currency)
    {
        // Switches carry no entry or exit fee: the proceeds of the class sold buy the class switched into.
        var units = order.Units!.Value;
        var gross = Proceeds(units * nav, currency);
        return order with { DealtUnits = units, GrossAmount = gross, Fee = 0, NetAmount = gross, TargetUnits = Units(gross / targetNav, target.UnitDecimals) };
    }
}
