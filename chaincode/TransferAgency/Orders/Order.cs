using System.Text.Json.Serialization;
using FnzChain.TransferAgency.State;

namespace FnzChain.TransferAgency.Orders;

/// <summary>What an order does.</summary>
[JsonConverter(typeof(KebabCaseEnumConverter<OrderType>))]
public enum OrderType
{
    /// <summary>Buy units for a cash amount.</summary>
    Subscription,

    /// <summary>Sell units, given as units or as a cash amount.</summary>
    Redemption,

    /// <summary>Sell units of one class and buy another class of the same currency with the proceeds, on one dealing date.</summary>
    Switch,
}

/// <summary>Where an order is in its life: pending → priced → settled, with the side exits.</summary>
[JsonConverter(typeof(KebabCaseEnumConverter<OrderStatus>))]
public enum OrderStatus
{
    /// <summary>Above the four-eyes threshold: waits for an approver other than the placer.</summary>
    AwaitingApproval,

    /// <summary>Accepted, waiting for the NAV of its dealing date.</summary>
    Pending,

    /// <summary>Priced at the dealing date's NAV; settles on the settlement date.</summary>
    Priced,

    /// <summary>Cash and units exchanged; the register changed.</summary>
    Settled,

    /// <summary>Settlement failed (reason given); the register did not change.</summary>
    Failed,

    /// <summary>Withdrawn before pricing.</summary>
    Cancelled,

    /// <summary>Refused at dealing (reason given), e.g. not approved in time or not enough units.</summary>
    Rejected,
}

/// <summary>An order with everything dealing and settlement add to it. Cash in the class currency, units in the class's decimals.</summary>
public sealed record Order
{
    public required string OrderId { get; init; }
    public required OrderType Type { get; init; }
    public required string AccountId { get; init; }

    /// <summary>The class bought (subscription), sold (redemption) or switched out of (switch).</summary>
    public required string ClassId { get; init; }

    /// <summary>The class switched into.</summary>
    public string? TargetClassId { get; init; }

    public required string Currency { get; init; }

    /// <summary>Requested cash: the gross subscription amount, or the gross redemption proceeds wanted.</summary>
    public decimal? Amount { get; init; }

    /// <summary>Requested units to redeem or switch.</summary>
    public decimal? Units { get; init; }

    public required OrderStatus Status { get; init; }
    public required DateTimeOffset ReceivedAt { get; init; }
    public required DateOnly DealingDate { get; init; }

    /// <summary>Identity id of the placer; the approver must be someone else.</summary>
    public required string PlacedBy { get; init; }
    public required string PlacedByMsp { get; init; }

    /// <summary>The distributor servicing the account when the order was placed (what reports filter on).</summary>
    public string? Distributor { get; init; }
    public string? ApprovedBy { get; init; }

    public decimal? Nav { get; init; }
    public decimal? TargetNav { get; init; }

    /// <summary>Units issued (subscription) or cancelled (redemption, switch out).</summary>
    public decimal? DealtUnits { get; init; }

    /// <summary>Units issued in the target class of a switch.</summary>
    public decimal? TargetUnits { get; init; }

    public decimal? GrossAmount { get; init; }
    public decimal? Fee { get; init; }

    /// <summary>Cash invested (subscription: gross − fee) or paid to the investor (redemption: gross − fee).</summary>
    public decimal? NetAmount { get; init; }

    public DateOnly? SettlementDate { get; init; }

    /// <summary>Why the order was rejected, failed or cancelled.</summary>
    public string? Reason { get; init; }

    [JsonIgnore]
    public bool InFlight => Status is OrderStatus.AwaitingApproval or OrderStatus.Pending or OrderStatus.Priced;

    /// <summary>Units this order takes out of <see cref="ClassId"/> when known (redemptions and switches).</summary>
    [JsonIgnore]
    public decimal UnitsOut => Type == OrderType.Subscription ? 0 : DealtUnits ?? Units ?? 0;
}
