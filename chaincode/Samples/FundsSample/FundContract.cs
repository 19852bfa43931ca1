using System.Security.Cryptography;
using System.Text.Json;
using FnzChain.Chaincode;

namespace FnzChain.Samples.Funds;

/// <summary>A fund with its latest net asset value per share.</summary>
public sealed record Fund(string Id, string Name, decimal Nav, string Currency);

/// <summary>The public part of an investor: no personal data, only that it exists, its hash, and any erasure.</summary>
public sealed record Investor(string Id, string PersonalDataHash, string? ErasedBy = null, DateTimeOffset? ErasedAt = null, string? ErasureReason = null);

/// <summary>The hash of a fund's private terms, as recorded on the ledger.</summary>
public sealed record TermsRecord(string FundId, string TermsSha256);

/// <summary>
/// A minimal fund register: create funds, publish NAVs, record private terms by hash, read and list them; and
/// investors whose personal data lives only in the private collection <see cref="PersonalCollection"/> (passed as
/// transient data "personal", never as an argument) and can be erased for GDPR.
/// </summary>
public sealed class FundContract : Contract
{
    public async Task<Fund> CreateFund(string id, string name, decimal nav, string currency)
    {
        if (await Stub.GetStateAsync(Key(id)) is not null)
        {
            throw new ChaincodeException($"fund {id} already exists", 409);
        }

        var fund = new Fund(id, name, nav, currency);
        await Save(fund);
        Stub.SetEvent("FundCreated", JsonSerializer.SerializeToUtf8Bytes(fund, ContractDispatcher.Json));
        return fund;
    }

    public async Task<Fund> PublishNav(string id, decimal nav)
    {
        if (nav <= 0)
        {
            throw new ChaincodeException($"NAV of fund {id} must be positive, not {nav}", 400);
        }

        var fund = await ReadFund(id) with { Nav = nav };
        await Save(fund);
        Stub.SetEvent("NavPublished", JsonSerializer.SerializeToUtf8Bytes(fund, ContractDispatcher.Json));
        return fund;
    }

    /// <summary>
    /// Records a fund's private terms without putting them on the ledger: the terms arrive as transient data
    /// (<c>terms</c>), only their SHA-256 is stored and returned, so every endorser computes the same result.
    /// </summary>
    public async Task<TermsRecord> RecordTerms(string id)
    {
        if (!Stub.Transient.TryGetValue("terms", out var terms))
        {
            throw new ChaincodeException($"the terms of fund {id} must be passed as transient data \"terms\"", 400);
        }

        _ = await ReadFund(id);
        var record = new TermsRecord(id, Convert.ToHexStringLower(SHA256.HashData(terms)));
        await Stub.PutStateAsync(CompositeKey.Create("terms", id), JsonSerializer.SerializeToUtf8Bytes(record, ContractDispatcher.Json));
        return record;
    }

    public async Task<Fund> ReadFund(string id) =>
        await Stub.GetStateAsync(Key(id)) is { } bytes
            ? JsonSerializer.Deserialize<Fund>(bytes, ContractDispatcher.Json)!
            : throw new ChaincodeException($"fund {id} does not exist", 404);

    public async Task<List<Fund>> ListFunds()
    {
        var funds = new List<Fund>();
        await foreach (var entry in Stub.GetStateByPartialCompositeKeyAsync("fund", []))
        {
            funds.Add(JsonSerializer.Deserialize<Fund>(entry.Value, ContractDispatcher.Json)!);
        }

        return funds;
    }

    /// <summary>The private data collection holding investors' personal data.</summary>
    public const string PersonalCollection = "investorPII";

