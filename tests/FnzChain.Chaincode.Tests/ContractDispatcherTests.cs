using System.Text;
using System.Text.Json;
using FnzChain.Chaincode.Testing;

namespace FnzChain.Chaincode.Tests;

/// <summary>A small contract run through the dispatcher and the in-memory stub, as a chaincode author would test one.</summary>
public sealed class ContractDispatcherTests
{
    public sealed record Fund(string Id, decimal Nav, string Currency);

    public sealed class FundContract : Contract
    {
        public async Task CreateFund(string id, decimal nav, string currency)
        {
            if (await Stub.GetStateAsync(Key(id)) is not null)
            {
                throw new ChaincodeException($"fund {id} already exists", 409);
            }

            var fund = new Fund(id, nav, currency);
            await Stub.PutStateAsync(Key(id), JsonSerializer.SerializeToUtf8Bytes(fund, ContractDispatcher.Json));
            Stub.SetEvent("FundCreated", Encoding.UTF8.GetBytes(id));
        }

        public async Task<Fund> ReadFund(string id) =>
            await Stub.GetStateAsync(Key(id)) is { } bytes
                ? JsonSerializer.Deserialize<Fund>(bytes, ContractDispatcher.Json)!
                : throw new ChaincodeException($"fund {id} does not exist", 404);

        public async Task<List<string>> ListFunds()
        {
            var ids = new List<string>();
            await foreach (var entry in Stub.GetStateByPartialCompositeKeyAsync("fund", []))
            {
                ids.Add(CompositeKey.Split(entry.Key).Attributes[0]);
            }

            return ids;
        }

        public async Task SetNav(Fund update)
        {
            _ = await ReadFund(update.Id);
            await Stub.PutStateAsync(Key(update.Id), JsonSerializer.SerializeToUtf8Bytes(update, ContractDispatcher.Json));
        }

        public async Task<string> ReadThenWrite(string id)
        {
            await Stub.PutStateAsync(Key(id), "new"u8.ToArray());
            return await Stub.GetStateAsync(Key(id)) is null ? "not visible" : "visible";
        }

        public string Who() => $"{Stub.Creator.MspId} {string.Join(",", Stub.Creator.OrganizationalUnits)}";

        public void Fail() => throw new InvalidOperationException("boom");

        private static string Key(string id) => CompositeKey.Create("fund", id);
    }

    private readonly ContractDispatcher _contract = new(typeof(FundContract));
    private InMemoryChaincodeStub _stub = null!;

    [SetUp]
    public void SetUp() => _stub = new InMemoryChaincodeStub();

    [Test]
    public async Task Transactions_run_by_name_with_string_and_json_arguments()
    {
        var created = await _stub.InvokeAsync(_contract, "CreateFund", "F1", "100.25", "EUR");
        var createdEvent = _stub.LastEvent?.Name;
        var read = await _stub.InvokeAsync(_contract, "ReadFund", "F1");

        Assert.That(created.IsSuccess, Is.True, created.Message);
        Assert.That(JsonSerializer.Deserialize<Fund>(read.Payload, ContractDispatcher.Json), Is.EqualTo(new Fund("F1", 100.25m, "EUR")));
        Assert.That(createdEvent, Is.EqualTo("FundCreated"));
    }

    [Test]
    public async Task A_json_object_argument_binds_to_a_record()
    {
        await _stub.InvokeAsync(_contract, "CreateFund", "F1", "100", "EUR");

        var updated = await _stub.InvokeAsync(_contract, "SetNav", """{"id":"F1","nav":101.5,"currency":"EUR"}""");

        Assert.That(updated.IsSuccess, Is.True, updated.Message);
        Assert.That(Encoding.UTF8.GetString((await _stub.InvokeAsync(_contract, "ReadFund", "F1")).Payload), Does.Contain("101.5"));
    }

