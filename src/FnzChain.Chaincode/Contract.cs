namespace FnzChain.Chaincode;

/// <summary>
/// Base of a smart contract. Every public instance method declared on the derived class is a transaction, named
/// by its method name; arguments arrive as strings (a <c>string</c> parameter takes the argument as is, any other
/// type is parsed as JSON) and the return value goes back as the response payload (<c>string</c> as UTF-8,
/// <c>byte[]</c> as is, anything else as JSON; <c>void</c>/<c>Task</c> as empty). Methods may be async. The
/// contract is created for each invocation, so fields do not carry state between transactions: use the stub.
/// </summary>
/// <example>
/// <code>
/// public sealed class FundContract : Contract
/// {
///     public async Task CreateFund(string id, decimal nav)
///     {
///         if (await Stub.GetStateAsync(id) is not null) throw new ChaincodeException($"fund {id} exists", 409);
///         await Stub.PutStateAsync(id, JsonSerializer.SerializeToUtf8Bytes(new { id, nav }));
///     }
///
///     public async Task&lt;string?&gt; ReadFund(string id) =>
///         await Stub.GetStateAsync(id) is { } bytes ? Encoding.UTF8.GetString(bytes) : null;
/// }
/// </code>
/// </example>
public abstract class Contract
{
    private IChaincodeStub? _stub;

    /// <summary>The current transaction's stub.</summary>
    protected IChaincodeStub Stub => _stub ?? throw new InvalidOperationException("the stub is set only while a transaction runs");

    internal void Bind(IChaincodeStub stub) => _stub = stub;
}
