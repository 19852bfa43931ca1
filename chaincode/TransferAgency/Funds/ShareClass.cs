using System.Text.Json.Serialization;
using FnzChain.TransferAgency.State;

namespace FnzChain.TransferAgency.Funds;

/// <summary>How often a share class deals.</summary>
[JsonConverter(typeof(KebabCaseEnumConverter<DealingFrequency>))]
public enum DealingFrequency
{
    /// <summary>Every business day.</summary>
    Daily,

    /// <summary>Once a week on the class's dealing weekday (the next business day when that is a holiday).</summary>
    Weekly,
}

/// <summary>Whether a share class deals.</summary>
[JsonConverter(typeof(KebabCaseEnumConverter<ClassStatus>))]
public enum ClassStatus
{
    /// <summary>Subscriptions, redemptions and switches accepted.</summary>
    Open,

    /// <summary>Closed to new investors: only accounts that already hold units may subscribe or switch in; redemptions accepted.</summary>
    SoftClosed,

    /// <summary>Not dealing: no orders, no NAVs (e.g. after a merger or conversion).</summary>
    Closed,
}

/// <summary>What the transfer agent submits to create a share class (JSON argument of <c>CreateShareClass</c>).</summary>
public sealed record ShareClassDefinition
{
    public required string ClassId { get; init; }
    public required string FundId { get; init; }
    public required string Isin { get; init; }
    public required string Currency { get; init; }
    public DealingFrequency DealingFrequency { get; init; } = DealingFrequency.Daily;

    /// <summary>For weekly classes, the nominal dealing weekday ("monday" … "friday").</summary>
    [JsonConverter(typeof(KebabCaseEnumConverter<DayOfWeek>))]
    public DayOfWeek DealingDay { get; init; } = DayOfWeek.Monday;

    /// <summary>Orders received before this time (UTC) on a dealing date deal on it; later ones on the next dealing date.</summary>
    public TimeOnly CutOff { get; init; } = new(12, 0);

    /// <summary>Settlement n business days after the dealing date (T+n).</summary>
    public int SettlementDays { get; init; } = 2;

    public decimal MinimumSubscription { get; init; }
    public int UnitDecimals { get; init; } = 3;

    /// <summary>Entry fee as a fraction of the gross subscription amount (0.02 = 2 %).</summary>
    public decimal EntryFeeRate { get; init; }

    /// <summary>Exit fee as a fraction of the gross redemption proceeds.</summary>
    public decimal ExitFeeRate { get; init; }

    /// <summary>Orders worth more than this (class currency) need a second identity's approval; null: never.</summary>
    public decimal? FourEyesThreshold { get; init; }
}

/// <summary>A share class as stored: its definition, status, latest NAV and unit counters that reconcile the register.</summary>
public sealed record ShareClass
{
    public required ShareClassDefinition Definition { get; init; }
    public ClassStatus Status { get; init; } = ClassStatus.Open;

    /// <summary>Set while a corporate action is being applied to the class: no orders, dealing or settlement.</summary>
    public string? FrozenBy { get; init; }

    public DateOnly? LastNavDate { get; init; }
    public decimal? LastNav { get; init; }

    /// <summary>Units on the register (sum of all holdings).</summary>
    public decimal UnitsInIssue { get; init; }
    public decimal UnitsSubscribed { get; init; }
    public decimal UnitsRedeemed { get; init; }
    public decimal UnitsReinvested { get; init; }

    /// <summary>Net units added (positive) or removed by corporate actions and switches in/out.</summary>
    public decimal UnitsByCorporateActions { get; init; }
    public decimal UnitsSwitchedIn { get; init; }
    public decimal UnitsSwitchedOut { get; init; }

    [JsonIgnore]
    public string ClassId => Definition.ClassId;

    [JsonIgnore]
    public string Currency => Definition.Currency;

    [JsonIgnore]
    public int UnitDecimals => Definition.UnitDecimals;
}
