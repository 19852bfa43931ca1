using System.Text.Json.Serialization;
using FnzChain.TransferAgency.State;

namespace FnzChain.TransferAgency.Pricing;

/// <summary>The NAV per unit of a share class on a dealing date, published once by the fund accountant.</summary>
public sealed record NavRecord
{
    public required string ClassId { get; init; }
    public required DateOnly Date { get; init; }
    public required decimal Nav { get; init; }
    public required string Currency { get; init; }
    public required string PublishedBy { get; init; }
    public required DateTimeOffset PublishedAt { get; init; }

    /// <summary>True once <c>DealOrders</c> priced the class's orders of this date.</summary>
    public bool Dealt { get; init; }

    /// <summary>The NAV before an approved correction, if any, and the correction that replaced it.</summary>
    public decimal? OriginalNav { get; init; }
    public string? CorrectionId { get; init; }
}

/// <summary>Whether a four-eyes proposal took effect.</summary>
[JsonConverter(typeof(KebabCaseEnumConverter<ProposalStatus>))]
public enum ProposalStatus
{
    /// <summary>Waiting for an approver other than the proposer.</summary>
    Proposed,

    /// <summary>Approved (and, for NAV corrections, applied).</summary>
    Approved,
}

/// <summary>A proposed change of a published NAV, with its reason; applied when a second identity approves it.</summary>
public sealed record NavCorrection
{
    public required string CorrectionId { get; init; }
    public required string ClassId { get; init; }
    public required DateOnly Date { get; init; }
    public required decimal PreviousNav { get; init; }
    public required decimal CorrectedNav { get; init; }
    public required string Reason { get; init; }
    public required string ProposedBy { get; init; }
    public required DateTimeOffset ProposedAt { get; init; }
    public ProposalStatus Status { get; init; } = ProposalStatus.Proposed;
    public string? ApprovedBy { get; init; }

    /// <summary>Priced, unsettled orders re-priced at the corrected NAV when it was approved.</summary>
    public IReadOnlyList<string> RepricedOrders { get; init; } = [];

    /// <summary>Orders already settled at the wrong NAV: the TA compensates them off-ledger (listed here for it).</summary>
    public IReadOnlyList<string> SettledOrdersToCompensate { get; init; } = [];
}
