using FnzChain.Chaincode;
using FnzChain.TransferAgency.Access;
using FnzChain.TransferAgency.Funds;
using FnzChain.TransferAgency.Investors;
using FnzChain.TransferAgency.Orders;
using FnzChain.TransferAgency.State;

namespace FnzChain.TransferAgency;

/// <summary>Orders: placement with validation, forward dealing date, four-eyes approval, cancellation.</summary>
public sealed partial class TransferAgencyContract
{
    /// <summary>Subscribes <paramref name="amount"/> (gross, in the class currency). The account's distributor or the TA.</summary>
    public Task<Order> PlaceSubscription(string orderId, string accountId, string classId, decimal amount, string currency) =>
        PlaceAsync(nameof(PlaceSubscription), orderId, accountId, classId, null, OrderType.Subscription, amount, null, currency);

    /// <summary>Redeems <paramref name="units"/> units. The account's distributor or the TA.</summary>
    public Task<Order> PlaceRedemptionByUnits(string orderId, string accountId, string classId, decimal units) =>
        PlaceAsync(nameof(PlaceRedemptionByUnits), orderId, accountId, classId, null, OrderType.Redemption, null, units, null);

    /// <summary>Redeems the units worth <paramref name="amount"/> gross at the dealing NAV. The account's distributor or the TA.</summary>
    public Task<Order> PlaceRedemptionByAmount(string orderId, string accountId, string classId, decimal amount, string currency) =>
        PlaceAsync(nameof(PlaceRedemptionByAmount), orderId, accountId, classId, null, OrderType.Redemption, amount, null, currency);

    /// <summary>Switches <paramref name="units"/> units of one class into another class of the same currency. The account's distributor or the TA.</summary>
    public Task<Order> PlaceSwitch(string orderId, string accountId, string fromClassId, string toClassId, decimal units) =>
        PlaceAsync(nameof(PlaceSwitch), orderId, accountId, fromClassId, toClassId, OrderType.Switch, null, units, null);

    /// <summary>Approves an order above its class's four-eyes threshold. An approver other than the placer.</summary>
    public async Task<Order> ApproveOrder(string orderId)
    {
        var approver = await AuthoriseAsync(nameof(ApproveOrder), Role.Approver);
        var order = await OrderAsync(orderId);
        var caller = EnsureSecondPairOfEyes(approver, order.PlacedBy, $"order {orderId}");
        if (order.Status != OrderStatus.AwaitingApproval)
        {
            throw new ChaincodeException($"order {orderId} is {Text.Name(order.Status)}, not awaiting approval", 409);
        }

        order = order with { Status = OrderStatus.Pending, ApprovedBy = caller.Id };
        await SaveOrderAsync(order);
        Emit("OrderApproved", Summary(order));
        return order;
    }

    /// <summary>Cancels an order not yet priced. The account's distributor or the TA.</summary>
    public async Task<Order> CancelOrder(string orderId, string reason)
    {
        await AuthoriseAsync(nameof(CancelOrder), Role.Distributor, Role.TransferAgent);
        var order = await OrderAsync(orderId);
        _ = await ServicedAccountAsync(nameof(CancelOrder), order.AccountId);
        if (order.Status is not (OrderStatus.Pending or OrderStatus.AwaitingApproval))
        {
            throw new ChaincodeException($"order {orderId} is {Text.Name(order.Status)}: only pending orders can be cancelled", 409);
        }

        order = order with { Status = OrderStatus.Cancelled, Reason = Text.Required(reason, "cancellation reason") };
        await SaveOrderAsync(order);
        Emit("OrderCancelled", Summary(order));
        return order;
    }

