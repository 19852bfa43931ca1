namespace FnzChain.TransferAgency.Funds;

/// <summary>ISO 6166 ISINs: two-letter country, nine alphanumerics, one Luhn check digit over the letters-as-numbers expansion.</summary>
public static class Isin
{
    /// <summary>Null when <paramref name="isin"/> is valid, else why not.</summary>
    public static string? Problem(string? isin)
    {
        if (isin is null || isin.Length != 12)
        {
            return "an ISIN has 12 characters";
        }

        if (!char.IsAsciiLetterUpper(isin[0]) || !char.IsAsciiLetterUpper(isin[1]))
        {
            return "an ISIN starts with a two-letter country code";
        }

        if (!isin[2..11].All(c => char.IsAsciiDigit(c) || char.IsAsciiLetterUpper(c)) || !char.IsAsciiDigit(isin[11]))
        {
            return "an ISIN has nine letters or digits and a check digit after the country code";
        }

        return CheckDigit(isin[..11]) == isin[11] - '0' ? null : $"the check digit should be {CheckDigit(isin[..11])}";
    }

    /// <summary>The check digit of the first eleven characters.</summary>
    public static int CheckDigit(string body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var digits = new List<int>();
        foreach (var c in body)
        {
            var value = char.IsAsciiDigit(c) ? c - '0' : c - 'A' + 10;
            if (value >= 10)
            {
                digits.Add(value / 10);
            }

            digits.Add(value % 10);
        }

        // Luhn: double every second digit from the right, the rightmost included (the check digit will follow it).
        var sum = 0;
        for (var i = 0; i < digits.Count; i++)
        {
            var digit = digits[digits.Count - 1 - i];
            if (i % 2 == 0)
            {
                digit *= 2;
                digit = digit > 9 ? digit - 9 : digit;
            }

            sum += digit;
        }

        return (10 - (sum % 10)) % 10;
    }
}
