using System.Text.Json;
using System.Text.Json.Nodes;
using FnzChain.Chaincode;
using FnzChain.TransferAgency.Access;
using FnzChain.TransferAgency.Funds;
using FnzChain.TransferAgency.Orders;
using FnzChain.TransferAgency.Register;
using FnzChain.TransferAgency.Reports;
using FnzChain.TransferAgency.State;

namespace FnzChain.TransferAgency;

/// <summary>
/// Searches across the register, answered two ways with the same results: a CouchDB rich query (Mango, with the
/// indexes the package ships under <c>META-INF/statedb/couchdb/indexes</c>) on a peer whose state is in CouchDB, and
/// a walk of the composite-key indexes on a RocksDB peer. Endorsers of one channel may run either, so both must agree
/// — the page says which answered. Orders are newest first (received time, then order id, descending); holdings are
/// in account order. Order ids and account ids compare as CouchDB compares them only when they use one letter case
/// (CouchDB collates strings with ICU: <c>a &lt; B</c>); ours are upper-case.
/// </summary>
public sealed partial class TransferAgencyContract
{
    private const string QueryBookmark = "q:";
    private const string IndexBookmark = "i:";
    private const string AnsweredByQuery = "couchdb-query";
    private const string AnsweredByIndex = "key-index";

    /// <summary>
    /// Orders of a fund (empty: every fund), in a status (empty: any) for a distributor (empty: any), newest first; one
    /// page. A distributor sees only its own investors' orders; the TA, fund accountant and compliance see all.
    /// </summary>
    public async Task<OrderSearchPage> FindOrders(string fundId, string status, string distributor, int pageSize, string bookmark)
    {
        var caller = await AuthoriseAsync(nameof(FindOrders), Role.Distributor, Role.TransferAgent, Role.FundAccountant, Role.Compliance);
        pageSize = CheckedPageSize(pageSize);
        OrderStatus? wanted = string.IsNullOrEmpty(status) ? null : Text.ParseEnum<OrderStatus>(status, "order status");
        var forDistributor = string.IsNullOrEmpty(distributor) ? null : distributor;
        if (!caller.Has(Role.TransferAgent) && !caller.Has(Role.FundAccountant) && !caller.Has(Role.Compliance))
        {
            if (forDistributor is not null && forDistributor != caller.MspId)
            {
                throw new ChaincodeException($"distributor {caller.MspId} may search only its own investors' orders, not {forDistributor}'s", 403);
            }

            forDistributor = caller.MspId;
        }

        var classes = await ClassIdsAsync(string.IsNullOrEmpty(fundId) ? null : fundId);
        var search = new OrderSearch(classes, wanted, forDistributor);
        var (orders, next, answeredBy) = Stub.SupportsRichQueries
            ? await FindOrdersByQueryAsync(search, pageSize, bookmark)
            : await FindOrdersByIndexAsync(search, pageSize, bookmark);
        return new OrderSearchPage(string.IsNullOrEmpty(fundId) ? null : fundId, wanted, forDistributor, orders, next, answeredBy);
    }

    /// <summary>Holdings of a share class of at least <paramref name="minimumUnits"/> units, in account order; one page. TA, fund accountant or compliance.</summary>
    public async Task<HoldingSearchPage> FindHoldings(string classId, decimal minimumUnits, int pageSize, string bookmark)
    {
        await AuthoriseAsync(nameof(FindHoldings), Role.TransferAgent, Role.FundAccountant, Role.Compliance);
        _ = await ClassAsync(classId);
        Check(minimumUnits >= 0, $"the minimum number of units must not be negative, not {minimumUnits}");
        pageSize = CheckedPageSize(pageSize);
        var (holdings, next, answeredBy) = Stub.SupportsRichQueries
            ? await FindHoldingsByQueryAsync(classId, minimumUnits, pageSize, bookmark)
            : await FindHoldingsByIndexAsync(classId, minimumUnits, pageSize, bookmark);
        return new HoldingSearchPage(classId, minimumUnits, holdings, next, answeredBy);
    }

    private sealed record OrderSearch(IReadOnlyList<string>? ClassIds, OrderStatus? Status, string? Distributor)
    {
        public bool Matches(Order order) =>
            (ClassIds is null || ClassIds.Contains(order.ClassId, StringComparer.Ordinal))
            && (Status is null || order.Status == Status)
            && (Distributor is null || order.Distributor == Distributor);
    }

    /// <summary>The share classes of a fund (null: every fund, no filter).</summary>
    private async Task<IReadOnlyList<string>?> ClassIdsAsync(string? fundId)
    {
        if (fundId is null)
        {
            return null;
        }

        _ = await FundAsync(fundId);
        var classes = new List<string>();
        await foreach (var (_, shareClass) in State.ScanAsync<ShareClass>(Keys.ShareClass, []))
        {
            if (shareClass.Definition.FundId == fundId)
            {
                classes.Add(shareClass.ClassId);
            }
        }

        return classes;
    }