    /// <summary>An order. The account's distributor, the TA, the fund accountant or compliance.</summary>
    public async Task<Order> ReadOrder(string orderId)
    {
        await AuthoriseAsync(nameof(ReadOrder), Role.Distributor, Role.TransferAgent, Role.FundAccountant, Role.Compliance);
        var order = await OrderAsync(orderId);
        _ = await ServicedAccountAsync(nameof(ReadOrder), order.AccountId, Role.FundAccountant, Role.Compliance);
        return order;
    }

    private async Task<Order> PlaceAsync(string transaction, string orderId, string accountId, string classId, string? targetClassId, OrderType type, decimal? amount, decimal? units, string? currency)
    {
        var caller = await AuthoriseAsync(transaction, Role.Distributor, Role.TransferAgent);
        orderId = Text.Id(orderId, "order id");
        if (await State.ExistsAsync(Keys.Of(Keys.Order, orderId)))
        {
            throw new ChaincodeException($"order {orderId} already exists: order ids must be unique", 409);
        }

        var account = await ServicedAccountAsync(transaction, accountId);
        if (account.Status != AccountStatus.Active || account.Kyc != KycStatus.Approved)
        {
            throw new ChaincodeException($"account {accountId} cannot deal: it is {Text.Name(account.Status)} with KYC {Text.Name(account.Kyc)} (it must be active with KYC approved)", 409);
        }

        var shareClass = await DealingClassAsync(classId);
        var target = targetClassId is null ? null : await DealingClassAsync(targetClassId);
        currency ??= shareClass.Currency;
        if (currency != shareClass.Currency)
        {
            throw new ChaincodeException($"the order is in {currency} but share class {classId} deals in {shareClass.Currency}", 400);
        }

        if (amount is { } cash)
        {
            Check(cash > 0, $"the order amount must be positive, not {cash}");
            Check(Text.HasAtMostDecimals(cash, Currencies.MinorUnitsOf(currency)), $"the amount {cash} has more decimals than {currency} allows ({Currencies.MinorUnitsOf(currency)})");
        }

        if (units is { } count)
        {
            Check(count > 0, $"the number of units must be positive, not {count}");
            Check(Text.HasAtMostDecimals(count, shareClass.UnitDecimals), $"{count} units has more decimals than share class {classId} allows ({shareClass.UnitDecimals})");
        }

        var held = await HoldingUnitsAsync(classId, accountId);
        switch (type)
        {
            case OrderType.Subscription:
                await EnsureMayBuyAsync(shareClass, accountId, held);
                Check(amount >= shareClass.Definition.MinimumSubscription, $"the subscription of {amount} {currency} is below the minimum of {shareClass.Definition.MinimumSubscription} {currency} for share class {classId}");
                break;
            case OrderType.Switch:
                Check(target!.ClassId != shareClass.ClassId, "a switch needs two different share classes");
                Check(target.Currency == shareClass.Currency, $"share class {classId} deals in {shareClass.Currency} and {target.ClassId} in {target.Currency}: a switch needs the same currency");
                await EnsureMayBuyAsync(target, accountId, await HoldingUnitsAsync(target.ClassId, accountId));
                await EnsureUnitsAvailableAsync(accountId, classId, held, units!.Value, exceptOrderId: null);
                break;
            default:
                Check(held > 0, $"account {accountId} holds no units of share class {classId} to redeem");
                if (units is { } redeemed)
                {
                    await EnsureUnitsAvailableAsync(accountId, classId, held, redeemed, exceptOrderId: null);
                }

                break;
        }

        var dealingDate = await DealingDateAsync(shareClass, target);
        var value = amount ?? (shareClass.LastNav is { } nav ? OrderPricing.Money(units!.Value * nav, shareClass.Currency) : 0);
        var needsApproval = shareClass.Definition.FourEyesThreshold is { } threshold && value > threshold;
        var order = new Order
        {
            OrderId = orderId,
            Type = type,
            AccountId = accountId,
            ClassId = classId,
            TargetClassId = target?.ClassId,
            Currency = currency,
            Amount = amount,
            Units = units,
            Status = needsApproval ? OrderStatus.AwaitingApproval : OrderStatus.Pending,
            ReceivedAt = Stub.Timestamp,
            DealingDate = dealingDate,
            PlacedBy = caller.Id,
            PlacedByMsp = caller.MspId,
            Distributor = account.Distributor,
        };
        await SaveOrderAsync(order);
        await State.WriteMarkerAsync(Keys.Of(Keys.OrderByClassDate, classId, Keys.Date(dealingDate), orderId));
        if (target is not null)
        {
            await State.WriteMarkerAsync(Keys.Of(Keys.OrderByClassDate, target.ClassId, Keys.Date(dealingDate), orderId));
        }

        await State.WriteMarkerAsync(Keys.Of(Keys.OrderByAccount, accountId, orderId));
        Emit("OrderPlaced", Summary(order));
        return order;
    }

