using System.Security.Cryptography;
using System.Text.Json;
using FnzChain.Chaincode;

namespace FnzChain.TransferAgency.Investors;

/// <summary>
/// The one place personal data goes: a private data collection per distributor, <see cref="CollectionFor"/>,
/// whose members are the transfer agent and that distributor. Only those organisations' peers hold the data;
/// every other peer, the orderer and the blocks see a hash. The stored value is the data with a salt (the tx id
/// of the write: deterministic on every endorser, unguessable beforehand), so the value hash on the ledger
/// cannot be brute-forced from a guessable name or date of birth. Keys are the account id, never personal data.
/// </summary>
internal sealed class PersonalDataStore(IChaincodeStub stub)
{
    /// <summary>The collection holding the personal data of a distributor's accounts (members: the TA and that distributor).</summary>
    public static string CollectionFor(string distributorMspId) => $"ta-personal-{distributorMspId}";

    /// <summary>Records the personal data of <paramref name="accountId"/> (replacing earlier data).</summary>
    public Task PutAsync(string accountId, string distributorMspId, PersonalData data, CancellationToken cancellationToken = default)
    {
        var record = new SaltedPersonalData(stub.TxId, data);
        return stub.PutPrivateDataAsync(CollectionFor(distributorMspId), Key(accountId), JsonSerializer.SerializeToUtf8Bytes(record, ContractDispatcher.Json), cancellationToken);
    }

    /// <summary>
    /// The personal data on file for the account, without its salt; null when nothing is (never written, or erased).
    /// Member peers only: on any other peer the stub refuses the read.
    /// </summary>
    public async Task<PersonalData?> ReadAsync(string accountId, string distributorMspId, CancellationToken cancellationToken = default)
    {
        var bytes = await stub.GetPrivateDataAsync(CollectionFor(distributorMspId), Key(accountId), cancellationToken).ConfigureAwait(false);
        return bytes is null ? null : JsonSerializer.Deserialize<SaltedPersonalData>(bytes, ContractDispatcher.Json)!.Data;
    }

    /// <summary>True when <paramref name="data"/> is what is on file for the account; false when it differs or nothing is on file (member peers only).</summary>
    public async Task<bool> MatchesAsync(string accountId, string distributorMspId, PersonalData data, CancellationToken cancellationToken = default)
    {
        var onFile = await ReadAsync(accountId, distributorMspId, cancellationToken).ConfigureAwait(false);
        return onFile is not null && CryptographicOperations.FixedTimeEquals(
            JsonSerializer.SerializeToUtf8Bytes(onFile, ContractDispatcher.Json),
            JsonSerializer.SerializeToUtf8Bytes(data, ContractDispatcher.Json));
    }

    /// <summary>Erases the account's personal data (right to erasure): a purge, so every member peer removes every version from its files.</summary>
    public Task EraseAsync(string accountId, string distributorMspId, CancellationToken cancellationToken = default) =>
        stub.PurgePrivateDataAsync(CollectionFor(distributorMspId), Key(accountId), cancellationToken);

    private static string Key(string accountId) => CompositeKey.Create("ta.personal", accountId);

    private sealed record SaltedPersonalData(string Salt, PersonalData Data);
}
