using FnzChain.Chaincode;
using FnzChain.TransferAgency.Access;
using FnzChain.TransferAgency.State;

namespace FnzChain.TransferAgency;

/// <summary>Role configuration: which MSPs may hold which role.</summary>
public sealed partial class TransferAgencyContract
{
    /// <summary>
    /// Sets the role configuration (<c>{"transfer-agent":["TaMSP"],"distributor":["Dist1MSP"],…}</c>). The first call
    /// bootstraps it: the caller's certificate must claim transfer-agent and its MSP must be the configuration's
    /// transfer agent. Later calls need the transfer-agent role. No configuration may lock the caller's MSP out of it.
    /// </summary>
    public async Task<RoleConfiguration> ConfigureRoles(string configurationJson)
    {
        var configuration = RoleConfiguration.Parse(configurationJson);
        var existing = await State.ReadAsync<RoleConfiguration>(Keys.Of(Keys.RoleConfiguration, "roles"));
        if (existing is null)
        {
            if (!Caller.ClaimedRoles(Stub.Creator).Contains(Role.TransferAgent))
            {
                throw new ChaincodeException($"{nameof(ConfigureRoles)} needs role transfer-agent: the first configuration must be set by an identity whose certificate attribute {RoleConfiguration.AttributeName} includes transfer-agent", 403);
            }
        }
        else
        {
            Caller.Of(Stub.Creator, existing).Require(nameof(ConfigureRoles), Role.TransferAgent);
        }

        if (!configuration.MspsFor(Role.TransferAgent).Contains(Stub.Creator.MspId, StringComparer.Ordinal))
        {
            throw new ChaincodeException($"the role configuration must list the caller's MSP {Stub.Creator.MspId} as transfer-agent, or nobody could change it again", 400);
        }

        await State.WriteAsync(Keys.Of(Keys.RoleConfiguration, "roles"), configuration);
        Emit("RolesConfigured", configuration);
        return configuration;
    }

    /// <summary>The current role configuration (any caller).</summary>
    public async Task<RoleConfiguration> ReadRoleConfiguration() =>
        await State.ReadAsync<RoleConfiguration>(Keys.Of(Keys.RoleConfiguration, "roles"))
            ?? throw new ChaincodeException("no role configuration yet: the transfer agent sets it with ConfigureRoles", 404);

    /// <summary>The caller's MSP and the roles it holds (any caller): for troubleshooting a 403.</summary>
    public async Task<CallerRoles> WhoAmI()
    {
        var caller = await CallerAsync();
        return new CallerRoles(caller.MspId, caller.Roles.Order().Select(Text.Name).ToList());
    }
}

/// <summary>The answer of <c>WhoAmI</c>.</summary>
public sealed record CallerRoles(string MspId, IReadOnlyList<string> Roles);
