using FnzChain.TransferAgency.Funds;

namespace FnzChain.TransferAgency.Tests.Funds;

/// <summary>Forward dealing dates from the cut-off, and T+n settlement in business days (weekends and fund holidays skipped).</summary>
public sealed class DealingCalendarTests
{
    // Good Friday 3 April 2026 is a fund holiday.
    private static readonly Fund Fund = new("F", "Fund", [new DateOnly(2026, 4, 3)]);

    private static DealingCalendar Daily(int settlementDays = 2) =>
        new(Fund, new ShareClassDefinition { ClassId = "C", FundId = "F", Isin = "IE00B4L5Y983", Currency = "EUR", CutOff = new TimeOnly(12, 0), SettlementDays = settlementDays });

    [TestCase("2026-03-02T11:59:59Z", "2026-03-02")]
    [TestCase("2026-03-02T12:00:00Z", "2026-03-03")]
    [TestCase("2026-03-06T13:00:00Z", "2026-03-09")]
    [TestCase("2026-03-07T09:00:00Z", "2026-03-09")]
    [TestCase("2026-04-02T15:00:00Z", "2026-04-06")]
    public void Orders_after_the_cut_off_or_on_a_non_business_day_deal_on_the_next_dealing_date(string receivedAt, string dealingDate) =>
        Assert.That(Daily().DealingDateFor(DateTimeOffset.Parse(receivedAt, System.Globalization.CultureInfo.InvariantCulture)), Is.EqualTo(DateOnly.Parse(dealingDate, System.Globalization.CultureInfo.InvariantCulture)));

    [TestCase("2026-03-02", 2, "2026-03-04")]
    [TestCase("2026-03-05", 2, "2026-03-09")]
    [TestCase("2026-04-02", 1, "2026-04-06")]
    [TestCase("2026-03-02", 0, "2026-03-02")]
    public void Settlement_is_n_business_days_after_dealing(string dealingDate, int days, string settlementDate) =>
        Assert.That(Daily(days).SettlementDateFor(DateOnly.Parse(dealingDate, System.Globalization.CultureInfo.InvariantCulture)), Is.EqualTo(DateOnly.Parse(settlementDate, System.Globalization.CultureInfo.InvariantCulture)));

    [Test]
    public void A_weekly_class_deals_on_its_weekday_or_the_next_business_day_when_that_is_a_holiday()
    {
        var weekly = new DealingCalendar(Fund, new ShareClassDefinition
        {
            ClassId = "W", FundId = "F", Isin = "IE00B4L5Y983", Currency = "EUR", DealingFrequency = DealingFrequency.Weekly, DealingDay = DayOfWeek.Friday,
        });

        Assert.That(weekly.NextDealingDate(new DateOnly(2026, 3, 2)), Is.EqualTo(new DateOnly(2026, 3, 6)));
        Assert.That(weekly.IsDealingDate(new DateOnly(2026, 3, 5)), Is.False);
        Assert.That(weekly.NextDealingDate(new DateOnly(2026, 3, 30)), Is.EqualTo(new DateOnly(2026, 4, 6)), "Good Friday moves that week's dealing to Monday");
    }
}
