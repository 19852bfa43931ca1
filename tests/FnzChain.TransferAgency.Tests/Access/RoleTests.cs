using static FnzChain.TransferAgency.Tests.TransferAgencyLedger;

namespace FnzChain.TransferAgency.Tests.Access;

/// <summary>Roles come from the certificate's fnz.role attribute and the role configuration's MSP list; every refusal names the role needed.</summary>
public sealed class RoleTests
{
    [Test]
    public async Task The_first_role_configuration_needs_a_transfer_agent_certificate()
    {
        var ledger = new TransferAgencyLedger();

        var refused = await ledger.InvokeAsync(Distributor1, "ConfigureRoles", RoleConfigurationJson);

        Assert.That((refused.Status, refused.Message), Is.EqualTo((403, "ConfigureRoles needs role transfer-agent: the first configuration must be set by an identity whose certificate attribute fnz.role includes transfer-agent")));
    }

    [Test]
    public async Task A_configuration_that_locks_out_the_callers_msp_is_refused()
    {
        var ledger = new TransferAgencyLedger();

        var refused = await ledger.InvokeAsync(Ta, "ConfigureRoles", """{"transfer-agent":["OtherMSP"]}""");

        Assert.That(refused.Message, Does.Contain("must list the caller's MSP TaMSP as transfer-agent"));
    }

    [TestCase("""{"wizard":["TaMSP"]}""", "role \"wizard\" is not one of: transfer-agent, distributor, fund-accountant, approver, compliance")]
    [TestCase("""{"distributor":["Dist1MSP"]}""", "must name the transfer-agent MSP")]
    [TestCase("""{"transfer-agent":[]}""", "role transfer-agent lists no MSP id")]
    [TestCase("not json", "not a JSON object of role → MSP ids")]
    public async Task Bad_role_configurations_are_refused(string json, string message)
    {
        var response = await new TransferAgencyLedger().InvokeAsync(Ta, "ConfigureRoles", json);

        Assert.That(response.Status, Is.EqualTo(400));
        Assert.That(response.Message, Does.Contain(message));
    }

    [Test]
    public async Task Only_the_transfer_agent_changes_an_existing_configuration()
    {
        var ledger = new TransferAgencyLedger();
        await ledger.OkAsync(Ta, "ConfigureRoles", RoleConfigurationJson);

        var refused = await ledger.InvokeAsync(Accountant, "ConfigureRoles", RoleConfigurationJson);

        Assert.That(refused.Message, Does.StartWith("ConfigureRoles needs role transfer-agent; the caller (FaMSP) holds role fund-accountant"));
    }

    [Test]
    public async Task A_claimed_role_counts_only_for_an_msp_listed_for_it()
    {
        var ledger = new TransferAgencyLedger();
        await ledger.OkAsync(Ta, "ConfigureRoles", RoleConfigurationJson);
        var impostor = Identity("ta@dist1.example.com", "Dist1MSP", "transfer-agent,distributor");

        var who = await ledger.OkAsync<CallerRoles>(impostor, "WhoAmI");
        var refused = await ledger.InvokeAsync(impostor, "CreateFund", "F1", "Fund", "[]");

        Assert.That(who.Roles, Is.EqualTo(new[] { "distributor" }));
        Assert.That((refused.Status, refused.Message.StartsWith("CreateFund needs role transfer-agent; the caller (Dist1MSP) holds role distributor", StringComparison.Ordinal)), Is.EqualTo((403, true)));
    }

    [TestCase("CreateFund", new[] { "F1", "Fund", "[]" }, "CreateFund needs role transfer-agent")]
    [TestCase("PublishNav", new[] { ClassA, "2026-03-02", "100", "EUR" }, "PublishNav needs role fund-accountant")]
    [TestCase("DealOrders", new[] { ClassA, "2026-03-02" }, "DealOrders needs role transfer-agent")]
    [TestCase("PlaceSubscription", new[] { "O1", "ACC-1", ClassA, "5000", "EUR" }, "PlaceSubscription needs role distributor or transfer-agent")]
    [TestCase("ApproveOrder", new[] { "O1" }, "ApproveOrder needs role approver")]
    [TestCase("ErasePersonalData", new[] { "ACC-1", "request" }, "ErasePersonalData needs role compliance")]
    [TestCase("GetRegister", new[] { ClassA, "2026-03-02", "10", "" }, "GetRegister needs role transfer-agent or fund-accountant or compliance")]
    [TestCase("SettleOrders", new[] { "2026-03-02" }, "SettleOrders needs role transfer-agent")]
    public async Task Every_refusal_names_the_role_needed(string function, string[] args, string message)
    {
        var ledger = await new TransferAgencyLedger().WithFundAndAccountsAsync();

        var refused = await ledger.InvokeAsync(Outsider, function, args);

        Assert.That(refused.Message, Does.StartWith(message));
        Assert.That(ledger.Stub.LastEvent, Is.Null);
    }

    [Test]
    public async Task A_distributor_is_refused_a_transfer_agent_transaction_with_the_roles_it_holds()
    {
        var ledger = await new TransferAgencyLedger().WithFundAndAccountsAsync();

        var refused = await ledger.InvokeAsync(Distributor1, "SetKycStatus", "ACC-1", "approved");

        Assert.That((refused.Status, refused.Message), Is.EqualTo((403,
            "SetKycStatus needs role transfer-agent or compliance; the caller (Dist1MSP) holds role distributor (roles come from certificate attribute fnz.role for an MSP listed in the role configuration)")));
    }
}
