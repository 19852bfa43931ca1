using System.Text.Json.Serialization;
using FnzChain.TransferAgency.State;

namespace FnzChain.TransferAgency.Investors;

/// <summary>Whether an account may deal.</summary>
[JsonConverter(typeof(KebabCaseEnumConverter<AccountStatus>))]
public enum AccountStatus
{
    /// <summary>May deal (once KYC is approved).</summary>
    Active,

    /// <summary>Frozen by the transfer agent (e.g. a compliance hold): no new orders.</summary>
    Blocked,

    /// <summary>No longer dealing; personal data may be erased.</summary>
    Closed,
}

/// <summary>Know-your-customer state of the investor behind an account.</summary>
[JsonConverter(typeof(KebabCaseEnumConverter<KycStatus>))]
public enum KycStatus
{
    /// <summary>Checks not finished: no orders yet.</summary>
    Pending,

    /// <summary>Checks passed: the account may deal.</summary>
    Approved,

    /// <summary>Checks failed: the account may not deal.</summary>
    Rejected,
}

/// <summary>What happens to an account's distributions.</summary>
[JsonConverter(typeof(KebabCaseEnumConverter<DistributionInstruction>))]
public enum DistributionInstruction
{
    /// <summary>Paid out in cash.</summary>
    Payout,

    /// <summary>Reinvested in units of the same class at the ex-date NAV.</summary>
    Reinvest,
}

/// <summary>
/// The public part of an investor account: no name, address, birth date, tax id or bank details — those are
/// personal data and live only behind <see cref="PersonalDataStore"/>.
/// </summary>
public sealed record Account
{
    public required string AccountId { get; init; }

    /// <summary>The MSP id of the distributor that services the account; only it (and the TA) may place its orders.</summary>
    public required string Distributor { get; init; }

    public AccountStatus Status { get; init; } = AccountStatus.Active;
    public KycStatus Kyc { get; init; } = KycStatus.Pending;
    public DistributionInstruction DistributionInstruction { get; init; } = DistributionInstruction.Payout;
    public DateTimeOffset OpenedAt { get; init; }

    /// <summary>True while personal data is on file; false after compliance erased it.</summary>
    public bool PersonalDataOnFile { get; init; }
    public DateTimeOffset? PersonalDataErasedAt { get; init; }
}
