using FnzChain.Chaincode;
using FnzChain.TransferAgency.Access;
using FnzChain.TransferAgency.Orders;
using FnzChain.TransferAgency.Register;
using FnzChain.TransferAgency.State;

namespace FnzChain.TransferAgency;

/// <summary>Settlement: priced orders move cash and units on their settlement date; only here does the register change.</summary>
public sealed partial class TransferAgencyContract
{
    /// <summary>
    /// Settles every priced order due on or before <paramref name="settlementDate"/> (not after today): subscriptions
    /// add units, redemptions remove them (failing when the account no longer holds enough), switches do both.
    /// Orders of a class frozen by a corporate action wait. Transfer agent.
    /// </summary>
    public async Task<SettlementResult> SettleOrders(string settlementDate)
    {
        await AuthoriseAsync(nameof(SettleOrders), Role.TransferAgent);
        var date = Text.ParseDate(settlementDate, "settlement date");
        Check(date <= Today, $"orders due on {settlementDate} cannot settle before that date (today is {Keys.Date(Today)})");
        var settled = new List<SettledOrder>();
        var failed = new List<RejectedOrder>();
        var deferred = new List<string>();
        await foreach (var attributes in State.ScanKeysAsync(Keys.OrderBySettlementDate, []))
        {
            if (Text.ParseDate(attributes[0], "settlement date") > date)
            {
                break;
            }

            var order = await OrderAsync(attributes[1]);
            if (order.Status != OrderStatus.Priced)
            {
                await State.DeleteAsync(Keys.Of(Keys.OrderBySettlementDate, attributes[0], attributes[1]));
                continue;
            }

            if ((await ClassAsync(order.ClassId)).FrozenBy is not null || (order.TargetClassId is { } t && (await ClassAsync(t)).FrozenBy is not null))
            {
                deferred.Add(order.OrderId);
                continue;
            }

            if (await SettleAsync(order) is { } reason)
            {
                await SaveOrderAsync(order with { Status = OrderStatus.Failed, Reason = reason });
                failed.Add(new RejectedOrder(order.OrderId, reason));
            }
            else
            {
                await SaveOrderAsync(order with { Status = OrderStatus.Settled });
                settled.Add(new SettledOrder(order.OrderId, order.Type, order.AccountId, order.ClassId, order.DealtUnits!.Value, order.TargetClassId, order.TargetUnits, order.NetAmount!.Value));
            }

            await State.DeleteAsync(Keys.Of(Keys.OrderBySettlementDate, attributes[0], attributes[1]));
        }

        var result = new SettlementResult(date, settled, failed, deferred);
        Emit("OrdersSettled", result);
        return result;
    }

    /// <summary>Fails a priced order (e.g. cash not received) with its reason; the register does not change. Transfer agent.</summary>
    public async Task<Order> FailOrder(string orderId, string reason)
    {
        await AuthoriseAsync(nameof(FailOrder), Role.TransferAgent);
        var order = await OrderAsync(orderId);
        if (order.Status != OrderStatus.Priced)
        {
            throw new ChaincodeException($"order {orderId} is {Text.Name(order.Status)}: only a priced order awaiting settlement can fail", 409);
        }

        order = order with { Status = OrderStatus.Failed, Reason = Text.Required(reason, "failure reason") };
        await SaveOrderAsync(order);
        await State.DeleteAsync(Keys.Of(Keys.OrderBySettlementDate, Keys.Date(order.SettlementDate!.Value), orderId));
        Emit("OrderFailed", Summary(order));
        return order;
    }

    /// <summary>Units an account holds in a class now. The account's distributor, the TA, the fund accountant or compliance.</summary>
    public async Task<Holding> ReadHolding(string accountId, string classId)
    {
        _ = await ServicedAccountAsync(nameof(ReadHolding), accountId, Role.FundAccountant, Role.Compliance);
        _ = await ClassAsync(classId);
        return new Holding(classId, accountId, await HoldingUnitsAsync(classId, accountId));
    }

    /// <summary>Applies a priced order to the register; returns why it cannot settle instead, changing nothing.</summary>
    private async Task<string?> SettleAsync(Order order)
    {
        var date = order.SettlementDate!.Value;
        var reference = "order:" + order.OrderId;
        var units = order.DealtUnits!.Value;
        if (order.Type == OrderType.Subscription)
        {
            await AdjustHoldingAsync(order.ClassId, order.AccountId, units, date, "subscription", reference, c => c with { UnitsSubscribed = c.UnitsSubscribed + units });
            return null;
        }

        var held = await HoldingUnitsAsync(order.ClassId, order.AccountId);
        if (held < units)
        {
            return $"account {order.AccountId} holds {held} units of share class {order.ClassId} at settlement but the order needs {units}";
        }

        if (order.Type == OrderType.Redemption)
        {
            await AdjustHoldingAsync(order.ClassId, order.AccountId, -units, date, "redemption", reference, c => c with { UnitsRedeemed = c.UnitsRedeemed + units });
            return null;
        }

        var targetUnits = order.TargetUnits!.Value;
        await AdjustHoldingAsync(order.ClassId, order.AccountId, -units, date, "switch-out", reference, c => c with { UnitsSwitchedOut = c.UnitsSwitchedOut + units });
        await AdjustHoldingAsync(order.TargetClassId!, order.AccountId, targetUnits, date, "switch-in", reference, c => c with { UnitsSwitchedIn = c.UnitsSwitchedIn + targetUnits });
        return null;
    }
}

/// <summary>What <c>SettleOrders</c> did (also its event).</summary>
public sealed record SettlementResult(DateOnly SettlementDate, IReadOnlyList<SettledOrder> Settled, IReadOnlyList<RejectedOrder> Failed, IReadOnlyList<string> DeferredByCorporateAction);

/// <summary>A settled order: the register change it made and the cash it moved.</summary>
public sealed record SettledOrder(string OrderId, OrderType Type, string AccountId, string ClassId, decimal Units, string? TargetClassId, decimal? TargetUnits, decimal NetAmount);
