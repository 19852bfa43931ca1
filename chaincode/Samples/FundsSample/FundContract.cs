using System.Security.Cryptography;
using System.Text.Json;
using FnzChain.Chaincode;

namespace FnzChain.Samples.Funds;

/// <summary>A fund with its latest net asset value per share.</summary>
public sealed record Fund(string Id, string Name, decimal Nav, string Currency);

/// <summary>The hash of a fund's private terms, as recorded on the ledger.</summary>
public sealed record TermsRecord(string FundId, string TermsSha256);

/// <summary>A minimal fund register: create funds, publish NAVs, record private terms by hash, read and list them.</summary>
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

    private Task Save(Fund fund) => Stub.PutStateAsync(Key(fund.Id), JsonSerializer.SerializeToUtf8Bytes(fund, ContractDispatcher.Json));

    private static string Key(string id) => CompositeKey.Create("fund", id);
}
