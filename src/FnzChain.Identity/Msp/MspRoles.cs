namespace FnzChain.Identity.Msp;

/// <summary>The roles an identity holds in its MSP. Every valid identity is a member.</summary>
[Flags]
public enum MspRoles
{
    None = 0,
    Member = 1,
    Client = 2,
    Peer = 4,
    Admin = 8,
    Orderer = 16,
}

/// <summary>The node OUs of Fabric's NodeOUs convention, which cryptogen writes into certificates.</summary>
public static class NodeOus
{
    public const string Client = "client";
    public const string Peer = "peer";
    public const string Admin = "admin";
    public const string Orderer = "orderer";

    /// <summary>The role an OU value grants, or <see cref="MspRoles.None"/>.</summary>
    public static MspRoles RoleOf(string organizationalUnit) => organizationalUnit switch
    {
        Client => MspRoles.Client,
        Peer => MspRoles.Peer,
        Admin => MspRoles.Admin,
        Orderer => MspRoles.Orderer,
        _ => MspRoles.None,
    };
}
