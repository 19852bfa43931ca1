using System.Reflection;
using System.Text;
using System.Text.Json;

namespace FnzChain.Chaincode;

/// <summary>
/// Calls a <see cref="Contract"/>'s transaction methods by name with string arguments, as the peer's chaincode
/// runtime and <see cref="Testing.InMemoryChaincodeStub"/> users do. Built once per contract type; every problem
/// of an invocation becomes a <see cref="ChaincodeResponse"/> error naming the function and argument.
/// </summary>
public sealed class ContractDispatcher
{
    /// <summary>JSON conventions for arguments and results: web defaults (camelCase, case-insensitive reads).</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly Func<Contract> _create;
    private readonly Dictionary<string, MethodInfo> _transactions;

    /// <summary>Inspects <paramref name="contractType"/>: its public instance methods become transactions; overloads are refused.</summary>
    public ContractDispatcher(Type contractType)
    {
        ArgumentNullException.ThrowIfNull(contractType);
        if (!typeof(Contract).IsAssignableFrom(contractType) || contractType.IsAbstract)
        {
            throw new ArgumentException($"{contractType.FullName} is not a concrete subclass of {nameof(Contract)}", nameof(contractType));
        }

        var constructor = contractType.GetConstructor(Type.EmptyTypes)
            ?? throw new ArgumentException($"{contractType.FullName} needs a public parameterless constructor", nameof(contractType));
        _create = () => (Contract)constructor.Invoke(null);
        _transactions = new Dictionary<string, MethodInfo>(StringComparer.Ordinal);
        foreach (var method in contractType.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly).Where(m => !m.IsSpecialName))
        {
            if (!_transactions.TryAdd(method.Name, method))
            {
                throw new ArgumentException($"{contractType.FullName} has two transactions named {method.Name}: overloads are not allowed", nameof(contractType));
            }
        }

        ContractType = contractType;
    }

    /// <summary>The contract class.</summary>
    public Type ContractType { get; }

    /// <summary>The transaction names, sorted.</summary>
    public IReadOnlyList<string> Transactions => _transactions.Keys.Order(StringComparer.Ordinal).ToList();

    /// <summary>Runs transaction <c>args[0]</c> with <c>args[1..]</c> against <paramref name="stub"/>.</summary>
    public async Task<ChaincodeResponse> InvokeAsync(IChaincodeStub stub, IReadOnlyList<byte[]> args)
    {
        ArgumentNullException.ThrowIfNull(stub);
        ArgumentNullException.ThrowIfNull(args);
        if (args.Count == 0)
        {
            return ChaincodeResponse.Error(400, "no function name: the first argument names the transaction to run");
        }

        var name = Encoding.UTF8.GetString(args[0]);
        if (!_transactions.TryGetValue(name, out var method))
        {
            return ChaincodeResponse.Error(400, $"{ContractType.Name} has no transaction \"{name}\" (it has: {string.Join(", ", Transactions)})");
        }

        var parameters = method.GetParameters();
        if (args.Count - 1 != parameters.Length)
        {
            return ChaincodeResponse.Error(400,
                $"{name} takes {parameters.Length} argument(s) ({string.Join(", ", parameters.Select(p => p.Name))}), got {args.Count - 1}");
        }

        var values = new object?[parameters.Length];
        for (var i = 0; i < parameters.Length; i++)
        {
            try
            {
                values[i] = Bind(parameters[i].ParameterType, args[i + 1]);
            }
            catch (Exception e) when (e is JsonException or NotSupportedException or ArgumentException)
            {
                return ChaincodeResponse.Error(400, $"argument {parameters[i].Name} of {name} is not a valid {Describe(parameters[i].ParameterType)}: {e.Message}");
            }
        }

        var contract = _create();
        contract.Bind(stub);
        try
        {
            var result = method.Invoke(contract, values);
            if (result is Task task)
            {
                await task.ConfigureAwait(false);
                result = method.ReturnType.IsGenericType ? method.ReturnType.GetProperty("Result")!.GetValue(task) : null;
            }

            return ChaincodeResponse.Success(Serialize(result));
        }
        catch (Exception e)
        {
            var cause = e is TargetInvocationException { InnerException: { } inner } ? inner : e;
            return cause is ChaincodeException refused
                ? ChaincodeResponse.Error(refused.Status, refused.Message)
                : ChaincodeResponse.Error(500, $"{name} failed: {cause.GetType().Name}: {cause.Message}");
        }
    }

    private static object? Bind(Type type, byte[] argument) =>
        type == typeof(string) ? Encoding.UTF8.GetString(argument)
        : type == typeof(byte[]) ? argument
        : JsonSerializer.Deserialize(argument, type, Json);

    private static byte[] Serialize(object? result) => result switch
    {
        null => [],
        string text => Encoding.UTF8.GetBytes(text),
        byte[] bytes => bytes,
        _ => JsonSerializer.SerializeToUtf8Bytes(result, result.GetType(), Json),
    };

    private static string Describe(Type type) => Nullable.GetUnderlyingType(type) is { } inner ? inner.Name + "?" : type.Name;
}
