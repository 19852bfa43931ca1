using FnzChain.TransferAgency.Distributions;
using FnzChain.TransferAgency.Register;
using static FnzChain.TransferAgency.Tests.TransferAgencyLedger;

namespace FnzChain.TransferAgency.Tests.Distributions;

/// <summary>Distributions to holders on the record date, paid out or reinvested at the ex-date NAV, in resumable batches.</summary>
public sealed class DistributionTests
{
    private const string Declaration = """
        {"distributionId":"D1","classId":"GLOBAL-EQ-A","recordDate":"2026-03-04","exDate":"2026-03-04","paymentDate":"2026-03-06","amountPerUnit":1.25,"currency":"EUR"}
        """;

    [Test]
    public async Task Holders_on_the_record_date_are_paid_in_batches_that_resume()
    {
        var ledger = await TwoHoldersAsync();
        await ledger.OkAsync(Ta, "DeclareDistribution", Declaration);

        var first = await ledger.OkAsync<Distribution>(Ta, "ProcessDistribution", "D1", "1");
        var second = await ledger.OkAsync<Distribution>(Ta, "ProcessDistribution", "D1", "1");
        var again = await ledger.InvokeAsync(Ta, "ProcessDistribution", "D1", "1");

        Assert.That((first.Status, first.HoldersProcessed), Is.EqualTo((BatchStatus.InProgress, 1)));
        Assert.That((second.Status, second.HoldersProcessed, second.CashPaidOut, second.UnitsReinvested), Is.EqualTo((BatchStatus.Completed, 2, 31.25m, 0.312m)));
        Assert.That(again.Message, Is.EqualTo("distribution D1 is already completed"));
        Assert.That((await ledger.OkAsync<Holding>(Ta, "ReadHolding", "ACC-2", ClassA)).Units, Is.EqualTo(25.312m));
    }

    [Test]
    public async Task Units_bought_after_the_record_date_are_not_entitled()
    {
        var ledger = await TwoHoldersAsync();
        await ledger.OkAsync(Ta, "DeclareDistribution", Declaration.Replace("2026-03-04\",\"exDate\":\"2026-03-04", "2026-03-03\",\"exDate\":\"2026-03-04", StringComparison.Ordinal));

        var distribution = await ledger.OkAsync<Distribution>(Ta, "ProcessDistribution", "D1", "0");

        Assert.That((distribution.HoldersProcessed, distribution.UnitsEntitled), Is.EqualTo((0, 0m)));
    }

    [Test]
    public async Task Reinvestment_needs_the_ex_date_nav()
    {
        var ledger = await TwoHoldersAsync(publishWednesdayNav: false);
        await ledger.OkAsync(Ta, "DeclareDistribution", Declaration);

        var refused = await ledger.InvokeAsync(Ta, "ProcessDistribution", "D1", "0");

        Assert.That(refused.Message, Is.EqualTo("account ACC-2 reinvests but no NAV is published for share class GLOBAL-EQ-A on the ex-date 2026-03-04"));
    }

    [TestCase("\"amountPerUnit\":1.25", "\"amountPerUnit\":0", "the distribution per unit must be positive, not 0")]
    [TestCase("\"currency\":\"EUR\"", "\"currency\":\"USD\"", "the distribution is in USD but share class GLOBAL-EQ-A deals in EUR")]
    [TestCase("\"classId\":\"GLOBAL-EQ-A\"", "\"classId\":\"NOPE\"", "share class NOPE does not exist")]
    [TestCase("\"paymentDate\":\"2026-03-06\"", "\"paymentDate\":\"2026-03-01\"", "the record date and ex-date must not be after the payment date")]
    public async Task Bad_declarations_are_refused(string from, string to, string message)
    {
        var ledger = await TwoHoldersAsync();

        var refused = await ledger.InvokeAsync(Ta, "DeclareDistribution", Declaration.Replace(from, to, StringComparison.Ordinal));

        Assert.That(refused.Message, Is.EqualTo(message));
    }

    [Test]
    public async Task A_distribution_is_not_processed_before_its_record_date()
    {
        var ledger = await new TransferAgencyLedger().WithFundAndAccountsAsync();
        await ledger.OkAsync(Ta, "DeclareDistribution", Declaration);

        var refused = await ledger.InvokeAsync(Ta, "ProcessDistribution", "D1", "0");

        Assert.That(refused.Message, Is.EqualTo("distribution D1 cannot be processed before its record date 2026-03-04"));
    }

    /// <summary>ACC-1 (payout) holds 25 units and ACC-2 (reinvest) 25 units of class A from Wednesday; Wednesday's NAV is 100.</summary>
    private static async Task<TransferAgencyLedger> TwoHoldersAsync(bool publishWednesdayNav = true)
    {
        var ledger = await new TransferAgencyLedger().WithFundAndAccountsAsync();
        await ledger.OkAsync(Distributor1, "PlaceSubscription", "O1", "ACC-1", ClassA, "2500", "EUR");
        await ledger.OkAsync(Distributor2, "PlaceSubscription", "O2", "ACC-2", ClassA, "2500", "EUR");
        await ledger.PriceAndDealAsync(ClassA, "2026-03-02", 100m);
        await ledger.SettleAsync("2026-03-04");
        if (publishWednesdayNav)
        {
            await ledger.PriceAndDealAsync(ClassA, "2026-03-04", 100m);
        }

        ledger.Stub.Timestamp = new DateTimeOffset(2026, 3, 4, 19, 0, 0, TimeSpan.Zero);
        return ledger;
    }
}
