using FnzChain.Chaincode;
using FnzChain.TransferAgency.Access;
using FnzChain.TransferAgency.Funds;
using FnzChain.TransferAgency.Orders;
using FnzChain.TransferAgency.Pricing;
using FnzChain.TransferAgency.State;

namespace FnzChain.TransferAgency;

/// <summary>NAV publication, four-eyes NAV corrections, and dealing (pricing pending orders at their dealing date's NAV).</summary>
public sealed partial class TransferAgencyContract
{
    /// <summary>Publishes the NAV per unit of a class for a dealing date (once; no later than today). Fund accountant.</summary>
    public async Task<NavRecord> PublishNav(string classId, string date, decimal nav, string currency)
    {
        var caller = await AuthoriseAsync(nameof(PublishNav), Role.FundAccountant);
        var shareClass = await ClassAsync(classId);
        var dealingDate = Text.ParseDate(date, "NAV date");
        if (shareClass.Status == ClassStatus.Closed)
        {
            throw new ChaincodeException($"share class {classId} is closed: no NAV is published for a closed class", 409);
        }

        Check(currency == shareClass.Currency, $"the NAV is in {currency} but share class {classId} is priced in {shareClass.Currency}");
        Check(nav > 0, $"a NAV must be positive, not {nav}");
        Check(dealingDate <= Today, $"the NAV date {date} is after today ({Keys.Date(Today)}): NAVs are published after the valuation point");
        Check((await CalendarAsync(shareClass)).IsDealingDate(dealingDate), $"{date} is not a dealing date of share class {classId}");
        var key = Keys.Of(Keys.Nav, classId, Keys.Date(dealingDate));
        if (await State.ReadAsync<NavRecord>(key) is { } existing)
        {
            throw new ChaincodeException($"the NAV of share class {classId} for {date} is already published ({existing.Nav}); a correction needs ProposeNavCorrection and an approval", 409);
        }

        var record = new NavRecord { ClassId = classId, Date = dealingDate, Nav = nav, Currency = currency, PublishedBy = caller.Id, PublishedAt = Stub.Timestamp };
        await State.WriteAsync(key, record);
        if (shareClass.LastNavDate is null || dealingDate >= shareClass.LastNavDate)
        {
            await SaveClassAsync(shareClass with { LastNav = nav, LastNavDate = dealingDate });
        }

        Emit("NavPublished", record);
        return record;
    }

    /// <summary>The NAV of a class for a date (any caller with a role).</summary>
    public async Task<NavRecord> ReadNav(string classId, string date)
    {
        await AuthoriseAnyRoleAsync(nameof(ReadNav));
        return await NavAsync(classId, Text.ParseDate(date, "NAV date"));
    }

    /// <summary>Proposes a corrected NAV with its reason; it takes effect when an approver approves it. Fund accountant.</summary>
    public async Task<NavCorrection> ProposeNavCorrection(string correctionId, string classId, string date, decimal nav, string reason)
    {
        var caller = await AuthoriseAsync(nameof(ProposeNavCorrection), Role.FundAccountant);
        correctionId = Text.Id(correctionId, "correction id");
        if (await State.ExistsAsync(Keys.Of(Keys.NavCorrection, correctionId)))
        {
            throw new ChaincodeException($"NAV correction {correctionId} already exists", 409);
        }

        var published = await NavAsync(classId, Text.ParseDate(date, "NAV date"));
        Check(nav > 0, $"a NAV must be positive, not {nav}");
        Check(nav != published.Nav, $"the corrected NAV equals the published NAV {published.Nav}");
        var correction = new NavCorrection
        {
            CorrectionId = correctionId,
            ClassId = classId,
            Date = published.Date,
            PreviousNav = published.Nav,
            CorrectedNav = nav,
            Reason = Text.Required(reason, "correction reason"),
            ProposedBy = caller.Id,
            ProposedAt = Stub.Timestamp,
        };
        await State.WriteAsync(Keys.Of(Keys.NavCorrection, correctionId), correction);
        Emit("NavCorrectionProposed", correction);
        return correction;
    }

