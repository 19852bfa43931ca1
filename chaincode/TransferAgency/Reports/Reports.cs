using System.Text.Json;
using FnzChain.TransferAgency.Investors;
using FnzChain.TransferAgency.Orders;
using FnzChain.TransferAgency.Distributions;

namespace FnzChain.TransferAgency.Reports;

/// <summary>One page of the register of a share class at a date: every account holding units then.</summary>
public sealed record RegisterPage(string ClassId, DateOnly AsOf, IReadOnlyList<RegisterEntry> Entries, decimal UnitsOnPage, string Bookmark);

/// <summary>An account's units on the register.</summary>
public sealed record RegisterEntry(string AccountId, string Distributor, decimal Units);

/// <summary>An investor statement: holdings valued at the latest NAV, distributions received, and one page of orders.</summary>
public sealed record InvestorStatement(Account Account, IReadOnlyList<StatementHolding> Holdings, IReadOnlyList<DistributionPayment> Distributions, IReadOnlyList<Order> Orders, string Bookmark);

/// <summary>A holding on a statement, valued at the class's latest NAV (money: half up to minor units).</summary>
public sealed record StatementHolding(string ClassId, string Isin, string Currency, decimal Units, decimal? Nav, DateOnly? NavDate, decimal? Value);

/// <summary>One page of the orders of a class for a dealing date, with the page's totals.</summary>
public sealed record OrderBookPage(string ClassId, DateOnly DealingDate, IReadOnlyList<Order> Orders, decimal SubscribedAmountOnPage, decimal RedeemedUnitsOnPage, string Bookmark);

/// <summary>One committed change of a record, from the ledger's history (newest first).</summary>
public sealed record HistoryEntry(string TxId, DateTimeOffset Timestamp, bool IsDelete, JsonElement? Value);

/// <summary>
/// One page of an order search, newest first. <paramref name="AnsweredBy"/> says how the peer answered it:
/// <c>couchdb-query</c> (a rich query on a CouchDB peer) or <c>key-index</c> (a walk of the composite-key indexes).
/// </summary>
public sealed record OrderSearchPage(string? FundId, OrderStatus? Status, string? Distributor, IReadOnlyList<Order> Orders, string Bookmark, string AnsweredBy);

/// <summary>One page of the holdings of a class with at least <paramref name="MinimumUnits"/> units, in account order (see <see cref="OrderSearchPage"/> for <paramref name="AnsweredBy"/>).</summary>
public sealed record HoldingSearchPage(string ClassId, decimal MinimumUnits, IReadOnlyList<Register.Holding> Holdings, string Bookmark, string AnsweredBy);
