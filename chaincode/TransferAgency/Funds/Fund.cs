namespace FnzChain.TransferAgency.Funds;

/// <summary>A fund: its share classes deal on its calendar (weekends and <paramref name="Holidays"/> are not business days).</summary>
public sealed record Fund(string FundId, string Name, IReadOnlyList<DateOnly> Holidays);
