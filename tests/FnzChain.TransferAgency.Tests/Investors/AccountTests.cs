using System.Text;
using System.Text.Json;
using FnzChain.Chaincode;
using FnzChain.TransferAgency.Investors;
using static FnzChain.TransferAgency.Tests.TransferAgencyLedger;

namespace FnzChain.TransferAgency.Tests.Investors;

/// <summary>Accounts: the public record on the ledger, personal data only as transient data behind the personal-data store.</summary>
public sealed class AccountTests
{
    [Test]
    public async Task Personal_data_never_reaches_public_state_events_or_responses()
    {
        var ledger = await new TransferAgencyLedger().WithFundAndAccountsAsync();
        var personal = Personal("Grace Hopper");

        var opened = await ledger.InvokeWithPersonalDataAsync(Distributor1, personal, "OpenAccount", "ACC-9", "Dist1MSP", "payout");
        var eventText = Encoding.UTF8.GetString(ledger.Stub.LastEvent!.Value.Payload);
        var allState = new StringBuilder();
        await foreach (var entry in ledger.Stub.GetStateByRangeAsync(string.Empty, string.Empty))
        {
            allState.Append(Encoding.UTF8.GetString(entry.Value));
        }

        foreach (var secret in new[] { personal.Name, personal.Address, personal.TaxId, personal.BankAccount, "1815-12-10" })
        {
            Assert.That(Encoding.UTF8.GetString(opened.Payload), Does.Not.Contain(secret));
            Assert.That(eventText, Does.Not.Contain(secret));
            Assert.That(allState.ToString(), Does.Not.Contain(secret));
        }
    }

    [Test]
    public async Task Personal_data_on_file_can_be_verified_against_its_commitment()
    {
        var ledger = await new TransferAgencyLedger().WithFundAndAccountsAsync();

        var same = await ledger.InvokeWithPersonalDataAsync(Distributor1, Personal(), "VerifyPersonalData", "ACC-1");
        var other = await ledger.InvokeWithPersonalDataAsync(Distributor1, Personal() with { TaxId = "ZZ999999Z" }, "VerifyPersonalData", "ACC-1");

        Assert.That((Encoding.UTF8.GetString(same.Payload), Encoding.UTF8.GetString(other.Payload)), Is.EqualTo(("true", "false")));
    }

    [Test]
    public async Task An_account_without_transient_personal_data_is_refused()
    {
        var ledger = await new TransferAgencyLedger().WithFundAndAccountsAsync();

        var refused = await ledger.InvokeWithPersonalDataAsync(Distributor1, null, "OpenAccount", "ACC-9", "Dist1MSP", "payout");

        Assert.That((refused.Status, refused.Message), Is.EqualTo((400, "OpenAccount needs the investor's personal data as transient data under key \"personal\" (never as an argument)")));
    }

    [Test]
    public async Task Incomplete_personal_data_names_the_field_not_the_value()
    {
        var ledger = await new TransferAgencyLedger().WithFundAndAccountsAsync();

        var refused = await ledger.InvokeWithPersonalDataAsync(Distributor1, Personal() with { BankAccount = " " }, "OpenAccount", "ACC-9", "Dist1MSP", "payout");

        Assert.That(refused.Message, Is.EqualTo("personal data field bankAccount is empty"));
    }

    [Test]
    public async Task A_distributor_opens_accounts_only_for_itself()
    {
        var ledger = await new TransferAgencyLedger().WithFundAndAccountsAsync();

        var refused = await ledger.InvokeWithPersonalDataAsync(Distributor1, Personal(), "OpenAccount", "ACC-9", "Dist2MSP", "payout");

        Assert.That((refused.Status, refused.Message), Is.EqualTo((403, "distributor Dist1MSP may open accounts only for itself, not for Dist2MSP (the transfer-agent role may open them for any distributor)")));
    }

    [Test]
    public async Task A_distributor_cannot_read_another_distributors_investor()
    {
        var ledger = await new TransferAgencyLedger().WithFundAndAccountsAsync();

        var refused = await ledger.InvokeAsync(Distributor2, "ReadAccount", "ACC-1");

        Assert.That((refused.Status, refused.Message), Is.EqualTo((403, "account ACC-1 is serviced by distributor Dist1MSP: distributor Dist2MSP may act only for its own investors")));
    }

