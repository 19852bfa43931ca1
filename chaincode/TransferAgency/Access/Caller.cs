using FnzChain.Chaincode;
using FnzChain.TransferAgency.State;

namespace FnzChain.TransferAgency.Access;

/// <summary>The submitter of the current transaction and the roles its certificate and the role configuration give it.</summary>
internal sealed class Caller
{
    private Caller(ClientIdentity identity, IReadOnlySet<Role> roles)
    {
        Identity = identity;
        Roles = roles;
    }

    public ClientIdentity Identity { get; }

    /// <summary>The identity's id (<c>x509::subject::issuer</c>): what four-eyes checks compare.</summary>
    public string Id => Identity.Id;

    public string MspId => Identity.MspId;

    public IReadOnlySet<Role> Roles { get; }

    public static IReadOnlySet<Role> ClaimedRoles(ClientIdentity identity)
    {
        var claimed = new HashSet<Role>();
        foreach (var name in (identity.GetAttribute(RoleConfiguration.AttributeName) ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (Text.TryParseEnum<Role>(name, out var role))
            {
                claimed.Add(role);
            }
        }

        return claimed;
    }

    public static Caller Of(ClientIdentity identity, RoleConfiguration? configuration)
    {
        var roles = ClaimedRoles(identity).Where(r => configuration?.MspsFor(r).Contains(identity.MspId, StringComparer.Ordinal) == true).ToHashSet();
        return new Caller(identity, roles);
    }

    public bool Has(Role role) => Roles.Contains(role);

    /// <summary>Refuses (403) unless the caller holds one of <paramref name="needed"/>, naming the roles needed and what the caller holds.</summary>
    public void Require(string transaction, params Role[] needed)
    {
        if (!needed.Any(Has))
        {
            throw new ChaincodeException($"{transaction} needs role {string.Join(" or ", needed.Select(Text.Name))}; {Describe()}", 403);
        }
    }

    public string Describe() =>
        $"the caller ({MspId}) holds {(Roles.Count == 0 ? "no role" : "role " + string.Join(", ", Roles.Order().Select(Text.Name)))} " +
        $"(roles come from certificate attribute {RoleConfiguration.AttributeName} for an MSP listed in the role configuration)";
}
