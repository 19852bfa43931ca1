using FnzChain.Chaincode;
using FnzChain.TransferAgency.Access;
using FnzChain.TransferAgency.Investors;
using FnzChain.TransferAgency.State;

namespace FnzChain.TransferAgency;

/// <summary>Investor accounts: the public record here, personal data only through <see cref="PersonalDataStore"/>.</summary>
public sealed partial class TransferAgencyContract
{
    /// <summary>
    /// Opens an account serviced by <paramref name="distributorMspId"/> (a distributor may open accounts only for itself;
    /// the TA for any distributor), KYC pending. Personal data comes as transient data under "personal".
    /// </summary>
    public async Task<Account> OpenAccount(string accountId, string distributorMspId, string distributionInstruction)
    {
        var caller = await AuthoriseAsync(nameof(OpenAccount), Role.Distributor, Role.TransferAgent);
        accountId = Text.Id(accountId, "account id");
        distributorMspId = Text.Required(distributorMspId, "distributor MSP id");
        if (!caller.Has(Role.TransferAgent) && distributorMspId != caller.MspId)
        {
            throw new ChaincodeException($"distributor {caller.MspId} may open accounts only for itself, not for {distributorMspId} (the transfer-agent role may open them for any distributor)", 403);
        }

        var roles = await State.ReadAsync<RoleConfiguration>(Keys.Of(Keys.RoleConfiguration, "roles"));
        if (roles?.MspsFor(Role.Distributor).Contains(distributorMspId, StringComparer.Ordinal) != true)
        {
            throw new ChaincodeException($"{distributorMspId} is not a distributor in the role configuration", 400);
        }

        if (await State.ExistsAsync(Keys.Of(Keys.Account, accountId)))
        {
            throw new ChaincodeException($"account {accountId} already exists", 409);
        }

        var instruction = Text.ParseEnum<DistributionInstruction>(distributionInstruction, "distribution instruction");
        var personal = PersonalData.FromTransient(Stub.Transient, nameof(OpenAccount));
        await new PersonalDataStore(Stub).PutAsync(accountId, distributorMspId, personal);
        var account = new Account
        {
            AccountId = accountId,
            Distributor = distributorMspId,
            DistributionInstruction = instruction,
            OpenedAt = Stub.Timestamp,
            PersonalDataOnFile = true,
        };
        await SaveAccountAsync(account);
        Emit("AccountOpened", account);
        return account;
    }

    /// <summary>Replaces the account's personal data (transient "personal"). The account's distributor or the TA.</summary>
    public async Task<Account> UpdatePersonalData(string accountId)
    {
        var account = await ServicedAccountAsync(nameof(UpdatePersonalData), accountId);
        if (account.PersonalDataErasedAt is not null)
        {
            throw new ChaincodeException($"the personal data of account {accountId} was erased; the account stays closed", 409);
        }

        await new PersonalDataStore(Stub).PutAsync(accountId, account.Distributor, PersonalData.FromTransient(Stub.Transient, nameof(UpdatePersonalData)));
        Emit("PersonalDataUpdated", new { accountId });
        return account;
    }

    /// <summary>Whether the transient "personal" data is exactly what is on file for the account. The account's distributor, the TA or compliance.</summary>
    public async Task<bool> VerifyPersonalData(string accountId)
    {
        var account = await ServicedAccountAsync(nameof(VerifyPersonalData), accountId, Role.Compliance);
        return await new PersonalDataStore(Stub).MatchesAsync(account.AccountId, account.Distributor, PersonalData.FromTransient(Stub.Transient, nameof(VerifyPersonalData)));
    }

    /// <summary>
    /// The personal data on file for the account (no salt). The account's distributor, the TA or compliance, on a peer
    /// of a member of the distributor's collection (any other peer holds only its hash and refuses). Evaluate it,
    /// never submit it: a submitted transaction's response is in the block that every node stores.
    /// </summary>
    public async Task<PersonalData> ReadPersonalData(string accountId)
    {
        var account = await ServicedAccountAsync(nameof(ReadPersonalData), accountId, Role.Compliance);
        return await new PersonalDataStore(Stub).ReadAsync(account.AccountId, account.Distributor)
            ?? throw new ChaincodeException(account.PersonalDataErasedAt is { } erasedAt
                ? $"the personal data of account {accountId} was erased on {erasedAt:yyyy-MM-dd}: nothing is on file"
                : $"no personal data is on file for account {accountId}", 404);
    }