    [Test]
    public async Task Duplicate_account_ids_are_refused()
    {
        var ledger = await new TransferAgencyLedger().WithFundAndAccountsAsync();

        var refused = await ledger.InvokeWithPersonalDataAsync(Distributor1, Personal(), "OpenAccount", "ACC-1", "Dist1MSP", "payout");

        Assert.That((refused.Status, refused.Message), Is.EqualTo((409, "account ACC-1 already exists")));
    }

    [Test]
    public async Task Compliance_erases_personal_data_only_of_a_closed_account()
    {
        var ledger = await new TransferAgencyLedger().WithFundAndAccountsAsync();

        var refused = await ledger.InvokeAsync(Compliance, "ErasePersonalData", "ACC-1", "GDPR art. 17 request");
        await ledger.OkAsync(Ta, "SetAccountStatus", "ACC-1", "closed");
        var erased = await ledger.OkAsync<Account>(Compliance, "ErasePersonalData", "ACC-1", "GDPR art. 17 request");
        var verified = await ledger.InvokeWithPersonalDataAsync(Compliance, Personal(), "VerifyPersonalData", "ACC-1");
        var reopen = await ledger.InvokeAsync(Ta, "SetAccountStatus", "ACC-1", "active");

        Assert.That(refused.Message, Is.EqualTo("account ACC-1 is active: only the personal data of a closed account may be erased"));
        Assert.That((erased.PersonalDataOnFile, erased.PersonalDataErasedAt), Is.EqualTo((false, (DateTimeOffset?)Monday)));
        Assert.That(Encoding.UTF8.GetString(verified.Payload), Is.EqualTo("false"));
        Assert.That(reopen.Message, Is.EqualTo("account ACC-1 cannot be reopened: its personal data was erased"));
        Assert.That(ledger.Stub.PurgedKeys.Select(k => k.Collection), Is.EqualTo(new[] { "ta-personal-Dist1MSP" }), "erasure is a purge of the distributor's collection");
        Assert.That(ledger.Stub.PrivateState("ta-personal-Dist1MSP").Keys.Any(k => k.Contains("ACC-1", StringComparison.Ordinal)), Is.False);
    }

    [Test]
    public async Task Personal_data_lives_salted_in_the_distributors_private_collection()
    {
        var ledger = await new TransferAgencyLedger().WithFundAndAccountsAsync();
        var personal = Personal("Ada Lovelace");

        await ledger.InvokeWithPersonalDataAsync(Distributor1, personal, "OpenAccount", "ACC-8", "Dist1MSP", "payout");

        var stored = ledger.Stub.PrivateState("ta-personal-Dist1MSP").Single(p => p.Key.Contains("ACC-8", StringComparison.Ordinal));
        var text = Encoding.UTF8.GetString(stored.Value);
        Assert.That(text, Does.Contain("Ada Lovelace").And.Contain("\"salt\""), "the value carries a salt, so its hash on the ledger cannot be guessed");
        Assert.That(stored.Key, Does.Not.Contain("Ada"), "keys are identifiers, never personal data");
        Assert.That(ledger.Stub.PrivateState("ta-personal-Dist2MSP").Keys.Any(k => k.Contains("ACC-8", StringComparison.Ordinal)), Is.False, "another distributor's collection holds nothing of it");
    }

    [TestCase("distributor")]
    [TestCase("transfer-agent")]
    [TestCase("compliance")]
    public async Task Personal_data_is_read_by_the_accounts_distributor_the_transfer_agent_and_compliance_without_its_salt(string role)
    {
        var ledger = await new TransferAgencyLedger().WithFundAndAccountsAsync();
        var reader = role switch { "distributor" => Distributor1, "transfer-agent" => Ta, _ => Compliance };

        var read = await ledger.InvokeAsync(reader, "ReadPersonalData", "ACC-1");

        Assert.That(read.IsSuccess, Is.True, read.Message);
        Assert.That(JsonSerializer.Deserialize<PersonalData>(read.Payload, ContractDispatcher.Json), Is.EqualTo(Personal()));
        Assert.That(Encoding.UTF8.GetString(read.Payload), Does.Not.Contain("salt"), "the salt protects the hash on the ledger; readers do not need it");
    }

