using FnzChain.TransferAgency.CorporateActions;
using FnzChain.TransferAgency.Distributions;
using FnzChain.TransferAgency.Funds;
using FnzChain.TransferAgency.Register;
using static FnzChain.TransferAgency.Tests.TransferAgencyLedger;

namespace FnzChain.TransferAgency.Tests.CorporateActions;

/// <summary>Corporate actions: four-eyes approval, then the whole register rewritten atomically or in resumable batches.</summary>
public sealed class CorporateActionTests
{
    private static string Action(string kind, string ratio, string target = "") =>
        $$"""{"actionId":"CA-1","kind":"{{kind}}","classId":"{{ClassA}}"{{(target.Length > 0 ? $",\"targetClassId\":\"{target}\"" : string.Empty)}},"ratio":{{ratio}},"effectiveDate":"2026-03-05"}""";

    [Test]
    public async Task A_split_needs_approval_by_someone_other_than_the_proposer()
    {
        var ledger = await HoldersAsync();
        await ledger.OkAsync(TaApprover, "ProposeCorporateAction", Action("split", "10"));

        var unapproved = await ledger.InvokeAsync(Ta, "ApplyCorporateAction", "CA-1", "0");
        var self = await ledger.InvokeAsync(TaApprover, "ApproveCorporateAction", "CA-1");

        Assert.That(unapproved.Message, Is.EqualTo("corporate action CA-1 is not approved yet: it needs an approver other than the proposer"));
        Assert.That(self.Message, Is.EqualTo("corporate action CA-1 was proposed by the same identity that is approving it; four-eyes approval needs a different approver"));
    }

    [Test]
    public async Task A_split_multiplies_every_holding_atomically()
    {
        var ledger = await HoldersAsync();
        await ledger.OkAsync(Ta, "ProposeCorporateAction", Action("split", "2.5"));
        await ledger.OkAsync(Approver, "ApproveCorporateAction", "CA-1");

        var applied = await ledger.OkAsync<CorporateAction>(Ta, "ApplyCorporateAction", "CA-1", "0");
        var shareClass = await ledger.OkAsync<ShareClass>(Ta, "ReadShareClass", ClassA);

        Assert.That((applied.Status, applied.HoldingsProcessed, applied.UnitsBefore, applied.UnitsAfter), Is.EqualTo((BatchStatus.Completed, 2, 75m, 187.5m)));
        Assert.That((shareClass.UnitsInIssue, shareClass.FrozenBy, shareClass.Status), Is.EqualTo((187.5m, (string?)null, ClassStatus.Open)));
        Assert.That(shareClass.UnitsInIssue, Is.EqualTo(shareClass.UnitsSubscribed + shareClass.UnitsByCorporateActions));
    }

    [Test]
    public async Task A_conversion_in_batches_freezes_both_classes_until_done_then_closes_the_source()
    {
        var ledger = await HoldersAsync();
        await ledger.OkAsync(Ta, "ProposeCorporateAction", Action("conversion", "0.5", ClassB));
        await ledger.OkAsync(Approver, "ApproveCorporateAction", "CA-1");

        var first = await ledger.OkAsync<CorporateAction>(Ta, "ApplyCorporateAction", "CA-1", "1");
        var blocked = await ledger.InvokeAsync(Distributor1, "PlaceSubscription", "O9", "ACC-1", ClassB, "5000", "EUR");
        var second = await ledger.OkAsync<CorporateAction>(Ta, "ApplyCorporateAction", "CA-1", "1");
        var source = await ledger.OkAsync<ShareClass>(Ta, "ReadShareClass", ClassA);
        var target = await ledger.OkAsync<ShareClass>(Ta, "ReadShareClass", ClassB);

        Assert.That((first.Status, second.Status), Is.EqualTo((BatchStatus.InProgress, BatchStatus.Completed)));
        Assert.That(blocked.Message, Is.EqualTo("share class GLOBAL-EQ-B is frozen while corporate action CA-1 is applied; finish it with ApplyCorporateAction first"));
        Assert.That((source.Status, source.UnitsInIssue, target.UnitsInIssue), Is.EqualTo((ClassStatus.Closed, 0m, 37.5m)));
        Assert.That((await ledger.OkAsync<Holding>(Ta, "ReadHolding", "ACC-2", ClassB)).Units, Is.EqualTo(12.5m));
    }

