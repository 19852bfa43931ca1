using System.Text.Json.Serialization;
using FnzChain.TransferAgency.Distributions;
using FnzChain.TransferAgency.State;

namespace FnzChain.TransferAgency.CorporateActions;

/// <summary>The corporate actions the register supports.</summary>
[JsonConverter(typeof(KebabCaseEnumConverter<CorporateActionKind>))]
public enum CorporateActionKind
{
    /// <summary>Every holding of a class moves to another class of the same fund at a ratio; the source class closes.</summary>
    Conversion,

    /// <summary>Every holding of a class moves to a class of another fund at a ratio; the source class closes.</summary>
    Merger,

    /// <summary>Every holding is multiplied by the ratio in the same class (ratio &gt; 1 split, &lt; 1 consolidation).</summary>
    Split,
}

/// <summary>What the transfer agent proposes (JSON argument of <c>ProposeCorporateAction</c>).</summary>
public sealed record CorporateActionDefinition
{
    public required string ActionId { get; init; }
    public required CorporateActionKind Kind { get; init; }
    public required string ClassId { get; init; }
    public string? TargetClassId { get; init; }

    /// <summary>New units per old unit.</summary>
    public required decimal Ratio { get; init; }

    public required DateOnly EffectiveDate { get; init; }
}

/// <summary>A corporate action with its four-eyes approval and batch progress.</summary>
public sealed record CorporateAction
{
    public required CorporateActionDefinition Definition { get; init; }
    public BatchStatus Status { get; init; } = BatchStatus.Declared;
    public required string ProposedBy { get; init; }
    public string? ApprovedBy { get; init; }

    /// <summary>The next holding key to process.</summary>
    public string Bookmark { get; init; } = string.Empty;

    public int HoldingsProcessed { get; init; }
    public decimal UnitsBefore { get; init; }
    public decimal UnitsAfter { get; init; }
}