    /// <summary>
    /// Approves and applies a NAV correction: the NAV changes, priced but unsettled orders of that class and date
    /// are re-priced, settled ones are listed for compensation. An approver other than the proposer.
    /// </summary>
    public async Task<NavCorrection> ApproveNavCorrection(string correctionId)
    {
        var approver = await AuthoriseAsync(nameof(ApproveNavCorrection), Role.Approver);
        var correction = await State.ReadAsync<NavCorrection>(Keys.Of(Keys.NavCorrection, correctionId))
            ?? throw new ChaincodeException($"NAV correction {correctionId} does not exist", 404);
        var caller = EnsureSecondPairOfEyes(approver, correction.ProposedBy, $"NAV correction {correctionId}");
        if (correction.Status != ProposalStatus.Proposed)
        {
            throw new ChaincodeException($"NAV correction {correctionId} is already approved", 409);
        }

        var published = await NavAsync(correction.ClassId, correction.Date);
        if (published.Nav != correction.PreviousNav)
        {
            throw new ChaincodeException($"the NAV of share class {correction.ClassId} for {Keys.Date(correction.Date)} changed to {published.Nav} since correction {correctionId} was proposed; propose it again", 409);
        }

        await State.WriteAsync(Keys.Of(Keys.Nav, correction.ClassId, Keys.Date(correction.Date)),
            published with { Nav = correction.CorrectedNav, OriginalNav = published.OriginalNav ?? published.Nav, CorrectionId = correctionId });
        var shareClass = await ClassAsync(correction.ClassId);
        if (shareClass.LastNavDate == correction.Date)
        {
            await SaveClassAsync(shareClass with { LastNav = correction.CorrectedNav });
        }

        var repriced = new List<string>();
        var toCompensate = new List<string>();
        await foreach (var attributes in State.ScanKeysAsync(Keys.OrderByClassDate, [correction.ClassId, Keys.Date(correction.Date)]))
        {
            var order = await OrderAsync(attributes[2]);
            if (order.Status == OrderStatus.Settled)
            {
                toCompensate.Add(order.OrderId);
            }
            else if (order.Status == OrderStatus.Priced)
            {
                // At the corrected NAV the order may no longer buy a single unit: it is then rejected and leaves settlement.
                var again = await PriceAsync(order, order.SettlementDate!.Value);
                await SaveOrderAsync(again);
                if (again.Status != OrderStatus.Priced)
                {
                    await State.DeleteAsync(Keys.Of(Keys.OrderBySettlementDate, Keys.Date(order.SettlementDate.Value), order.OrderId));
                }

                repriced.Add(order.OrderId);
            }
        }

        correction = correction with { Status = ProposalStatus.Approved, ApprovedBy = caller.Id, RepricedOrders = repriced, SettledOrdersToCompensate = toCompensate };
        await State.WriteAsync(Keys.Of(Keys.NavCorrection, correctionId), correction);
        Emit("NavCorrected", correction);
        return correction;
    }

