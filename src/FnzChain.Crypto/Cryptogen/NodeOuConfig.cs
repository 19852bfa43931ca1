namespace FnzChain.Crypto.Cryptogen;

/// <summary>
/// The <c>msp/config.yaml</c> that turns on Node OUs, in Fabric's format so operators recognise it: identities
/// issued by the org CA are classified by their OU (client, peer, admin, orderer). Written as plain text; no YAML
/// library is involved.
/// </summary>
public static class NodeOuConfig
{
    public const string FileName = "config.yaml";

    public const string ClientOu = "client";
    public const string PeerOu = "peer";
    public const string AdminOu = "admin";
    public const string OrdererOu = "orderer";

    /// <summary>The file's text; <paramref name="caCertificate"/> is relative to the msp folder, e.g. <c>cacerts/ca.org1.example.com-cert.pem</c>.</summary>
    public static string Render(string caCertificate) =>
        $"""
        NodeOUs:
          Enable: true
          ClientOUIdentifier:
            Certificate: {caCertificate}
            OrganizationalUnitIdentifier: {ClientOu}
          PeerOUIdentifier:
            Certificate: {caCertificate}
            OrganizationalUnitIdentifier: {PeerOu}
          AdminOUIdentifier:
            Certificate: {caCertificate}
            OrganizationalUnitIdentifier: {AdminOu}
          OrdererOUIdentifier:
            Certificate: {caCertificate}
            OrganizationalUnitIdentifier: {OrdererOu}

        """;
}
