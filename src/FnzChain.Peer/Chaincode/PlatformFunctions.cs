using System.Text;
using System.Text.Json;
using FnzChain.Chaincode;

namespace FnzChain.Peer.Chaincode;

/// <summary>
/// Functions the peer answers itself on any chaincode's namespace, without running the chaincode: their names
/// start with <c>fnz:</c>, which no contract method can have. Endorsed, ordered and validated like any transaction
/// of that chaincode (its endorsement policy applies).
/// </summary>
/// <remarks>
/// <c>fnz:PurgePrivateData(collection, key, reason)</c> is the compliance erasure of one private key (what
/// <c>fnzchain private purge</c> submits): allowed only to an identity whose certificate carries the attribute
/// <c>fnz.role=compliance</c> and whose organisation is a member of the collection; the key must exist. The
/// transaction is its own audit record — creator (who), proposal timestamp (when), arguments (which key, why) —
/// and it emits the event <c>fnz.PrivateDataPurged</c> carrying the same, never the value.
/// </remarks>
internal static class PlatformFunctions
{
    public const string PurgePrivateData = "fnz:PurgePrivateData";
    public const string PurgedEvent = "fnz.PrivateDataPurged";
    public const string RoleAttribute = "fnz.role";
    public const string ComplianceRole = "compliance";
    public const int MaxReasonLength = 1000;

    /// <summary>True when the invocation names a platform function (first argument starts with <c>fnz:</c>).</summary>
    public static bool Handles(IReadOnlyList<byte[]> args) => args.Count > 0 && args[0].AsSpan().StartsWith("fnz:"u8);

    public static async Task<ChaincodeResponse> InvokeAsync(string chaincode, IChaincodeStub stub, CollectionAccess collections, IReadOnlyList<byte[]> args)
    {
        var name = Encoding.UTF8.GetString(args[0]);
        try
        {
            return name switch
            {
                PurgePrivateData => await PurgeAsync(chaincode, stub, collections, args).ConfigureAwait(false),
                _ => ChaincodeResponse.Error(400, $"\"{name}\" is not a platform function (there is: {PurgePrivateData})"),
            };
        }
        catch (ChaincodeException refused)
        {
            return ChaincodeResponse.Error(refused.Status, refused.Message);
        }
    }

    private static async Task<ChaincodeResponse> PurgeAsync(string chaincode, IChaincodeStub stub, CollectionAccess collections, IReadOnlyList<byte[]> args)
    {
        if (args.Count != 4)
        {
            throw new ChaincodeException($"{PurgePrivateData} takes 3 arguments (collection, key, reason), not {args.Count - 1}", 400);
        }

        var (collection, key, reason) = (Text(args[1], "collection"), Text(args[2], "key"), Text(args[3], "reason").Trim());
        if (reason.Length is 0 or > MaxReasonLength)
        {
            throw new ChaincodeException($"{PurgePrivateData}: a reason of 1 to {MaxReasonLength} characters is required", 400);
        }

        var creator = stub.Creator;
        if (creator.GetAttribute(RoleAttribute) != ComplianceRole)
        {
            throw new ChaincodeException($"{PurgePrivateData} is for compliance: {creator.MspId} identity \"{creator.Subject}\" does not carry {RoleAttribute}={ComplianceRole}", 403);
        }

        collections.Require(collection);
        if (!collections.IsMember(collection, creator.MspId))
        {
            throw new ChaincodeException($"{PurgePrivateData}: {creator.MspId} is not a member of collection {collection}, so its compliance staff may not purge it", 403);
        }

        if (await stub.GetPrivateDataHashAsync(collection, key).ConfigureAwait(false) is null)
        {
            throw new ChaincodeException($"{PurgePrivateData}: collection {collection} of {chaincode} has no key \"{FnzChain.Ledger.State.StateLimits.Printable(key)}\" (nothing to purge)", 404);
        }

        await stub.PurgePrivateDataAsync(collection, key).ConfigureAwait(false);
        var record = JsonSerializer.SerializeToUtf8Bytes(new PurgeRecord(chaincode, collection, key, reason, creator.MspId, creator.Subject, stub.TxId, stub.Timestamp), ContractDispatcher.Json);
        stub.SetEvent(PurgedEvent, record);
        return ChaincodeResponse.Success(record);
    }

    private static string Text(byte[] argument, string what)
    {
        try
        {
            var text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(argument);
            return text.Length > 0 ? text : throw new ChaincodeException($"{PurgePrivateData}: the {what} is empty", 400);
        }
        catch (DecoderFallbackException)
        {
            throw new ChaincodeException($"{PurgePrivateData}: the {what} is not UTF-8", 400);
        }
    }

    /// <summary>What a purge records, in its response and its event: who, when, which key and why — never the value.</summary>
    public sealed record PurgeRecord(string Chaincode, string Collection, string Key, string Reason, string MspId, string Subject, string TxId, DateTimeOffset At);
}
