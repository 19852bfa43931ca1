using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using FnzChain.Chaincode;

namespace FnzChain.TransferAgency.Investors;

/// <summary>
/// The one place personal data goes. INTERIM IMPLEMENTATION until the private-data issue adds private data
/// collections to <see cref="IChaincodeStub"/>: the data itself is not stored on the ledger at all (it stays
/// with the TA and the distributor off-chain); only a salted SHA-256 commitment to it is kept, under its own
/// key prefix, so a party can later prove which data was on file (<see cref="MatchesAsync"/>). When collections
/// arrive, this class — and only this class — switches to <c>PutPrivateData</c>/<c>GetPrivateData</c>/
/// <c>PurgePrivateData</c> on a collection per distributor whose members are the TA and that distributor,
/// and keeps the hash as the on-ledger commitment (Fabric writes the private data hash itself).
/// </summary>
internal sealed class PersonalDataStore(IChaincodeStub stub)
{
    private const string HashObjectType = "ta.personal-data-hash";

    /// <summary>The collection the data will move to: the TA and the account's distributor are its members.</summary>
    public static string CollectionFor(string distributorMspId) => $"ta-personal-{distributorMspId}";

    /// <summary>Records the personal data of <paramref name="accountId"/> (replacing earlier data).</summary>
    public async Task PutAsync(string accountId, string distributorMspId, PersonalData data, CancellationToken cancellationToken = default)
    {
        _ = CollectionFor(distributorMspId); // the collection write goes here when private data arrives
        var salt = stub.TxId; // deterministic on every endorser, unguessable before the transaction, different per write
        var record = new PersonalDataCommitment(salt, Hash(salt, data));
        await stub.PutStateAsync(Key(accountId), JsonSerializer.SerializeToUtf8Bytes(record, ContractDispatcher.Json), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>True when <paramref name="data"/> is what is on file for the account; false when it differs or nothing is on file.</summary>
    public async Task<bool> MatchesAsync(string accountId, PersonalData data, CancellationToken cancellationToken = default)
    {
        var bytes = await stub.GetStateAsync(Key(accountId), cancellationToken).ConfigureAwait(false);
        if (bytes is null)
        {
            return false;
        }

        var record = JsonSerializer.Deserialize<PersonalDataCommitment>(bytes, ContractDispatcher.Json)!;
        return CryptographicOperations.FixedTimeEquals(Convert.FromHexString(record.Sha256), Convert.FromHexString(Hash(record.Salt, data)));
    }

    /// <summary>Erases the account's personal data (right to erasure). The salted hash left in the ledger's history reveals nothing.</summary>
    public Task EraseAsync(string accountId, CancellationToken cancellationToken = default) =>
        stub.DeleteStateAsync(Key(accountId), cancellationToken);

    private static string Key(string accountId) => CompositeKey.Create(HashObjectType, accountId);

    private static string Hash(string salt, PersonalData data)
    {
        var canonical = JsonSerializer.SerializeToUtf8Bytes(data, ContractDispatcher.Json);
        return Convert.ToHexStringLower(SHA256.HashData([.. Encoding.UTF8.GetBytes(salt), .. canonical]));
    }

    private sealed record PersonalDataCommitment(string Salt, string Sha256);
}