    /// <summary>Registers investor <paramref name="id"/> with the personal data in transient field "personal".</summary>
    public async Task<Investor> RegisterInvestor(string id)
    {
        if (!Stub.Transient.TryGetValue("personal", out var personal) || personal.Length == 0)
        {
            throw new ChaincodeException("personal data must be passed as transient data \"personal\", never as an argument", 400);
        }

        if (await Stub.GetStateAsync(InvestorKey(id)) is not null)
        {
            throw new ChaincodeException($"investor {id} already exists", 409);
        }

        await Stub.PutPrivateDataAsync(PersonalCollection, InvestorKey(id), personal);
        var investor = new Investor(id, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(personal)));
        await Stub.PutStateAsync(InvestorKey(id), JsonSerializer.SerializeToUtf8Bytes(investor, ContractDispatcher.Json));
        Stub.SetEvent("InvestorRegistered", JsonSerializer.SerializeToUtf8Bytes(new { id }, ContractDispatcher.Json));
        return investor;
    }

    /// <summary>Replaces investor <paramref name="id"/>'s personal data (transient field "personal").</summary>
    public async Task UpdateInvestor(string id)
    {
        if (!Stub.Transient.TryGetValue("personal", out var personal) || personal.Length == 0)
        {
            throw new ChaincodeException("personal data must be passed as transient data \"personal\"", 400);
        }

        var investor = await ReadInvestor(id);
        await Stub.PutPrivateDataAsync(PersonalCollection, InvestorKey(id), personal);
        await Stub.PutStateAsync(InvestorKey(id), JsonSerializer.SerializeToUtf8Bytes(investor with { PersonalDataHash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(personal)) }, ContractDispatcher.Json));
    }

    public async Task<Investor> ReadInvestor(string id) =>
        await Stub.GetStateAsync(InvestorKey(id)) is { } bytes
            ? JsonSerializer.Deserialize<Investor>(bytes, ContractDispatcher.Json)!
            : throw new ChaincodeException($"investor {id} does not exist", 404);

    /// <summary>The personal data (member organisations' peers only; evaluate, never submit, so it is not in a block).</summary>
    public async Task<string> ReadPersonalData(string id) =>
        await Stub.GetPrivateDataAsync(PersonalCollection, InvestorKey(id)) is { } bytes
            ? System.Text.Encoding.UTF8.GetString(bytes)
            : throw new ChaincodeException($"no personal data is held for investor {id}", 404);

    /// <summary>GDPR erasure: purges the personal data on every member peer and records who, when and why.</summary>
    public async Task<Investor> EraseInvestor(string id, string reason)
    {
        if (string.IsNullOrWhiteSpace(reason))
        {
            throw new ChaincodeException("an erasure needs a reason", 400);
        }

        var investor = await ReadInvestor(id);
        await Stub.PurgePrivateDataAsync(PersonalCollection, InvestorKey(id));
        var erased = investor with { ErasedBy = Stub.Creator.Id, ErasedAt = Stub.Timestamp, ErasureReason = reason };
        await Stub.PutStateAsync(InvestorKey(id), JsonSerializer.SerializeToUtf8Bytes(erased, ContractDispatcher.Json));
        Stub.SetEvent("InvestorErased", JsonSerializer.SerializeToUtf8Bytes(new { id, reason }, ContractDispatcher.Json));
        return erased;
    }

    /// <summary>
    /// The changes of investor <paramref name="id"/>'s public record (GetHistoryForKey): the personal data appears
    /// there only as its hash, and private data has no history at all.
    /// </summary>
    public async Task<List<Investor?>> InvestorHistory(string id)
    {
        var history = new List<Investor?>();
        await foreach (var change in Stub.GetHistoryForKeyAsync(InvestorKey(id)))
        {
            history.Add(change.IsDelete ? null : JsonSerializer.Deserialize<Investor>(change.Value, ContractDispatcher.Json));
        }

        return history;
    }

    /// <summary>The private data collection for KYC evidence, kept only for the collection's blockToLive.</summary>
    public const string KycCollection = "kycEvidence";

    /// <summary>Records KYC evidence for investor <paramref name="id"/> (transient field "evidence") in <see cref="KycCollection"/>.</summary>
    public async Task RecordKycEvidence(string id)
    {
        if (!Stub.Transient.TryGetValue("evidence", out var evidence) || evidence.Length == 0)
        {
            throw new ChaincodeException("KYC evidence must be passed as transient data \"evidence\"", 400);
        }

        await ReadInvestor(id);
        await Stub.PutPrivateDataAsync(KycCollection, InvestorKey(id), evidence);
    }

    /// <summary>The KYC evidence of investor <paramref name="id"/>, while it lives (member peers only).</summary>
    public async Task<string> ReadKycEvidence(string id) =>
        await Stub.GetPrivateDataAsync(KycCollection, InvestorKey(id)) is { } bytes
            ? System.Text.Encoding.UTF8.GetString(bytes)
            : throw new ChaincodeException($"no KYC evidence is held for investor {id}", 404);

    private static string InvestorKey(string id) => CompositeKey.Create("investor", id);

    private Task Save(Fund fund) => Stub.PutStateAsync(Key(fund.Id), JsonSerializer.SerializeToUtf8Bytes(fund, ContractDispatcher.Json));

    private static string Key(string id) => CompositeKey.Create("fund", id);
}
