namespace FnzChain.TransferAgency.Funds;

/// <summary>
/// Business days, dealing dates, cut-off and settlement dates of a share class. Weekends and the fund's holidays
/// are not business days; the cut-off is a UTC time on the dealing date.
/// </summary>
public sealed class DealingCalendar(Fund fund, ShareClassDefinition shareClass)
{
    // A year of look-ahead is far more than any real calendar needs; the bound keeps a bad calendar from looping.
    private const int MaxDaysAhead = 366;

    private readonly HashSet<DateOnly> _holidays = [.. fund.Holidays];

    public bool IsBusinessDay(DateOnly date) => date.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday) && !_holidays.Contains(date);

    /// <summary>Daily: every business day. Weekly: the first business day on or after the nominal weekday.</summary>
    public bool IsDealingDate(DateOnly date)
    {
        if (!IsBusinessDay(date))
        {
            return false;
        }

        if (shareClass.DealingFrequency == DealingFrequency.Daily)
        {
            return true;
        }

        var nominal = date.AddDays(-(((int)date.DayOfWeek - (int)shareClass.DealingDay + 7) % 7));
        for (var day = nominal; day < date; day = day.AddDays(1))
        {
            if (IsBusinessDay(day))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The first dealing date strictly after <paramref name="date"/>.</summary>
    public DateOnly NextDealingDate(DateOnly date)
    {
        for (var i = 1; i <= MaxDaysAhead; i++)
        {
            if (IsDealingDate(date.AddDays(i)))
            {
                return date.AddDays(i);
            }
        }

        throw new InvalidOperationException($"share class {shareClass.ClassId} has no dealing date within a year of {date:yyyy-MM-dd}");
    }

    /// <summary>Forward pricing: an order received at <paramref name="receivedAt"/> deals on the first dealing date whose cut-off it meets.</summary>
    public DateOnly DealingDateFor(DateTimeOffset receivedAt)
    {
        var utc = receivedAt.UtcDateTime;
        var today = DateOnly.FromDateTime(utc);
        return IsDealingDate(today) && TimeOnly.FromDateTime(utc) < shareClass.CutOff ? today : NextDealingDate(today);
    }

    /// <summary>T+n: <see cref="ShareClassDefinition.SettlementDays"/> business days after the dealing date.</summary>
    public DateOnly SettlementDateFor(DateOnly dealingDate)
    {
        var date = dealingDate;
        for (var remaining = shareClass.SettlementDays; remaining > 0;)
        {
            date = date.AddDays(1);
            if (IsBusinessDay(date))
            {
                remaining--;
            }
        }

        return date;
    }
}
