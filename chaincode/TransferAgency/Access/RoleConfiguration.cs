using System.Text.Json;
using FnzChain.Chaincode;
using FnzChain.TransferAgency.State;

namespace FnzChain.TransferAgency.Access;

/// <summary>
/// The one place that maps certificates to roles: for each role, the MSPs whose identities may hold it. An identity
/// holds a role when its certificate carries the Fabric CA attribute <see cref="AttributeName"/> naming the role
/// (comma-separated for several) and its MSP is listed for that role. Set by <c>ConfigureRoles</c>.
/// </summary>
public sealed record RoleConfiguration(IReadOnlyList<RoleGrant> Grants)
{
    /// <summary>The Fabric CA enrollment attribute that names an identity's roles, e.g. <c>fnz.role=transfer-agent,approver</c>.</summary>
    public const string AttributeName = "fnz.role";

    /// <summary>The MSPs that may hold <paramref name="role"/>.</summary>
    public IReadOnlyList<string> MspsFor(Role role) => Grants.FirstOrDefault(g => g.Role == role)?.MspIds ?? [];

    /// <summary>Parses <c>{"transfer-agent":["TaMSP"],"distributor":["Dist1MSP","Dist2MSP"],…}</c>, refusing unknown roles and empty lists.</summary>
    public static RoleConfiguration Parse(string json)
    {
        Dictionary<string, string[]>? map;
        try
        {
            map = JsonSerializer.Deserialize<Dictionary<string, string[]>>(json, ContractDispatcher.Json);
        }
        catch (JsonException e)
        {
            throw new ChaincodeException($"the role configuration is not a JSON object of role → MSP ids: {e.Message}", 400);
        }

        if (map is null || map.Count == 0)
        {
            throw new ChaincodeException("the role configuration is empty: name the MSPs of each role", 400);
        }

        var grants = new List<RoleGrant>();
        foreach (var (name, msps) in map.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var role = Text.ParseEnum<Role>(name, "role");
            if (msps is null || msps.Length == 0 || msps.Any(string.IsNullOrWhiteSpace))
            {
                throw new ChaincodeException($"role {Text.Name(role)} lists no MSP id (or an empty one)", 400);
            }

            grants.Add(new RoleGrant(role, msps.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList()));
        }

        if (grants.All(g => g.Role != Role.TransferAgent))
        {
            throw new ChaincodeException("the role configuration must name the transfer-agent MSP(s): the transfer agent maintains it", 400);
        }

        return new RoleConfiguration(grants);
    }
}

/// <summary>The MSPs whose identities may hold <paramref name="Role"/>.</summary>
public sealed record RoleGrant(Role Role, IReadOnlyList<string> MspIds);
