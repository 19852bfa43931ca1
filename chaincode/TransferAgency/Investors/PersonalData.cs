using System.Text.Json;
using FnzChain.Chaincode;

namespace FnzChain.TransferAgency.Investors;

/// <summary>
/// An investor's personal data. Arrives only as transient data under <see cref="TransientKey"/> (never as an
/// argument), is never put in public state, events, errors or responses.
/// </summary>
public sealed record PersonalData
{
    /// <summary>The transient-data key the personal data JSON travels under.</summary>
    public const string TransientKey = "personal";

    public required string Name { get; init; }
    public required string Address { get; init; }
    public required DateOnly DateOfBirth { get; init; }
    public required string TaxId { get; init; }
    public required string BankAccount { get; init; }

    /// <summary>Reads and checks the transient personal data; the messages name the missing field, never a value.</summary>
    public static PersonalData FromTransient(IReadOnlyDictionary<string, byte[]> transient, string transaction)
    {
        ArgumentNullException.ThrowIfNull(transient);
        if (!transient.TryGetValue(TransientKey, out var bytes))
        {
            throw new ChaincodeException($"{transaction} needs the investor's personal data as transient data under key \"{TransientKey}\" (never as an argument)", 400);
        }

        PersonalData? data;
        try
        {
            data = JsonSerializer.Deserialize<PersonalData>(bytes, ContractDispatcher.Json);
        }
        catch (JsonException)
        {
            // The exception text may quote the input: keep it out of the response.
            throw new ChaincodeException($"the transient \"{TransientKey}\" data is not valid personal-data JSON (name, address, dateOfBirth, taxId, bankAccount)", 400);
        }

        if (data is null)
        {
            throw new ChaincodeException($"the transient \"{TransientKey}\" data is empty", 400);
        }

        foreach (var (field, value) in new[] { ("name", data.Name), ("address", data.Address), ("taxId", data.TaxId), ("bankAccount", data.BankAccount) })
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                throw new ChaincodeException($"personal data field {field} is empty", 400);
            }
        }

        return data;
    }
}
