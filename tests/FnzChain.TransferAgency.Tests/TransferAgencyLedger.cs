using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using FnzChain.Chaincode;
using FnzChain.Chaincode.Testing;
using FnzChain.TransferAgency.Investors;

namespace FnzChain.TransferAgency.Tests;

/// <summary>
/// A transfer-agency ledger in memory with the cast of a real network: a TA, two distributors, a fund accountant,
/// approvers and compliance, each with its own certificate carrying the fnz.role attribute. Business days in
/// March 2026: Monday 2 March is the first dealing date; classes cut off at 12:00 UTC and settle T+2.
/// </summary>
internal sealed class TransferAgencyLedger
{
    public const string RoleConfigurationJson = """
        {"transfer-agent":["TaMSP"],"distributor":["Dist1MSP","Dist2MSP"],"fund-accountant":["FaMSP"],
         "approver":["TaMSP","FaMSP"],"compliance":["TaMSP"]}
        """;

    public static readonly ClientIdentity Ta = Identity("ta@ta.example.com", "TaMSP", "transfer-agent");
    public static readonly ClientIdentity TaApprover = Identity("ta-approver@ta.example.com", "TaMSP", "transfer-agent,approver");
    public static readonly ClientIdentity Approver = Identity("approver@ta.example.com", "TaMSP", "approver");
    public static readonly ClientIdentity Compliance = Identity("compliance@ta.example.com", "TaMSP", "compliance");
    public static readonly ClientIdentity Accountant = Identity("accountant@fa.example.com", "FaMSP", "fund-accountant");
    public static readonly ClientIdentity AccountantApprover = Identity("controller@fa.example.com", "FaMSP", "fund-accountant,approver");
    public static readonly ClientIdentity Distributor1 = Identity("orders@dist1.example.com", "Dist1MSP", "distributor");
    public static readonly ClientIdentity Distributor2 = Identity("orders@dist2.example.com", "Dist2MSP", "distributor");
    public static readonly ClientIdentity Outsider = Identity("user@org1.example.com", "Org1MSP", null);

    public static readonly DateTimeOffset Monday = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    public const string FundId = "GLOBAL-EQ";
    public const string ClassA = "GLOBAL-EQ-A";
    public const string ClassB = "GLOBAL-EQ-B";
    public const string IsinA = "IE00B4L5Y983";
    public const string IsinB = "US0378331005";

    public TransferAgencyLedger() => Stub.Timestamp = Monday;

    public InMemoryChaincodeStub Stub { get; } = new(Ta);

    public ContractDispatcher Contract { get; } = new(typeof(TransferAgencyContract));

    public static PersonalData Personal(string name = "Ada Lovelace") => new()
    {
        Name = name,
        Address = "12 St James's Square, London",
        DateOfBirth = new DateOnly(1815, 12, 10),
        TaxId = "AB123456C",
        BankAccount = "GB33BUKB20201555555555",
    };

    public static string ClassJson(string classId = ClassA, string isin = IsinA, string currency = "EUR", string extra = "") =>
        $$"""{"classId":"{{classId}}","fundId":"{{FundId}}","isin":"{{isin}}","currency":"{{currency}}","cutOff":"12:00:00","settlementDays":2,"minimumSubscription":1000,"unitDecimals":3{{extra}}}""";

    public async Task<ChaincodeResponse> InvokeAsync(ClientIdentity who, string function, params string[] args)
    {
        Stub.Creator = who;
        return await Stub.InvokeAsync(Contract, function, args);
    }

    public async Task<ChaincodeResponse> InvokeWithPersonalDataAsync(ClientIdentity who, PersonalData? personal, string function, params string[] args)
    {
        Stub.Creator = who;
        var transient = personal is null ? null : new Dictionary<string, byte[]> { [PersonalData.TransientKey] = JsonSerializer.SerializeToUtf8Bytes(personal, ContractDispatcher.Json) };
        return await Stub.InvokeAsync(Contract, [Encoding.UTF8.GetBytes(function), .. args.Select(Encoding.UTF8.GetBytes)], transient);
    }

    /// <summary>Runs a transaction that must succeed and returns its result.</summary>
    public async Task<T> OkAsync<T>(ClientIdentity who, string function, params string[] args)
    {
        var response = await InvokeAsync(who, function, args);
        Assert.That(response.IsSuccess, Is.True, $"{function}: {response.Status} {response.Message}");
        return JsonSerializer.Deserialize<T>(response.Payload, ContractDispatcher.Json)!;
    }

    public async Task OkAsync(ClientIdentity who, string function, params string[] args) => await OkAsync<JsonElement>(who, function, args);

    /// <summary>Roles, fund GLOBAL-EQ with classes A (EUR) and B (EUR), and KYC-approved accounts ACC-1 (Dist1) and ACC-2 (Dist2).</summary>
    public async Task<TransferAgencyLedger> WithFundAndAccountsAsync(string classExtra = "")
    {
        await OkAsync(Ta, "ConfigureRoles", RoleConfigurationJson);
        await OkAsync(Ta, "CreateFund", FundId, "Global Equity Fund", """["2026-04-03"]""");
        await OkAsync(Ta, "CreateShareClass", ClassJson(ClassA, IsinA, "EUR", classExtra));
        await OkAsync(Ta, "CreateShareClass", ClassJson(ClassB, IsinB, "EUR"));
        await OpenAccountAsync("ACC-1", Distributor1, "Dist1MSP", "payout");
        await OpenAccountAsync("ACC-2", Distributor2, "Dist2MSP", "reinvest");
        return this;
    }

    public async Task OpenAccountAsync(string accountId, ClientIdentity distributor, string distributorMsp, string instruction)
    {
        var opened = await InvokeWithPersonalDataAsync(distributor, Personal(), "OpenAccount", accountId, distributorMsp, instruction);
        Assert.That(opened.IsSuccess, Is.True, opened.Message);
        await OkAsync(Ta, "SetKycStatus", accountId, "approved");
    }

    /// <summary>Publishes the NAV and deals the class for a date (as the fund accountant and the TA, at 18:00 that day).</summary>
    public async Task<DealingResult> PriceAndDealAsync(string classId, string date, decimal nav)
    {
        Stub.Timestamp = DateTimeOffset.Parse(date + "T18:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        await OkAsync(Accountant, "PublishNav", classId, date, nav.ToString(System.Globalization.CultureInfo.InvariantCulture), "EUR");
        return await OkAsync<DealingResult>(Ta, "DealOrders", classId, date);
    }

    public async Task<SettlementResult> SettleAsync(string date)
    {
        Stub.Timestamp = DateTimeOffset.Parse(date + "T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        return await OkAsync<SettlementResult>(Ta, "SettleOrders", date);
    }

    public static ClientIdentity Identity(string commonName, string mspId, string? roles)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}, OU=client, O={mspId}", key, HashAlgorithmName.SHA256);
        if (roles is not null)
        {
            var attributes = JsonSerializer.SerializeToUtf8Bytes(new { attrs = new Dictionary<string, string> { ["fnz.role"] = roles } });
            request.CertificateExtensions.Add(new X509Extension(ClientIdentity.AttributesExtensionOid, attributes, critical: false));
        }

        return new ClientIdentity(mspId, request.CreateSelfSigned(DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddYears(100)));
    }
}
