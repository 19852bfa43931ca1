using System.Globalization;
using System.Text.Json;
using FnzChain.Chaincode;

namespace FnzChain.TransferAgency.State;

/// <summary>Parsing of string arguments with messages that name the argument and the accepted values.</summary>
internal static class Text
{
    public static string Name<TEnum>(TEnum value)
        where TEnum : struct, Enum => JsonNamingPolicy.KebabCaseLower.ConvertName(value.ToString());

    public static bool TryParseEnum<TEnum>(string text, out TEnum value)
        where TEnum : struct, Enum
    {
        foreach (var candidate in Enum.GetValues<TEnum>())
        {
            if (string.Equals(Name(candidate), text?.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                value = candidate;
                return true;
            }
        }

        value = default;
        return false;
    }

    public static TEnum ParseEnum<TEnum>(string text, string what)
        where TEnum : struct, Enum =>
        TryParseEnum<TEnum>(text, out var value)
            ? value
            : throw new ChaincodeException($"{what} \"{text}\" is not one of: {string.Join(", ", Enum.GetValues<TEnum>().Select(Name))}", 400);

    public static DateOnly ParseDate(string text, string what) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            ? date
            : throw new ChaincodeException($"{what} \"{text}\" is not a date in the form yyyy-MM-dd", 400);

    public static string Required(string? text, string what) =>
        string.IsNullOrWhiteSpace(text) ? throw new ChaincodeException($"{what} is missing", 400) : text.Trim();

    /// <summary>An id used inside composite keys: non-empty, at most 64 characters of letters, digits and <c>-_.:</c>.</summary>
    public static string Id(string? text, string what)
    {
        var id = Required(text, what);
        return id.Length <= 64 && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':')
            ? id
            : throw new ChaincodeException($"{what} \"{id}\" must be 1–64 characters of letters, digits, '-', '_', '.' or ':'", 400);
    }

    /// <summary>True when <paramref name="value"/> has no more than <paramref name="decimals"/> decimal places (10.50 has one).</summary>
    public static bool HasAtMostDecimals(decimal value, int decimals) => decimal.Round(value, decimals) == value;
}
