using System.Globalization;

namespace FnzChain.Identity.Channels;

/// <summary>
/// Durations as Fabric's configuration writes them (Go's <c>time.Duration</c> text): a sequence of decimal numbers
/// each with a unit — "2s", "250ms", "1m30s", "1.5h". Units ns, us/µs, ms, s, m, h. No sign: configuration
/// durations are positive.
/// </summary>
public static class GoDuration
{
    private static readonly (string Unit, double Milliseconds)[] Units =
    [
        ("ns", 1e-6), ("us", 1e-3), ("µs", 1e-3), ("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000),
    ];

    /// <summary>The duration <paramref name="text"/> stands for, or null when it is not one.</summary>
    public static TimeSpan? Parse(string? text)
    {
        if (string.IsNullOrEmpty(text) || text.Length > 64)
        {
            return null;
        }

        double total = 0;
        var i = 0;
        while (i < text.Length)
        {
            var start = i;
            while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] == '.'))
            {
                i++;
            }

            if (i == start || !double.TryParse(text.AsSpan(start, i - start), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                return null;
            }

            var unitStart = i;
            while (i < text.Length && !char.IsAsciiDigit(text[i]) && text[i] != '.')
            {
                i++;
            }

            var unit = text[unitStart..i];
            var match = Array.FindIndex(Units, u => u.Unit == unit);
            if (match < 0)
            {
                return null;
            }

            total += number * Units[match].Milliseconds;
        }

        return total > TimeSpan.MaxValue.TotalMilliseconds ? null : TimeSpan.FromMilliseconds(total);
    }

    /// <summary>Go's rendering for whole milliseconds: "2s", "250ms", "1m30s".</summary>
    public static string Format(TimeSpan duration)
    {
        if (duration <= TimeSpan.Zero)
        {
            return "0s";
        }

        if (duration.Milliseconds != 0 && duration < TimeSpan.FromSeconds(1))
        {
            return $"{(long)duration.TotalMilliseconds}ms";
        }

        var text = string.Empty;
        if (duration.TotalHours >= 1)
        {
            text += $"{(long)duration.TotalHours}h";
        }

        if (duration.Minutes != 0 || (text.Length > 0 && (duration.Seconds != 0 || duration.Milliseconds != 0)))
        {
            text += $"{duration.Minutes}m";
        }

        var seconds = duration.Seconds + (duration.Milliseconds / 1000.0);
        if (seconds != 0 || text.Length == 0)
        {
            text += seconds.ToString("0.###", CultureInfo.InvariantCulture) + "s";
        }

        return text;
    }
}