    [Test]
    public async Task Chaincode_exceptions_become_error_responses_and_write_nothing()
    {
        await _stub.InvokeAsync(_contract, "CreateFund", "F1", "100", "EUR");

        var again = await _stub.InvokeAsync(_contract, "CreateFund", "F1", "999", "USD");
        var missing = await _stub.InvokeAsync(_contract, "ReadFund", "F9");

        Assert.That((again.Status, again.Message), Is.EqualTo((409, "fund F1 already exists")));
        Assert.That((missing.Status, missing.Message), Is.EqualTo((404, "fund F9 does not exist")));
        Assert.That(Encoding.UTF8.GetString((await _stub.InvokeAsync(_contract, "ReadFund", "F1")).Payload), Does.Contain("EUR"));
    }

    [TestCase(new[] { "Nope" }, 400, "FundContract has no transaction \"Nope\" (it has: CreateFund, Fail, ListFunds, ReadFund, ReadThenWrite, SetNav, Who)")]
    [TestCase(new[] { "CreateFund", "F1" }, 400, "CreateFund takes 3 argument(s) (id, nav, currency), got 1")]
    [TestCase(new[] { "CreateFund", "F1", "lots", "EUR" }, 400, "argument nav of CreateFund is not a valid Decimal")]
    [TestCase(new[] { "Fail" }, 500, "Fail failed: InvalidOperationException: boom")]
    public async Task Bad_invocations_name_the_function_and_argument(string[] args, int status, string message)
    {
        var response = await _stub.InvokeAsync(_contract, args[0], args[1..]);

        Assert.That(response.Status, Is.EqualTo(status));
        Assert.That(response.Message, Does.StartWith(message));
    }

    [Test]
    public async Task Reads_do_not_see_the_transactions_own_writes()
    {
        var response = await _stub.InvokeAsync(_contract, "ReadThenWrite", "F1");

        Assert.That(Encoding.UTF8.GetString(response.Payload), Is.EqualTo("not visible"));
    }

    [Test]
    public async Task Partial_composite_key_queries_list_in_key_order()
    {
        foreach (var id in new[] { "F3", "F1", "F2" })
        {
            await _stub.InvokeAsync(_contract, "CreateFund", id, "1", "EUR");
        }

        var list = await _stub.InvokeAsync(_contract, "ListFunds");

        Assert.That(JsonSerializer.Deserialize<string[]>(list.Payload), Is.EqualTo(new[] { "F1", "F2", "F3" }));
    }

    [Test]
    public async Task History_lists_changes_newest_first()
    {
        await _stub.InvokeAsync(_contract, "CreateFund", "F1", "100", "EUR");
        await _stub.InvokeAsync(_contract, "SetNav", """{"id":"F1","nav":101,"currency":"EUR"}""");
        var history = new List<KeyModification>();

        await foreach (var change in _stub.GetHistoryForKeyAsync(CompositeKey.Create("fund", "F1")))
        {
            history.Add(change);
        }

        Assert.That(history.Select(h => Encoding.UTF8.GetString(h.Value).Contains("101", StringComparison.Ordinal)), Is.EqualTo(new[] { true, false }));
    }

    [Test]
    public async Task The_creator_is_available_to_the_contract()
    {
        var who = await _stub.InvokeAsync(_contract, "Who");

        Assert.That(Encoding.UTF8.GetString(who.Payload), Is.EqualTo("Org1MSP client"));
    }

    [Test]
    public void Contracts_with_overloaded_transactions_are_refused()
    {
        Assert.That(() => new ContractDispatcher(typeof(Overloaded)), Throws.ArgumentException.With.Message.Contain("two transactions named Do"));
    }

    [Test]
    public void Composite_keys_round_trip_and_refuse_separators()
    {
        var key = CompositeKey.Create("holding", "investor-1", "F1");

        Assert.That(CompositeKey.Split(key), Is.EqualTo(("holding", (IReadOnlyList<string>)new[] { "investor-1", "F1" })).Using<(string, IReadOnlyList<string>)>((a, b) => a.Item1 == b.Item1 && a.Item2.SequenceEqual(b.Item2)));
        Assert.That(() => CompositeKey.Create("holding", "bad\0"), Throws.ArgumentException);
    }

    public sealed class Overloaded : Contract
    {
        public void Do()
        {
        }

        public void Do(string x) => _ = x;
    }
}