    /// <summary>
    /// Deals a class's orders of a dealing date at its published NAV: pending orders are priced (a switch waits
    /// until both classes have a NAV), orders still awaiting approval are rejected. Transfer agent.
    /// </summary>
    public async Task<DealingResult> DealOrders(string classId, string dealingDate)
    {
        await AuthoriseAsync(nameof(DealOrders), Role.TransferAgent);
        var date = Text.ParseDate(dealingDate, "dealing date");
        var shareClass = await ClassAsync(classId);
        EnsureNotFrozen(shareClass);
        var nav = await NavAsync(classId, date);
        var priced = new List<DealtOrder>();
        var rejected = new List<RejectedOrder>();
        var waiting = new List<string>();
        await foreach (var attributes in State.ScanKeysAsync(Keys.OrderByClassDate, [classId, Keys.Date(date)]))
        {
            var order = await OrderAsync(attributes[2]);
            if (order.Status == OrderStatus.AwaitingApproval)
            {
                order = order with { Status = OrderStatus.Rejected, Reason = "not approved by a second identity before dealing" };
            }
            else if (order.Status != OrderStatus.Pending)
            {
                continue;
            }
            else if (order.Type == OrderType.Switch && await State.ReadAsync<NavRecord>(Keys.Of(Keys.Nav, order.TargetClassId == classId ? order.ClassId : order.TargetClassId!, Keys.Date(date))) is null)
            {
                waiting.Add(order.OrderId);
                continue;
            }
            else
            {
                var sourceCalendar = await CalendarAsync(await ClassAsync(order.ClassId));
                order = await PriceAsync(order, sourceCalendar.SettlementDateFor(date));
                if (order.Status == OrderStatus.Priced && order.Type != OrderType.Subscription
                    && await UnitsShortAsync(order) is { } shortfall)
                {
                    order = order with { Status = OrderStatus.Rejected, Reason = shortfall };
                }
            }

            await SaveOrderAsync(order);
            if (order.Status == OrderStatus.Priced)
            {
                await State.WriteMarkerAsync(Keys.Of(Keys.OrderBySettlementDate, Keys.Date(order.SettlementDate!.Value), order.OrderId));
                priced.Add(new DealtOrder(order.OrderId, order.Type, order.AccountId, order.DealtUnits!.Value, order.TargetUnits, order.NetAmount!.Value, order.SettlementDate.Value));
            }
            else
            {
                rejected.Add(new RejectedOrder(order.OrderId, order.Reason!));
            }
        }

        await State.WriteAsync(Keys.Of(Keys.Nav, classId, Keys.Date(date)), nav with { Dealt = true });
        var result = new DealingResult(classId, date, nav.Nav, priced, rejected, waiting);
        Emit("OrdersDealt", result);
        return result;
    }

    private async Task<NavRecord> NavAsync(string classId, DateOnly date) =>
        await State.ReadAsync<NavRecord>(Keys.Of(Keys.Nav, classId, Keys.Date(date)))
            ?? throw new ChaincodeException($"no NAV is published for share class {classId} on {Keys.Date(date)}", 404);

    /// <summary>The order priced at the NAV(s) of its dealing date.</summary>
    private async Task<Order> PriceAsync(Order order, DateOnly settlementDate)
    {
        var shareClass = await ClassAsync(order.ClassId);
        var nav = await NavAsync(order.ClassId, order.DealingDate);
        var target = order.TargetClassId is null ? null : await ClassAsync(order.TargetClassId);
        var targetNav = target is null ? null : (decimal?)(await NavAsync(target.ClassId, order.DealingDate)).Nav;
        return OrderPricing.Price(order, shareClass, nav.Nav, target, targetNav, settlementDate);
    }

    /// <summary>Why a priced sale cannot be met from the holding minus the account's other open sales, or null when it can.</summary>
    private async Task<string?> UnitsShortAsync(Order order) =>
        await UnitsShortfallAsync(order.AccountId, order.ClassId, await HoldingUnitsAsync(order.ClassId, order.AccountId), order.DealtUnits!.Value, order.OrderId);
}

/// <summary>What <c>DealOrders</c> did (also its event).</summary>
public sealed record DealingResult(string ClassId, DateOnly DealingDate, decimal Nav, IReadOnlyList<DealtOrder> Priced, IReadOnlyList<RejectedOrder> Rejected, IReadOnlyList<string> WaitingForTargetNav);

/// <summary>A priced order in a dealing result.</summary>
public sealed record DealtOrder(string OrderId, OrderType Type, string AccountId, decimal Units, decimal? TargetUnits, decimal NetAmount, DateOnly SettlementDate);

/// <summary>An order refused at dealing, with why.</summary>
public sealed record RejectedOrder(string OrderId, string Reason);
