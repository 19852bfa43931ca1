using FnzChain.Chaincode;
using FnzChain.TransferAgency.Access;
using FnzChain.TransferAgency.Funds;
using FnzChain.TransferAgency.State;

namespace FnzChain.TransferAgency;

/// <summary>Funds and share classes.</summary>
public sealed partial class TransferAgencyContract
{
    /// <summary>Creates a fund with its holiday calendar (JSON array of yyyy-MM-dd dates). Transfer agent.</summary>
    public async Task<Fund> CreateFund(string fundId, string name, List<DateOnly>? holidays)
    {
        await AuthoriseAsync(nameof(CreateFund), Role.TransferAgent);
        fundId = Text.Id(fundId, "fund id");
        if (await State.ExistsAsync(Keys.Of(Keys.Fund, fundId)))
        {
            throw new ChaincodeException($"fund {fundId} already exists", 409);
        }

        var fund = new Fund(fundId, Text.Required(name, "fund name"), (holidays ?? []).Distinct().Order().ToList());
        await State.WriteAsync(Keys.Of(Keys.Fund, fundId), fund);
        Emit("FundCreated", fund);
        return fund;
    }

    /// <summary>Creates a share class of an existing fund, status open. Transfer agent.</summary>
    public async Task<ShareClass> CreateShareClass(ShareClassDefinition definition)
    {
        await AuthoriseAsync(nameof(CreateShareClass), Role.TransferAgent);
        ArgumentNullException.ThrowIfNull(definition);
        var classId = Text.Id(definition.ClassId, "share class id");
        _ = await FundAsync(Text.Id(definition.FundId, "fund id"));
        if (await State.ExistsAsync(Keys.Of(Keys.ShareClass, classId)))
        {
            throw new ChaincodeException($"share class {classId} already exists", 409);
        }

        if (Isin.Problem(definition.Isin) is { } isinProblem)
        {
            throw new ChaincodeException($"ISIN \"{definition.Isin}\" of share class {classId} is not valid: {isinProblem}", 400);
        }

        await EnsureIsinUnusedAsync(definition.Isin);
        if (!Currencies.IsKnown(definition.Currency))
        {
            throw new ChaincodeException($"currency \"{definition.Currency}\" of share class {classId} is not a supported ISO 4217 code ({Currencies.List})", 400);
        }

        Check(definition.UnitDecimals is >= 0 and <= 6, $"unit decimals of share class {classId} must be 0–6, not {definition.UnitDecimals}");
        Check(definition.SettlementDays is >= 0 and <= 10, $"settlement cycle of share class {classId} must be T+0 to T+10, not T+{definition.SettlementDays}");
        Check(definition.MinimumSubscription >= 0, $"minimum subscription of share class {classId} must not be negative");
        Check(definition.EntryFeeRate is >= 0 and < 1 && definition.ExitFeeRate is >= 0 and < 1, $"fee rates of share class {classId} are fractions from 0 up to 1 (0.02 = 2 %)");
        Check(definition.FourEyesThreshold is null or > 0, $"four-eyes threshold of share class {classId} must be positive (or absent)");
        Check(definition.DealingDay is not (DayOfWeek.Saturday or DayOfWeek.Sunday), $"weekly dealing day of share class {classId} must be a weekday");

        var shareClass = new ShareClass { Definition = definition with { ClassId = classId } };
        await SaveClassAsync(shareClass);
        Emit("ShareClassCreated", shareClass);
        return shareClass;
    }

    /// <summary>Opens, soft-closes or closes a share class ("open", "soft-closed", "closed"). Transfer agent.</summary>
    public async Task<ShareClass> SetShareClassStatus(string classId, string status)
    {
        await AuthoriseAsync(nameof(SetShareClassStatus), Role.TransferAgent);
        var shareClass = await ClassAsync(classId) with { Status = Text.ParseEnum<ClassStatus>(status, "share class status") };
        await SaveClassAsync(shareClass);
        Emit("ShareClassStatusChanged", new { classId, status = shareClass.Status });
        return shareClass;
    }

    /// <summary>A fund (any caller with a role).</summary>
    public async Task<Fund> ReadFund(string fundId)
    {
        await AuthoriseAnyRoleAsync(nameof(ReadFund));
        return await FundAsync(fundId);
    }

    /// <summary>A share class with its counters (any caller with a role).</summary>
    public async Task<ShareClass> ReadShareClass(string classId)
    {
        await AuthoriseAnyRoleAsync(nameof(ReadShareClass));
        return await ClassAsync(classId);
    }

    /// <summary>The share classes of a fund (any caller with a role).</summary>
    public async Task<List<ShareClass>> ListShareClasses(string fundId)
    {
        await AuthoriseAnyRoleAsync(nameof(ListShareClasses));
        _ = await FundAsync(fundId);
        var classes = new List<ShareClass>();
        await foreach (var (_, shareClass) in State.ScanAsync<ShareClass>(Keys.ShareClass, []))
        {
            if (shareClass.Definition.FundId == fundId)
            {
                classes.Add(shareClass);
            }
        }

        return classes;
    }

    private Task<Caller> AuthoriseAnyRoleAsync(string transaction) => AuthoriseAsync(transaction, Enum.GetValues<Role>());

    private async Task EnsureIsinUnusedAsync(string isin)
    {
        await foreach (var (_, existing) in State.ScanAsync<ShareClass>(Keys.ShareClass, []))
        {
            if (existing.Definition.Isin == isin)
            {
                throw new ChaincodeException($"ISIN {isin} already identifies share class {existing.ClassId}", 409);
            }
        }
    }

    private static void Check(bool condition, string message)
    {
        if (!condition)
        {
            throw new ChaincodeException(message, 400);
        }
    }
}
