using System.Text.Json;
using FnzChain.TransferAgency.Access;
using FnzChain.TransferAgency.Distributions;
using FnzChain.TransferAgency.Orders;
using FnzChain.TransferAgency.Register;
using FnzChain.TransferAgency.Reports;
using FnzChain.TransferAgency.State;

namespace FnzChain.TransferAgency;

/// <summary>Reports, paginated with the bookmark the previous page returned (empty for the first page).</summary>
public sealed partial class TransferAgencyContract
{
    /// <summary>The register of a class at the end of <paramref name="asOfDate"/>, one page. Transfer agent, fund accountant or compliance.</summary>
    public async Task<RegisterPage> GetRegister(string classId, string asOfDate, int pageSize, string bookmark)
    {
        await AuthoriseAsync(nameof(GetRegister), Role.TransferAgent, Role.FundAccountant, Role.Compliance);
        _ = await ClassAsync(classId);
        var date = Text.ParseDate(asOfDate, "register date");
        var (holdings, next) = await State.PageAsync<Holding>(Keys.Holding, [classId], CheckedPageSize(pageSize), bookmark);
        var entries = new List<RegisterEntry>();
        foreach (var (_, holding) in holdings)
        {
            var units = await UnitsAtAsync(classId, holding.AccountId, date);
            if (units != 0)
            {
                entries.Add(new RegisterEntry(holding.AccountId, (await AccountAsync(holding.AccountId)).Distributor, units));
            }
        }

        return new RegisterPage(classId, date, entries, entries.Sum(e => e.Units), next);
    }

    /// <summary>
    /// An investor statement: current holdings with values, distributions received, and one page of the account's
    /// orders. The account's distributor, the TA or compliance.
    /// </summary>
    public async Task<InvestorStatement> GetInvestorStatement(string accountId, int pageSize, string bookmark)
    {
        var account = await ServicedAccountAsync(nameof(GetInvestorStatement), accountId, Role.Compliance);
        var holdings = new List<StatementHolding>();
        await foreach (var attributes in State.ScanKeysAsync(Keys.HoldingByAccount, [accountId]))
        {
            var shareClass = await ClassAsync(attributes[1]);
            var units = await HoldingUnitsAsync(shareClass.ClassId, accountId);
            var value = shareClass.LastNav is { } nav ? OrderPricing.Proceeds(units * nav, shareClass.Currency) : (decimal?)null;
            holdings.Add(new StatementHolding(shareClass.ClassId, shareClass.Definition.Isin, shareClass.Currency, units, shareClass.LastNav, shareClass.LastNavDate, value));
        }

        var distributions = new List<DistributionPayment>();
        await foreach (var attributes in State.ScanKeysAsync(Keys.PaymentByAccount, [accountId]))
        {
            distributions.Add((await State.ReadAsync<DistributionPayment>(Keys.Of(Keys.DistributionPayment, attributes[1], accountId)))!);
        }

        var (orderKeys, next) = await State.PageKeysAsync(Keys.OrderByAccount, [accountId], CheckedPageSize(pageSize), bookmark);
        var orders = new List<Order>();
        foreach (var attributes in orderKeys)
        {
            orders.Add(await OrderAsync(attributes[1]));
        }

        return new InvestorStatement(account, holdings, distributions, orders, next);
    }

    /// <summary>The orders of a class for a dealing date, one page. Transfer agent, fund accountant or compliance.</summary>
    public async Task<OrderBookPage> GetOrderBook(string classId, string dealingDate, int pageSize, string bookmark)
    {
        await AuthoriseAsync(nameof(GetOrderBook), Role.TransferAgent, Role.FundAccountant, Role.Compliance);
        _ = await ClassAsync(classId);
        var date = Text.ParseDate(dealingDate, "dealing date");
        var (keys, next) = await State.PageKeysAsync(Keys.OrderByClassDate, [classId, Keys.Date(date)], CheckedPageSize(pageSize), bookmark);
        var orders = new List<Order>();
        foreach (var attributes in keys)
        {
            orders.Add(await OrderAsync(attributes[2]));
        }

        return new OrderBookPage(
            classId,
            date,
            orders,
            orders.Where(o => o.Type == OrderType.Subscription).Sum(o => o.Amount ?? 0),
            orders.Where(o => o.Type != OrderType.Subscription && o.ClassId == classId).Sum(o => o.UnitsOut),
            next);
    }

    /// <summary>Every committed version of an order, newest first. The account's distributor, the TA or compliance.</summary>
    public async Task<List<HistoryEntry>> GetOrderHistory(string orderId)
    {
        await AuthoriseAsync(nameof(GetOrderHistory), Role.Distributor, Role.TransferAgent, Role.Compliance);
        var order = await OrderAsync(orderId);
        _ = await ServicedAccountAsync(nameof(GetOrderHistory), order.AccountId, Role.Compliance);
        return await HistoryAsync(Keys.Of(Keys.Order, orderId));
    }

    /// <summary>Every committed version of an account's public record, newest first. The account's distributor, the TA or compliance.</summary>
    public async Task<List<HistoryEntry>> GetAccountHistory(string accountId)
    {
        _ = await ServicedAccountAsync(nameof(GetAccountHistory), accountId, Role.Compliance);
        return await HistoryAsync(Keys.Of(Keys.Account, accountId));
    }

    private async Task<List<HistoryEntry>> HistoryAsync(string key)
    {
        var entries = new List<HistoryEntry>();
        await foreach (var change in Stub.GetHistoryForKeyAsync(key))
        {
            JsonElement? value = null;
            if (!change.IsDelete)
            {
                using var document = JsonDocument.Parse(change.Value);
                value = document.RootElement.Clone();
            }

            entries.Add(new HistoryEntry(change.TxId, change.Timestamp, change.IsDelete, value));
        }

        return entries;
    }
}
