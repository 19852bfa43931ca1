using System.Text.Json.Serialization;
using FnzChain.TransferAgency.State;

namespace FnzChain.TransferAgency.Access;

/// <summary>What a caller may do. Written in kebab case ("transfer-agent") in certificates, configuration and messages.</summary>
[JsonConverter(typeof(KebabCaseEnumConverter<Role>))]
public enum Role
{
    /// <summary>Operates the register: funds, classes, accounts, dealing, settlement, distributions, corporate actions.</summary>
    TransferAgent,

    /// <summary>Opens accounts and places orders for its own investors (the account's distributor is the distributor's MSP id).</summary>
    Distributor,

    /// <summary>Publishes NAVs and proposes NAV corrections.</summary>
    FundAccountant,

    /// <summary>The second pair of eyes: approves large orders, NAV corrections and corporate actions proposed by someone else.</summary>
    Approver,

    /// <summary>Erases personal data of closed accounts; reads registers and histories.</summary>
    Compliance,
}
