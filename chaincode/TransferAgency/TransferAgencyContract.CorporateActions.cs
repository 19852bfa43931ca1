using FnzChain.Chaincode;
using FnzChain.TransferAgency.Access;
using FnzChain.TransferAgency.CorporateActions;
using FnzChain.TransferAgency.Distributions;
using FnzChain.TransferAgency.Funds;
using FnzChain.TransferAgency.Orders;
using FnzChain.TransferAgency.Register;
using FnzChain.TransferAgency.State;

namespace FnzChain.TransferAgency;

/// <summary>Corporate actions: proposed by the TA, approved by a second identity, applied to the whole register in resumable batches.</summary>
public sealed partial class TransferAgencyContract
{
    /// <summary>Proposes a conversion, merger or split/consolidation. Transfer agent.</summary>
    public async Task<CorporateAction> ProposeCorporateAction(CorporateActionDefinition definition)
    {
        var caller = await AuthoriseAsync(nameof(ProposeCorporateAction), Role.TransferAgent);
        ArgumentNullException.ThrowIfNull(definition);
        var id = Text.Id(definition.ActionId, "corporate action id");
        if (await State.ExistsAsync(Keys.Of(Keys.CorporateAction, id)))
        {
            throw new ChaincodeException($"corporate action {id} already exists", 409);
        }

        var source = await ClassAsync(definition.ClassId);
        Check(source.Status != ClassStatus.Closed, $"share class {source.ClassId} is closed");
        Check(definition.Ratio > 0, $"the ratio (new units per old unit) must be positive, not {definition.Ratio}");
        if (definition.Kind == CorporateActionKind.Split)
        {
            Check(definition.TargetClassId is null, "a split or consolidation stays in its class: give no target class");
            Check(definition.Ratio != 1, "a split ratio of 1 changes nothing");
        }
        else
        {
            var target = await ClassAsync(definition.TargetClassId ?? throw new ChaincodeException($"a {Text.Name(definition.Kind)} needs a target class", 400));
            Check(target.ClassId != source.ClassId, "the target class must differ from the source class");
            Check(target.Status != ClassStatus.Closed, $"the target share class {target.ClassId} is closed");
            Check(target.Currency == source.Currency, $"share class {source.ClassId} is in {source.Currency} and {target.ClassId} in {target.Currency}: the register moves units, not currencies");
            var sameFund = target.Definition.FundId == source.Definition.FundId;
            Check(definition.Kind != CorporateActionKind.Conversion || sameFund, "a conversion moves holders between classes of the same fund; use a merger across funds");
            Check(definition.Kind != CorporateActionKind.Merger || !sameFund, "a merger moves holders into another fund; use a conversion within a fund");
        }

        var action = new CorporateAction { Definition = definition with { ActionId = id }, ProposedBy = caller.Id };
        await State.WriteAsync(Keys.Of(Keys.CorporateAction, id), action);
        Emit("CorporateActionProposed", action);
        return action;
    }

    /// <summary>Approves a proposed corporate action. An approver other than the proposer.</summary>
    public async Task<CorporateAction> ApproveCorporateAction(string actionId)
    {
        var approver = await AuthoriseAsync(nameof(ApproveCorporateAction), Role.Approver);
        var action = await CorporateActionAsync(actionId);
        var caller = EnsureSecondPairOfEyes(approver, action.ProposedBy, $"corporate action {actionId}");
        if (action.Status != BatchStatus.Declared)
        {
            throw new ChaincodeException($"corporate action {actionId} is already {Text.Name(action.Status)}", 409);
        }

        action = action with { Status = BatchStatus.Approved, ApprovedBy = caller.Id };
        await State.WriteAsync(Keys.Of(Keys.CorporateAction, actionId), action);
        Emit("CorporateActionApproved", action);
        return action;
    }

