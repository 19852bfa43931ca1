namespace FnzChain.TransferAgency.Register;

/// <summary>Units an account holds in a share class: changed only by settlement, reinvestment and corporate actions.</summary>
public sealed record Holding(string ClassId, string AccountId, decimal Units);

/// <summary>
/// One change of a holding, dated by its effective (settlement) date, so the register can be read at any date:
/// units at date D = sum of the movements dated D or earlier.
/// </summary>
public sealed record Movement(string ClassId, string AccountId, DateOnly Date, decimal Units, string Cause, string Reference, string TxId);