    [Test]
    public async Task A_merger_needs_a_class_of_another_fund()
    {
        var ledger = await HoldersAsync();

        var refused = await ledger.InvokeAsync(Ta, "ProposeCorporateAction", Action("merger", "1", ClassB));

        Assert.That(refused.Message, Is.EqualTo("a merger moves holders into another fund; use a conversion within a fund"));
    }

    [Test]
    public async Task A_merger_moves_holders_into_the_other_funds_class()
    {
        var ledger = await HoldersAsync();
        await ledger.OkAsync(Ta, "CreateFund", "NEW-FUND", "New Fund", "[]");
        await ledger.OkAsync(Ta, "CreateShareClass", """{"classId":"NEW-A","fundId":"NEW-FUND","isin":"LU0290358497","currency":"EUR","unitDecimals":2}""");
        await ledger.OkAsync(Ta, "ProposeCorporateAction", Action("merger", "1.2345", "NEW-A"));
        await ledger.OkAsync(Approver, "ApproveCorporateAction", "CA-1");

        var applied = await ledger.OkAsync<CorporateAction>(Ta, "ApplyCorporateAction", "CA-1", "0");

        // 50 × 1.2345 = 61.725 → 61.72 and 25 × 1.2345 = 30.8625 → 30.86 (truncated to the target's 2 decimals).
        Assert.That(applied.UnitsAfter, Is.EqualTo(92.58m));
        Assert.That((await ledger.OkAsync<Holding>(Ta, "ReadHolding", "ACC-1", "NEW-A")).Units, Is.EqualTo(61.72m));
    }

    [Test]
    public async Task A_corporate_action_waits_for_open_orders_to_finish()
    {
        var ledger = await HoldersAsync();
        await ledger.OkAsync(Distributor1, "PlaceRedemptionByUnits", "R1", "ACC-1", ClassA, "5");
        await ledger.OkAsync(Ta, "ProposeCorporateAction", Action("split", "2"));
        await ledger.OkAsync(Approver, "ApproveCorporateAction", "CA-1");

        var refused = await ledger.InvokeAsync(Ta, "ApplyCorporateAction", "CA-1", "0");

        Assert.That(refused.Message, Is.EqualTo("share class GLOBAL-EQ-A has open order R1: settle, fail or cancel its orders before applying corporate action CA-1"));
    }

    [TestCase("split", "0", "", "the ratio (new units per old unit) must be positive, not 0")]
    [TestCase("split", "1", "", "a split ratio of 1 changes nothing")]
    [TestCase("conversion", "1", "", "a conversion needs a target class")]
    [TestCase("conversion", "1", "NOPE", "share class NOPE does not exist")]
    public async Task Bad_corporate_actions_are_refused(string kind, string ratio, string target, string message)
    {
        var ledger = await HoldersAsync();

        var refused = await ledger.InvokeAsync(Ta, "ProposeCorporateAction", Action(kind, ratio, target));

        Assert.That(refused.Message, Is.EqualTo(message));
    }

    /// <summary>ACC-1 holds 50 and ACC-2 25 units of class A; the clock is Thursday 5 March, the effective date.</summary>
    private static async Task<TransferAgencyLedger> HoldersAsync()
    {
        var ledger = await new TransferAgencyLedger().WithFundAndAccountsAsync();
        await ledger.OkAsync(Distributor1, "PlaceSubscription", "O1", "ACC-1", ClassA, "5000", "EUR");
        await ledger.OkAsync(Distributor2, "PlaceSubscription", "O2", "ACC-2", ClassA, "2500", "EUR");
        await ledger.PriceAndDealAsync(ClassA, "2026-03-02", 100m);
        await ledger.SettleAsync("2026-03-04");
        ledger.Stub.Timestamp = new DateTimeOffset(2026, 3, 5, 9, 0, 0, TimeSpan.Zero);
        return ledger;
    }
}
