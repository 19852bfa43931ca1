using System.Text.Json;
using FnzChain.Chaincode;
using FnzChain.TransferAgency.Access;
using FnzChain.TransferAgency.Funds;
using FnzChain.TransferAgency.Investors;
using FnzChain.TransferAgency.Orders;
using FnzChain.TransferAgency.Register;
using FnzChain.TransferAgency.State;

namespace FnzChain.TransferAgency;

/// <summary>
/// The transfer-agency chaincode: funds and share classes, investor accounts, orders dealt at forward NAVs,
/// T+n settlement into the register, four-eyes approvals, distributions, corporate actions, agreements and
/// reports. Split into partial files by business area; docs/transfer-agency.md describes every transaction.
/// Every state-changing transaction sets exactly one event describing its whole effect (Fabric keeps the last).
/// "Now" is always the transaction timestamp, never the machine clock, so every endorser computes the same.
/// </summary>
public sealed partial class TransferAgencyContract : Contract
{
    private const int MaxPageSize = 1000;

    private LedgerState? _state;

    private LedgerState State => _state ??= new LedgerState(Stub);

    /// <summary>The transaction's business date (UTC date of the transaction timestamp).</summary>
    private DateOnly Today => DateOnly.FromDateTime(Stub.Timestamp.UtcDateTime);

    private async Task<Caller> CallerAsync() =>
        Caller.Of(Stub.Creator, await State.ReadAsync<RoleConfiguration>(Keys.Of(Keys.RoleConfiguration, "roles")));

    /// <summary>The caller, refused (403) unless it holds one of <paramref name="roles"/>.</summary>
    private async Task<Caller> AuthoriseAsync(string transaction, params Role[] roles)
    {
        var caller = await CallerAsync();
        caller.Require(transaction, roles);
        return caller;
    }

    private void Emit(string name, object effect) =>
        Stub.SetEvent(name, JsonSerializer.SerializeToUtf8Bytes(effect, effect.GetType(), ContractDispatcher.Json));

    private async Task<Fund> FundAsync(string fundId) =>
        await State.ReadAsync<Fund>(Keys.Of(Keys.Fund, fundId)) ?? throw new ChaincodeException($"fund {fundId} does not exist", 404);

    private async Task<ShareClass> ClassAsync(string classId) =>
        await State.ReadAsync<ShareClass>(Keys.Of(Keys.ShareClass, classId)) ?? throw new ChaincodeException($"share class {classId} does not exist", 404);

    private Task SaveClassAsync(ShareClass shareClass) => State.WriteAsync(Keys.Of(Keys.ShareClass, shareClass.ClassId), shareClass);

    private async Task<DealingCalendar> CalendarAsync(ShareClass shareClass) =>
        new(await FundAsync(shareClass.Definition.FundId), shareClass.Definition);

    private async Task<Account> AccountAsync(string accountId) =>
        await State.ReadAsync<Account>(Keys.Of(Keys.Account, accountId)) ?? throw new ChaincodeException($"account {accountId} does not exist", 404);

    private async Task<Order> OrderAsync(string orderId) =>
        await State.ReadAsync<Order>(Keys.Of(Keys.Order, orderId)) ?? throw new ChaincodeException($"order {orderId} does not exist", 404);

    private Task SaveOrderAsync(Order order) => State.WriteAsync(Keys.Of(Keys.Order, order.OrderId), order);

    private async Task<decimal> HoldingUnitsAsync(string classId, string accountId) =>
        (await State.ReadAsync<Holding>(Keys.Of(Keys.Holding, classId, accountId)))?.Units ?? 0;

    /// <summary>
    /// Changes a holding (the register) by <paramref name="delta"/> units effective on <paramref name="date"/>, records
    /// the movement and keeps the class's units in issue and the counter <paramref name="counted"/> updates.
    /// </summary>
    private async Task AdjustHoldingAsync(string classId, string accountId, decimal delta, DateOnly date, string cause, string reference, Func<ShareClass, ShareClass> counted)
    {
        var key = Keys.Of(Keys.Holding, classId, accountId);
        var holding = await State.ReadAsync<Holding>(key);
        if (holding is null)
        {
            await State.WriteMarkerAsync(Keys.Of(Keys.HoldingByAccount, accountId, classId));
        }

        await State.WriteAsync(key, new Holding(classId, accountId, (holding?.Units ?? 0) + delta));
        await State.WriteAsync(Keys.Of(Keys.Movement, classId, accountId, Keys.Date(date), reference), new Movement(classId, accountId, date, delta, cause, reference, Stub.TxId));
        var shareClass = await ClassAsync(classId);
        await SaveClassAsync(counted(shareClass) with { UnitsInIssue = shareClass.UnitsInIssue + delta });
    }

    /// <summary>Units on the register for an account in a class at the end of <paramref name="date"/>, from its movements.</summary>
    private async Task<decimal> UnitsAtAsync(string classId, string accountId, DateOnly date)
    {
        var units = 0m;
        await foreach (var (_, movement) in State.ScanAsync<Movement>(Keys.Movement, [classId, accountId]))
        {
            if (movement.Date <= date)
            {
                units += movement.Units;
            }
        }

        return units;
    }

    private static int CheckedPageSize(int pageSize) =>
        pageSize is >= 1 and <= MaxPageSize ? pageSize : throw new ChaincodeException($"page size must be between 1 and {MaxPageSize}, not {pageSize}", 400);

    /// <summary>Refuses (409) dealing, settlement or distributions while a corporate action rewrites the class's register.</summary>
    private static void EnsureNotFrozen(ShareClass shareClass)
    {
        if (shareClass.FrozenBy is { } action)
        {
            throw new ChaincodeException($"share class {shareClass.ClassId} is frozen while corporate action {action} is applied; finish it with ApplyCorporateAction first", 409);
        }
    }

    /// <summary>The four-eyes rule: the approver (role checked first by the caller) must be a different identity from the proposer.</summary>
    private static Caller EnsureSecondPairOfEyes(Caller caller, string proposedBy, string what)
    {
        if (string.Equals(caller.Id, proposedBy, StringComparison.Ordinal))
        {
            throw new ChaincodeException($"{what} was proposed by the same identity that is approving it; four-eyes approval needs a different approver", 403);
        }

        return caller;
    }
}