    /// <summary>A class that exists, is not closed and is not being rewritten by a corporate action.</summary>
    private async Task<ShareClass> DealingClassAsync(string classId)
    {
        var shareClass = await ClassAsync(classId);
        if (shareClass.Status == ClassStatus.Closed)
        {
            throw new ChaincodeException($"share class {classId} is closed: it takes no orders", 409);
        }

        EnsureNotFrozen(shareClass);
        return shareClass;
    }

    private static Task EnsureMayBuyAsync(ShareClass shareClass, string accountId, decimal held) =>
        shareClass.Status == ClassStatus.SoftClosed && held <= 0
            ? throw new ChaincodeException($"share class {shareClass.ClassId} is soft-closed: only existing holders may buy, and account {accountId} holds none", 409)
            : Task.CompletedTask;

    /// <summary>Refuses a sale of more units than the account holds minus those its other open orders already sell.</summary>
    private async Task EnsureUnitsAvailableAsync(string accountId, string classId, decimal held, decimal units, string? exceptOrderId)
    {
        if (await UnitsShortfallAsync(accountId, classId, held, units, exceptOrderId) is { } shortfall)
        {
            throw new ChaincodeException(shortfall, 409);
        }
    }

    /// <summary>Why the account cannot sell <paramref name="units"/>, or null when it can.</summary>
    private async Task<string?> UnitsShortfallAsync(string accountId, string classId, decimal held, decimal units, string? exceptOrderId)
    {
        var committed = 0m;
        await foreach (var attributes in State.ScanKeysAsync(Keys.OrderByAccount, [accountId]))
        {
            var other = await OrderAsync(attributes[1]);
            if (other.OrderId != exceptOrderId && other.ClassId == classId && other.InFlight)
            {
                committed += other.UnitsOut;
            }
        }

        return units > held - committed
            ? $"account {accountId} has {held - committed} units of share class {classId} available ({held} held, {committed} in open orders) but the order needs {units}"
            : null;
    }

    /// <summary>The order's dealing date; a switch deals on the first date both classes deal.</summary>
    private async Task<DateOnly> DealingDateAsync(ShareClass shareClass, ShareClass? target)
    {
        var calendar = await CalendarAsync(shareClass);
        var date = calendar.DealingDateFor(Stub.Timestamp);
        if (target is null)
        {
            return date;
        }

        var targetCalendar = await CalendarAsync(target);
        for (var i = 0; i < 60 && !targetCalendar.IsDealingDate(date); i++)
        {
            date = calendar.NextDealingDate(date);
        }

        return targetCalendar.IsDealingDate(date)
            ? date
            : throw new ChaincodeException($"share classes {shareClass.ClassId} and {target.ClassId} share no dealing date in the next 60 dealing dates", 409);
    }

    private static object Summary(Order order) => new
    {
        order.OrderId,
        order.Type,
        order.Status,
        order.AccountId,
        order.ClassId,
        order.TargetClassId,
        order.Currency,
        order.Amount,
        order.Units,
        order.DealingDate,
        order.Reason,
    };
}
