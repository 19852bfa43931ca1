using FnzChain.Chaincode;
using FnzChain.TransferAgency.Access;
using FnzChain.TransferAgency.Distributions;
using FnzChain.TransferAgency.Funds;
using FnzChain.TransferAgency.Investors;
using FnzChain.TransferAgency.Orders;
using FnzChain.TransferAgency.Pricing;
using FnzChain.TransferAgency.Register;
using FnzChain.TransferAgency.State;

namespace FnzChain.TransferAgency;

/// <summary>Distributions: declared per unit, paid to holders on the record date, paid out or reinvested at the ex-date NAV.</summary>
public sealed partial class TransferAgencyContract
{
    /// <summary>Declares a distribution of a class. Transfer agent.</summary>
    public async Task<Distribution> DeclareDistribution(DistributionDefinition definition)
    {
        var caller = await AuthoriseAsync(nameof(DeclareDistribution), Role.TransferAgent);
        ArgumentNullException.ThrowIfNull(definition);
        var id = Text.Id(definition.DistributionId, "distribution id");
        if (await State.ExistsAsync(Keys.Of(Keys.Distribution, id)))
        {
            throw new ChaincodeException($"distribution {id} already exists", 409);
        }

        var shareClass = await ClassAsync(definition.ClassId);
        Check(shareClass.Status != ClassStatus.Closed, $"share class {shareClass.ClassId} is closed: it pays no distributions");
        Check(definition.Currency == shareClass.Currency, $"the distribution is in {definition.Currency} but share class {shareClass.ClassId} deals in {shareClass.Currency}");
        Check(definition.AmountPerUnit > 0, $"the distribution per unit must be positive, not {definition.AmountPerUnit}");
        Check(definition.RecordDate <= definition.PaymentDate && definition.ExDate <= definition.PaymentDate, "the record date and ex-date must not be after the payment date");
        var distribution = new Distribution { Definition = definition with { DistributionId = id }, DeclaredBy = caller.Id };
        await State.WriteAsync(Keys.Of(Keys.Distribution, id), distribution);
        Emit("DistributionDeclared", distribution);
        return distribution;
    }

    /// <summary>
    /// Pays the next <paramref name="batchSize"/> holders (0: all) of a declared distribution, from where the last
    /// batch stopped: cash = units on the record date × amount per unit (money: half up to minor units); accounts that
    /// reinvest receive units at the ex-date NAV (truncated to the class's decimals). Transfer agent.
    /// </summary>
    public async Task<Distribution> ProcessDistribution(string distributionId, int batchSize)
    {
        await AuthoriseAsync(nameof(ProcessDistribution), Role.TransferAgent);
        var distribution = await State.ReadAsync<Distribution>(Keys.Of(Keys.Distribution, distributionId))
            ?? throw new ChaincodeException($"distribution {distributionId} does not exist", 404);
        var definition = distribution.Definition;
        if (distribution.Status == BatchStatus.Completed)
        {
            throw new ChaincodeException($"distribution {distributionId} is already completed", 409);
        }

        Check(definition.RecordDate <= Today, $"distribution {distributionId} cannot be processed before its record date {Keys.Date(definition.RecordDate)}");
        Check(batchSize >= 0, $"batch size must be 0 (all) or positive, not {batchSize}");
        var shareClass = await ClassAsync(definition.ClassId);
        EnsureNotFrozen(shareClass);
        var exNav = (await State.ReadAsync<NavRecord>(Keys.Of(Keys.Nav, definition.ClassId, Keys.Date(definition.ExDate))))?.Nav;
        var payments = new List<DistributionPayment>();
        var bookmark = distribution.Bookmark;
        do
        {
            var (holdings, next) = await State.PageAsync<Holding>(Keys.Holding, [definition.ClassId], batchSize == 0 ? MaxPageSize : batchSize, bookmark);
            foreach (var (_, holding) in holdings)
            {
                if (await PayAsync(definition, shareClass, holding.AccountId, exNav) is { } payment)
                {
                    payments.Add(payment);
                }
            }

            bookmark = next;
        }
        while (batchSize == 0 && bookmark.Length > 0);

        distribution = distribution with
        {
            Status = bookmark.Length == 0 ? BatchStatus.Completed : BatchStatus.InProgress,
            Bookmark = bookmark,
            ExDateNav = exNav,
            HoldersProcessed = distribution.HoldersProcessed + payments.Count,
            UnitsEntitled = distribution.UnitsEntitled + payments.Sum(p => p.UnitsEntitled),
            CashPaidOut = distribution.CashPaidOut + payments.Where(p => p.Instruction == DistributionInstruction.Payout).Sum(p => p.Cash),
            CashReinvested = distribution.CashReinvested + payments.Where(p => p.Instruction == DistributionInstruction.Reinvest).Sum(p => p.Cash),
            UnitsReinvested = distribution.UnitsReinvested + payments.Sum(p => p.UnitsReinvested),
        };
        await State.WriteAsync(Keys.Of(Keys.Distribution, distributionId), distribution);
        Emit("DistributionProcessed", new { distribution, payments });
        return distribution;
    }

    /// <summary>A distribution with its progress (any caller with a role).</summary>
    public async Task<Distribution> ReadDistribution(string distributionId)
    {
        await AuthoriseAnyRoleAsync(nameof(ReadDistribution));
        return await State.ReadAsync<Distribution>(Keys.Of(Keys.Distribution, distributionId))
            ?? throw new ChaincodeException($"distribution {distributionId} does not exist", 404);
    }

    private async Task<DistributionPayment?> PayAsync(DistributionDefinition definition, ShareClass shareClass, string accountId, decimal? exNav)
    {
        var entitled = await UnitsAtAsync(definition.ClassId, accountId, definition.RecordDate);
        if (entitled <= 0)
        {
            return null;
        }

        var cash = OrderPricing.Proceeds(entitled * definition.AmountPerUnit, definition.Currency);
        var instruction = (await AccountAsync(accountId)).DistributionInstruction;
        var reinvested = 0m;
        if (instruction == DistributionInstruction.Reinvest)
        {
            var nav = exNav ?? throw new ChaincodeException($"account {accountId} reinvests but no NAV is published for share class {definition.ClassId} on the ex-date {Keys.Date(definition.ExDate)}", 409);
            reinvested = OrderPricing.Units(cash / nav, shareClass.UnitDecimals);
            if (reinvested > 0)
            {
                await AdjustHoldingAsync(definition.ClassId, accountId, reinvested, definition.PaymentDate, "reinvestment", "distribution:" + definition.DistributionId,
                    c => c with { UnitsReinvested = c.UnitsReinvested + reinvested });
            }
        }

        var payment = new DistributionPayment(definition.DistributionId, accountId, definition.ClassId, entitled, cash, instruction, reinvested, definition.PaymentDate);
        await State.WriteAsync(Keys.Of(Keys.DistributionPayment, definition.DistributionId, accountId), payment);
        await State.WriteMarkerAsync(Keys.Of(Keys.PaymentByAccount, accountId, definition.DistributionId));
        return payment;
    }
}
