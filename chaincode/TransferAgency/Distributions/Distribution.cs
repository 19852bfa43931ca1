using System.Text.Json.Serialization;
using FnzChain.TransferAgency.State;

namespace FnzChain.TransferAgency.Distributions;

/// <summary>What the transfer agent submits to declare a distribution (JSON argument of <c>DeclareDistribution</c>).</summary>
public sealed record DistributionDefinition
{
    public required string DistributionId { get; init; }
    public required string ClassId { get; init; }

    /// <summary>Holders on the register at the end of this date are entitled.</summary>
    public required DateOnly RecordDate { get; init; }

    /// <summary>Reinvestments buy units at this date's NAV.</summary>
    public required DateOnly ExDate { get; init; }

    public required DateOnly PaymentDate { get; init; }
    public required decimal AmountPerUnit { get; init; }
    public required string Currency { get; init; }
}

/// <summary>Where a distribution's processing is.</summary>
[JsonConverter(typeof(KebabCaseEnumConverter<BatchStatus>))]
public enum BatchStatus
{
    /// <summary>Declared or proposed; nothing applied yet.</summary>
    Declared,

    /// <summary>Approved by a second identity (corporate actions); nothing applied yet.</summary>
    Approved,

    /// <summary>Some batches applied; continue from the stored bookmark.</summary>
    InProgress,

    /// <summary>Every holder processed.</summary>
    Completed,
}

/// <summary>A declared distribution with its processing progress and totals.</summary>
public sealed record Distribution
{
    public required DistributionDefinition Definition { get; init; }
    public BatchStatus Status { get; init; } = BatchStatus.Declared;
    public required string DeclaredBy { get; init; }

    /// <summary>The next holding key to process (empty when none processed yet or completed).</summary>
    public string Bookmark { get; init; } = string.Empty;

    public decimal? ExDateNav { get; init; }
    public int HoldersProcessed { get; init; }
    public decimal UnitsEntitled { get; init; }
    public decimal CashPaidOut { get; init; }
    public decimal CashReinvested { get; init; }
    public decimal UnitsReinvested { get; init; }
}

/// <summary>What one account received from a distribution.</summary>
public sealed record DistributionPayment(string DistributionId, string AccountId, string ClassId, decimal UnitsEntitled, decimal Cash,
    [property: JsonConverter(typeof(KebabCaseEnumConverter<Investors.DistributionInstruction>))] Investors.DistributionInstruction Instruction,
    decimal UnitsReinvested, DateOnly PaymentDate);