    private async Task<(List<Order> Orders, string Bookmark, string AnsweredBy)> FindOrdersByQueryAsync(OrderSearch search, int pageSize, string bookmark)
    {
        // Only orders have both an order id and a placer; the sort fields must be in the selector for the index to serve it.
        var selector = new JsonObject
        {
            ["receivedAt"] = new JsonObject { ["$gt"] = null },
            ["orderId"] = new JsonObject { ["$gt"] = null },
            ["placedBy"] = new JsonObject { ["$gt"] = null },
        };
        if (search.ClassIds is { } classIds)
        {
            selector["classId"] = new JsonObject { ["$in"] = new JsonArray([.. classIds.Select(c => JsonValue.Create(c))]) };
        }

        if (search.Status is { } status)
        {
            selector["status"] = Text.Name(status);
        }

        if (search.Distributor is { } distributor)
        {
            selector["distributor"] = distributor;
        }

        var query = new JsonObject
        {
            ["selector"] = selector,
            ["sort"] = new JsonArray(new JsonObject { ["receivedAt"] = "desc" }, new JsonObject { ["orderId"] = "desc" }),
            ["use_index"] = new JsonArray("_design/indexOrdersNewestFirstDoc", "indexOrdersNewestFirst"),
        };
        var page = await Stub.GetQueryResultWithPaginationAsync(query.ToJsonString(), pageSize, Resume(bookmark, QueryBookmark));
        return ([.. page.Results.Select(r => LedgerState.Deserialize<Order>(r.Value))], Next(page.Bookmark, QueryBookmark), AnsweredByQuery);
    }

    private async Task<(List<Order> Orders, string Bookmark, string AnsweredBy)> FindOrdersByIndexAsync(OrderSearch search, int pageSize, string bookmark)
    {
        // Every order of the classes searched, through the class/date index (all orders when no fund is given).
        var orders = new Dictionary<string, Order>(StringComparer.Ordinal);
        if (search.ClassIds is { } classIds)
        {
            foreach (var classId in classIds)
            {
                await foreach (var attributes in State.ScanKeysAsync(Keys.OrderByClassDate, [classId]))
                {
                    var order = await OrderAsync(attributes[2]);
                    if (search.Matches(order))
                    {
                        orders[order.OrderId] = order;
                    }
                }
            }
        }
        else
        {
            await foreach (var (_, order) in State.ScanAsync<Order>(Keys.Order, []))
            {
                if (search.Matches(order))
                {
                    orders[order.OrderId] = order;
                }
            }
        }

        var sorted = orders.Values.Select(o => (Position: NewestFirstPosition(o), Order: o))
            .OrderByDescending(o => o.Position, StringComparer.Ordinal)
            .ToList();
        var after = Resume(bookmark, IndexBookmark);
        var rest = after is null ? sorted : sorted.SkipWhile(o => string.CompareOrdinal(o.Position, after) >= 0).ToList();
        var page = rest.Take(pageSize).ToList();
        var next = rest.Count > pageSize ? IndexBookmark + page[^1].Position : string.Empty;
        return ([.. page.Select(o => o.Order)], next, AnsweredByIndex);
    }

    /// <summary>
    /// Where an order sorts, newest first: its received time as CouchDB compares it (the JSON string) and its id. The
    /// separator U+0001 sorts below every character an id may hold, so (time, id) pairs compare field by field.
    /// </summary>
    private static string NewestFirstPosition(Order order) =>
        JsonSerializer.Serialize(order.ReceivedAt, ContractDispatcher.Json).Trim('"') + "\u0001" + order.OrderId;

    private async Task<(List<Holding> Holdings, string Bookmark, string AnsweredBy)> FindHoldingsByQueryAsync(string classId, decimal minimumUnits, int pageSize, string bookmark)
    {
        // Holdings are the records with a class, an account and units, and neither a date (movements) nor an order id (orders).
        var query = new JsonObject
        {
            ["selector"] = new JsonObject
            {
                ["classId"] = classId,
                ["accountId"] = new JsonObject { ["$gt"] = null },
                ["units"] = new JsonObject { ["$gte"] = minimumUnits },
                ["date"] = new JsonObject { ["$exists"] = false },
                ["orderId"] = new JsonObject { ["$exists"] = false },
            },
            ["sort"] = new JsonArray(new JsonObject { ["classId"] = "asc" }, new JsonObject { ["accountId"] = "asc" }),
            ["use_index"] = new JsonArray("_design/indexHoldingsByClassDoc", "indexHoldingsByClass"),
        };
        var page = await Stub.GetQueryResultWithPaginationAsync(query.ToJsonString(), pageSize, Resume(bookmark, QueryBookmark));
        return ([.. page.Results.Select(r => LedgerState.Deserialize<Holding>(r.Value))], Next(page.Bookmark, QueryBookmark), AnsweredByQuery);
    }

    private async Task<(List<Holding> Holdings, string Bookmark, string AnsweredBy)> FindHoldingsByIndexAsync(string classId, decimal minimumUnits, int pageSize, string bookmark)
    {
        var after = Resume(bookmark, IndexBookmark);
        var page = new List<Holding>(pageSize);
        var more = false;
        await foreach (var (_, holding) in State.ScanAsync<Holding>(Keys.Holding, [classId]))
        {
            if (holding.Units < minimumUnits || (after is not null && string.CompareOrdinal(holding.AccountId, after) <= 0))
            {
                continue;
            }

            if (page.Count == pageSize)
            {
                more = true;
                break;
            }

            page.Add(holding);
        }

        return (page, more ? IndexBookmark + page[^1].AccountId : string.Empty, AnsweredByIndex);
    }

    /// <summary>The position a bookmark of this path resumes from (null: the first page); a bookmark of the other path is refused.</summary>
    private static string? Resume(string bookmark, string path)
    {
        if (string.IsNullOrEmpty(bookmark))
        {
            return null;
        }

        return bookmark.StartsWith(path, StringComparison.Ordinal)
            ? bookmark[path.Length..]
            : throw new ChaincodeException("the bookmark comes from a peer whose state database answers this search the other way (CouchDB query or key index): start again without a bookmark on this peer", 400);
    }

    private static string Next(string bookmark, string path) => bookmark.Length == 0 ? string.Empty : path + bookmark;
}