    /// <summary>Records the KYC outcome ("pending", "approved", "rejected"). Transfer agent or compliance.</summary>
    public async Task<Account> SetKycStatus(string accountId, string status)
    {
        await AuthoriseAsync(nameof(SetKycStatus), Role.TransferAgent, Role.Compliance);
        var account = await AccountAsync(accountId) with { Kyc = Text.ParseEnum<KycStatus>(status, "KYC status") };
        await SaveAccountAsync(account);
        Emit("KycStatusChanged", new { accountId, kyc = account.Kyc });
        return account;
    }

    /// <summary>Activates, blocks or closes an account ("active", "blocked", "closed"). Transfer agent; closing needs no units and no open orders.</summary>
    public async Task<Account> SetAccountStatus(string accountId, string status)
    {
        await AuthoriseAsync(nameof(SetAccountStatus), Role.TransferAgent);
        var account = await AccountAsync(accountId);
        var newStatus = Text.ParseEnum<AccountStatus>(status, "account status");
        if (account.PersonalDataErasedAt is not null && newStatus != AccountStatus.Closed)
        {
            throw new ChaincodeException($"account {accountId} cannot be reopened: its personal data was erased", 409);
        }

        if (newStatus == AccountStatus.Closed)
        {
            await EnsureNothingOpenAsync(accountId);
        }

        account = account with { Status = newStatus };
        await SaveAccountAsync(account);
        Emit("AccountStatusChanged", new { accountId, status = account.Status });
        return account;
    }

    /// <summary>Sets whether distributions are paid out or reinvested ("payout", "reinvest"). The account's distributor or the TA.</summary>
    public async Task<Account> SetDistributionInstruction(string accountId, string instruction)
    {
        var account = await ServicedAccountAsync(nameof(SetDistributionInstruction), accountId);
        account = account with { DistributionInstruction = Text.ParseEnum<DistributionInstruction>(instruction, "distribution instruction") };
        await SaveAccountAsync(account);
        Emit("DistributionInstructionChanged", new { accountId, instruction = account.DistributionInstruction });
        return account;
    }

    /// <summary>Erases the personal data of a closed account (right to erasure), keeping the public record. Compliance.</summary>
    public async Task<Account> ErasePersonalData(string accountId, string reason)
    {
        await AuthoriseAsync(nameof(ErasePersonalData), Role.Compliance);
        reason = Text.Required(reason, "erasure reason");
        var account = await AccountAsync(accountId);
        if (account.Status != AccountStatus.Closed)
        {
            throw new ChaincodeException($"account {accountId} is {Text.Name(account.Status)}: only the personal data of a closed account may be erased", 409);
        }

        await new PersonalDataStore(Stub).EraseAsync(accountId, account.Distributor);
        account = account with { PersonalDataOnFile = false, PersonalDataErasedAt = Stub.Timestamp };
        await SaveAccountAsync(account);
        Emit("PersonalDataErased", new { accountId, reason });
        return account;
    }

    /// <summary>The public account record. The account's distributor, the TA, compliance or the fund accountant.</summary>
    public Task<Account> ReadAccount(string accountId) => ServicedAccountAsync(nameof(ReadAccount), accountId, Role.Compliance, Role.FundAccountant);

    private Task SaveAccountAsync(Account account) => State.WriteAsync(Keys.Of(Keys.Account, account.AccountId), account);

    /// <summary>The account, when the caller is the TA, its distributor, or holds one of <paramref name="alsoAllowed"/>.</summary>
    private async Task<Account> ServicedAccountAsync(string transaction, string accountId, params Role[] alsoAllowed)
    {
        var caller = await AuthoriseAsync(transaction, [Role.Distributor, Role.TransferAgent, .. alsoAllowed]);
        var account = await AccountAsync(accountId);
        if (!caller.Has(Role.TransferAgent) && !alsoAllowed.Any(caller.Has) && account.Distributor != caller.MspId)
        {
            throw new ChaincodeException($"account {accountId} is serviced by distributor {account.Distributor}: distributor {caller.MspId} may act only for its own investors", 403);
        }

        return account;
    }

    private async Task EnsureNothingOpenAsync(string accountId)
    {
        await foreach (var attributes in State.ScanKeysAsync(Keys.HoldingByAccount, [accountId]))
        {
            if (await HoldingUnitsAsync(attributes[1], accountId) != 0)
            {
                throw new ChaincodeException($"account {accountId} still holds units of share class {attributes[1]}: redeem them before closing it", 409);
            }
        }

        await foreach (var attributes in State.ScanKeysAsync(Keys.OrderByAccount, [accountId]))
        {
            if ((await OrderAsync(attributes[1])).InFlight)
            {
                throw new ChaincodeException($"account {accountId} has open order {attributes[1]}: settle, fail or cancel it before closing the account", 409);
            }
        }
    }
}
