using FnzChain.Crypto.Cryptogen;
using FnzChain.Orderer.Channels;

namespace FnzChain.Tests.Shared;

/// <summary>
/// Test support linked into the test projects that need it: real cryptogen material for two application
/// organisations (Org1MSP, Org2MSP) and an orderer organisation in a temp folder, and a channel profile over it.
/// </summary>
internal sealed class TwoOrgCrypto : IDisposable
{
    public TwoOrgCrypto(string prefix)
    {
        Folder = Directory.CreateTempSubdirectory(prefix).FullName;
        new CryptoMaterialGenerator().Generate(
            CryptoConfigReader.Parse("""
                {
                  "ordererOrgs": [{ "name": "Orderer", "domain": "example.com", "mspId": "OrdererMSP", "hosts": ["orderer"] }],
                  "peerOrgs": [
                    { "name": "Org1", "domain": "org1.example.com", "mspId": "Org1MSP", "peers": 1, "users": 1 },
                    { "name": "Org2", "domain": "org2.example.com", "mspId": "Org2MSP", "peers": 1, "users": 1 }
                  ]
                }
                """),
            Folder,
            force: false);
    }

    public string Folder { get; }

    /// <summary>The three organisations as a profile lists them (Org1, Org2 application; OrdererOrg orderer).</summary>
    public List<OrganizationProfile> Organizations() =>
    [
        new OrganizationProfile { Name = "Org1", MspId = "Org1MSP", MspPath = Path.Combine(Folder, "peerOrganizations/org1.example.com/msp"), Roles = ["application"] },
        new OrganizationProfile { Name = "Org2", MspId = "Org2MSP", MspPath = Path.Combine(Folder, "peerOrganizations/org2.example.com/msp"), Roles = ["application"] },
        new OrganizationProfile { Name = "OrdererOrg", MspId = "OrdererMSP", MspPath = Path.Combine(Folder, "ordererOrganizations/example.com/msp"), Roles = ["orderer"] },
    ];

    /// <summary>The msp folder of <paramref name="who"/> (e.g. <c>users/User1@org1.example.com</c>) in <paramref name="domain"/>.</summary>
    public string Msp(string domain, string who) =>
        Path.Combine(Folder, domain == "example.com" ? "ordererOrganizations" : "peerOrganizations", domain, who, "msp");

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}