    /// <summary>
    /// Applies an approved corporate action to the next <paramref name="batchSize"/> holdings (0: all, atomically).
    /// The classes involved are frozen (no orders, dealing, settlement) from the first batch until the last; the
    /// first batch needs them free of unsettled orders. Conversions and mergers close the source class. Transfer agent.
    /// </summary>
    public async Task<CorporateAction> ApplyCorporateAction(string actionId, int batchSize)
    {
        await AuthoriseAsync(nameof(ApplyCorporateAction), Role.TransferAgent);
        var action = await CorporateActionAsync(actionId);
        var definition = action.Definition;
        if (action.Status is BatchStatus.Declared or BatchStatus.Completed)
        {
            throw new ChaincodeException(action.Status == BatchStatus.Declared
                ? $"corporate action {actionId} is not approved yet: it needs an approver other than the proposer"
                : $"corporate action {actionId} is already completed", 409);
        }

        Check(definition.EffectiveDate <= Today, $"corporate action {actionId} takes effect on {Keys.Date(definition.EffectiveDate)}, not before");
        Check(batchSize >= 0, $"batch size must be 0 (all) or positive, not {batchSize}");
        var classIds = definition.TargetClassId is null ? new[] { definition.ClassId } : [definition.ClassId, definition.TargetClassId];
        if (action.Status == BatchStatus.Approved)
        {
            foreach (var classId in classIds)
            {
                await EnsureNoOpenOrdersAsync(classId, actionId);
                await SaveClassAsync(await ClassAsync(classId) with { FrozenBy = actionId });
            }
        }

        var bookmark = action.Bookmark;
        var processed = 0;
        var before = 0m;
        var after = 0m;
        do
        {
            var (holdings, next) = await State.PageAsync<Holding>(Keys.Holding, [definition.ClassId], batchSize == 0 ? MaxPageSize : batchSize, bookmark);
            foreach (var (_, holding) in holdings.Where(h => h.Value.Units > 0))
            {
                after += await RewriteHoldingAsync(definition, holding);
                before += holding.Units;
                processed++;
            }

            bookmark = next;
        }
        while (batchSize == 0 && bookmark.Length > 0);

        var completed = bookmark.Length == 0;
        if (completed)
        {
            foreach (var classId in classIds)
            {
                var shareClass = await ClassAsync(classId) with { FrozenBy = null };
                await SaveClassAsync(classId == definition.ClassId && definition.Kind != CorporateActionKind.Split ? shareClass with { Status = ClassStatus.Closed } : shareClass);
            }
        }

        action = action with
        {
            Status = completed ? BatchStatus.Completed : BatchStatus.InProgress,
            Bookmark = bookmark,
            HoldingsProcessed = action.HoldingsProcessed + processed,
            UnitsBefore = action.UnitsBefore + before,
            UnitsAfter = action.UnitsAfter + after,
        };
        await State.WriteAsync(Keys.Of(Keys.CorporateAction, actionId), action);
        Emit("CorporateActionApplied", new { action, batchHoldings = processed, batchUnitsBefore = before, batchUnitsAfter = after });
        return action;
    }

    /// <summary>A corporate action with its progress (any caller with a role).</summary>
    public async Task<CorporateAction> ReadCorporateAction(string actionId)
    {
        await AuthoriseAnyRoleAsync(nameof(ReadCorporateAction));
        return await CorporateActionAsync(actionId);
    }

    private async Task<CorporateAction> CorporateActionAsync(string actionId) =>
        await State.ReadAsync<CorporateAction>(Keys.Of(Keys.CorporateAction, actionId))
            ?? throw new ChaincodeException($"corporate action {actionId} does not exist", 404);

    /// <summary>Rewrites one holding; returns its units after the action (in the target class for conversions and mergers).</summary>
    private async Task<decimal> RewriteHoldingAsync(CorporateActionDefinition definition, Holding holding)
    {
        var reference = "corporate-action:" + definition.ActionId;
        var cause = Text.Name(definition.Kind);
        if (definition.Kind == CorporateActionKind.Split)
        {
            var units = OrderPricing.Units(holding.Units * definition.Ratio, (await ClassAsync(definition.ClassId)).UnitDecimals);
            var delta = units - holding.Units;
            await AdjustHoldingAsync(definition.ClassId, holding.AccountId, delta, definition.EffectiveDate, cause, reference, c => c with { UnitsByCorporateActions = c.UnitsByCorporateActions + delta });
            return units;
        }

        var target = await ClassAsync(definition.TargetClassId!);
        var targetUnits = OrderPricing.Units(holding.Units * definition.Ratio, target.UnitDecimals);
        await AdjustHoldingAsync(definition.ClassId, holding.AccountId, -holding.Units, definition.EffectiveDate, cause, reference, c => c with { UnitsByCorporateActions = c.UnitsByCorporateActions - holding.Units });
        await AdjustHoldingAsync(target.ClassId, holding.AccountId, targetUnits, definition.EffectiveDate, cause, reference, c => c with { UnitsByCorporateActions = c.UnitsByCorporateActions + targetUnits });
        return targetUnits;
    }

    private async Task EnsureNoOpenOrdersAsync(string classId, string actionId)
    {
        await foreach (var attributes in State.ScanKeysAsync(Keys.OrderByClassDate, [classId]))
        {
            if ((await OrderAsync(attributes[2])).InFlight)
            {
                throw new ChaincodeException($"share class {classId} has open order {attributes[2]}: settle, fail or cancel its orders before applying corporate action {actionId}", 409);
            }
        }
    }
}
