using System.Text.Json;
using FnzChain.Chaincode;

namespace FnzChain.Samples.Funds;

/// <summary>A fund with its latest net asset value per share.</summary>
public sealed record Fund(string Id, string Name, decimal Nav, string Currency);

/// <summary>A minimal fund register: create funds, publish NAVs, read and list them.</summary>
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
