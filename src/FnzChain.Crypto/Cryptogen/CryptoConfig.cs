namespace FnzChain.Crypto.Cryptogen;

/// <summary>
/// What <c>fnzchain crypto generate</c> creates: the JSON counterpart of Fabric's crypto-config.yaml.
/// Read it with <see cref="CryptoConfigReader"/>, which validates every field.
/// </summary>
public sealed record CryptoConfig
{
    public IReadOnlyList<OrdererOrgSpec> OrdererOrgs { get; init; } = [];

    public IReadOnlyList<PeerOrgSpec> PeerOrgs { get; init; } = [];
}

/// <summary>What every organisation has: a name, a DNS domain, an MSP id, subject attributes and lifetimes.</summary>
public abstract record OrgSpec
{
    public required string Name { get; init; }

    /// <summary>DNS domain; names the org folder and every node (<c>peer0.&lt;domain&gt;</c>, <c>Admin@&lt;domain&gt;</c>).</summary>
    public required string Domain { get; init; }

    public required string MspId { get; init; }

    /// <summary>Number of ordinary users (<c>User1</c>..<c>UserN</c>) besides <c>Admin</c>.</summary>
    public int Users { get; init; }

    /// <summary>
    /// Users with their own names and, optionally, enrollment attributes in their certificates (Fabric CA's
    /// extension, read by chaincode through the client identity), e.g. <c>{"name": "accountant", "attributes": {"fnz.role": "fund-accountant"}}</c>.
    /// </summary>
    public IReadOnlyList<NamedUserSpec> NamedUsers { get; init; } = [];

    public string? Country { get; init; }

    public string? Province { get; init; }

    public string? Locality { get; init; }

    /// <summary>Lifetime of the org's CA and TLS CA; default ten years.</summary>
    public int? CaValidityDays { get; init; }

    /// <summary>Lifetime of node, user and TLS certificates; default ten years, as cryptogen.</summary>
    public int? LeafValidityDays { get; init; }
}

/// <summary>An orderer organisation; <see cref="Hosts"/> are host names under the domain (<c>orderer</c> → <c>orderer.example.com</c>).</summary>
public sealed record OrdererOrgSpec : OrgSpec
{
    public IReadOnlyList<string> Hosts { get; init; } = [];
}

/// <summary>A peer organisation with <see cref="Peers"/> peers named <c>peer0</c>..<c>peerN-1</c>.</summary>
public sealed record PeerOrgSpec : OrgSpec
{
    public int Peers { get; init; }
}

/// <summary>A named user of an organisation: <c>&lt;name&gt;@&lt;domain&gt;</c>, a client (or an admin), with enrollment attributes.</summary>
public sealed record NamedUserSpec
{
    public required string Name { get; init; }

    /// <summary>An administrator of the organisation (admin OU) instead of a client.</summary>
    public bool Admin { get; init; }

    public IReadOnlyDictionary<string, string> Attributes { get; init; } = new Dictionary<string, string>();
}