    [Test]
    public async Task Another_distributor_may_not_read_an_investors_personal_data()
    {
        var ledger = await new TransferAgencyLedger().WithFundAndAccountsAsync();

        var refused = await ledger.InvokeAsync(Distributor2, "ReadPersonalData", "ACC-1");

        Assert.That((refused.Status, refused.Message), Is.EqualTo((403, "account ACC-1 is serviced by distributor Dist1MSP: distributor Dist2MSP may act only for its own investors")));
    }

    [Test]
    public async Task The_fund_accountant_may_not_read_personal_data()
    {
        var ledger = await new TransferAgencyLedger().WithFundAndAccountsAsync();

        var refused = await ledger.InvokeAsync(Accountant, "ReadPersonalData", "ACC-1");

        Assert.That((refused.Status, refused.Message.StartsWith("ReadPersonalData needs role distributor or transfer-agent or compliance; the caller (FaMSP) holds role fund-accountant", StringComparison.Ordinal)), Is.EqualTo((403, true)), refused.Message);
    }

    [Test]
    public async Task A_peer_outside_the_distributors_collection_cannot_answer_a_read_of_personal_data()
    {
        var ledger = await new TransferAgencyLedger().WithFundAndAccountsAsync();
        ledger.Stub.DefineCollection("ta-personal-Dist1MSP", peerIsMember: false).DefineCollection("ta-personal-Dist2MSP");

        var refused = await ledger.InvokeAsync(Compliance, "ReadPersonalData", "ACC-1");

        Assert.That((refused.Status, refused.Message), Is.EqualTo((403, "this peer is not a member of collection ta-personal-Dist1MSP: its private data is not held here")));
    }

    [Test]
    public async Task Erased_personal_data_reads_as_not_found_with_the_erasure_date()
    {
        var ledger = await new TransferAgencyLedger().WithFundAndAccountsAsync();
        await ledger.OkAsync(Ta, "SetAccountStatus", "ACC-1", "closed");
        await ledger.OkAsync(Compliance, "ErasePersonalData", "ACC-1", "GDPR art. 17 request");

        var read = await ledger.InvokeAsync(Distributor1, "ReadPersonalData", "ACC-1");

        Assert.That((read.Status, read.Message), Is.EqualTo((404, "the personal data of account ACC-1 was erased on 2026-03-02: nothing is on file")));
    }

    [Test]
    public async Task Reading_personal_data_of_an_unknown_account_is_not_found()
    {
        var ledger = await new TransferAgencyLedger().WithFundAndAccountsAsync();

        var read = await ledger.InvokeAsync(Compliance, "ReadPersonalData", "ACC-404");

        Assert.That((read.Status, read.Message), Is.EqualTo((404, "account ACC-404 does not exist")));
    }

    [Test]
    public async Task An_account_holding_units_cannot_be_closed()
    {
        var ledger = await new TransferAgencyLedger().WithFundAndAccountsAsync();
        await ledger.OkAsync(Distributor1, "PlaceSubscription", "ORD-1", "ACC-1", ClassA, "5000", "EUR");

        var refused = await ledger.InvokeAsync(Ta, "SetAccountStatus", "ACC-1", "closed");

        Assert.That(refused.Message, Is.EqualTo("account ACC-1 has open order ORD-1: settle, fail or cancel it before closing the account"));
    }

    [Test]
    public async Task The_account_history_comes_from_the_ledger()
    {
        var ledger = await new TransferAgencyLedger().WithFundAndAccountsAsync();
        await ledger.OkAsync(Distributor1, "SetDistributionInstruction", "ACC-1", "reinvest");

        var history = await ledger.OkAsync<List<FnzChain.TransferAgency.Reports.HistoryEntry>>(Compliance, "GetAccountHistory", "ACC-1");

        Assert.That(history.Select(h => (h.Value!.Value.GetProperty("kyc").GetString(), h.Value.Value.GetProperty("distributionInstruction").GetString())),
            Is.EqualTo(new[] { ("approved", "reinvest"), ("approved", "payout"), ("pending", "payout") }));
    }
}
