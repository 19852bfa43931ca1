using System.Collections.Frozen;

namespace FnzChain.TransferAgency.Funds;

/// <summary>
/// The ISO 4217 currencies share classes may be denominated in, with their minor units (decimal places of a
/// cash amount). A fixed list rather than the platform's culture data: endorsement must not depend on the host.
/// </summary>
public static class Currencies
{
    private static readonly FrozenDictionary<string, int> MinorUnits = new Dictionary<string, int>(StringComparer.Ordinal)
    {
        ["AUD"] = 2, ["CAD"] = 2, ["CHF"] = 2, ["CNY"] = 2, ["CZK"] = 2, ["DKK"] = 2, ["EUR"] = 2, ["GBP"] = 2,
        ["HKD"] = 2, ["HUF"] = 2, ["JPY"] = 0, ["KRW"] = 0, ["NOK"] = 2, ["NZD"] = 2, ["PLN"] = 2, ["SEK"] = 2,
        ["SGD"] = 2, ["USD"] = 2, ["ZAR"] = 2,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>True for a supported ISO 4217 code (upper case).</summary>
    public static bool IsKnown(string? code) => code is not null && MinorUnits.ContainsKey(code);

    /// <summary>Decimal places of a cash amount in <paramref name="code"/>.</summary>
    public static int MinorUnitsOf(string code) => MinorUnits[code];

    /// <summary>The supported codes, for messages.</summary>
    public static string List => string.Join(", ", MinorUnits.Keys.Order(StringComparer.Ordinal));
}
