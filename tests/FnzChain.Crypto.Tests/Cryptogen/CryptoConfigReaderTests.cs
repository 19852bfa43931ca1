using FnzChain.Crypto.Cryptogen;

namespace FnzChain.Crypto.Tests.Cryptogen;

public sealed class CryptoConfigReaderTests
{
    private const string Valid = """
        {
          "ordererOrgs": [{ "name": "Orderer", "domain": "example.com", "mspId": "OrdererMSP", "hosts": ["orderer"] }],
          "peerOrgs": [{ "name": "Org1", "domain": "org1.example.com", "mspId": "Org1MSP", "peers": 2, "users": 1, "country": "GB" }]
        }
        """;

    [Test]
    public void Parse_reads_the_cryptogen_shaped_config()
    {
        var config = CryptoConfigReader.Parse(Valid);

        Assert.That(config.OrdererOrgs.Single().Hosts, Is.EqualTo(new[] { "orderer" }));
        var org = config.PeerOrgs.Single();
        Assert.That((org.Name, org.Domain, org.MspId, org.Peers, org.Users, org.Country), Is.EqualTo(("Org1", "org1.example.com", "Org1MSP", 2, 1, "GB")));
    }

    [Test]
    public void The_shipped_example_config_is_valid()
    {
        var path = Path.Combine(TestContext.CurrentContext.TestDirectory, "../../../../../examples/crypto-config.json");

        var config = CryptoConfigReader.ReadFile(path);

        Assert.That(config.PeerOrgs, Has.Count.EqualTo(2));
        Assert.That(config.OrdererOrgs, Has.Count.EqualTo(1));
    }

    [TestCase("""{ "peerOrgs": [{ "name": "Org1", "mspId": "Org1MSP", "peers": 1 }] }""", "crypto config: peerOrgs[0].domain is required")]
    [TestCase("""{ "peerOrgs": [{ "name": "Org1", "domain": "org1.example.com", "mspId": "Org1MSP" }] }""", "crypto config: peerOrgs[0].peers is required")]
    [TestCase("""{ "peerOrgs": [{ "name": "Org1", "domain": "org1.example.com", "peers": 1 }] }""", "crypto config: peerOrgs[0].mspId is required")]
    [TestCase("""{ "ordererOrgs": [{ "name": "O", "domain": "example.com", "mspId": "OMSP" }] }""", "crypto config: ordererOrgs[0].hosts is required")]
    [TestCase("""{ "ordererOrgs": [{ "name": "O", "domain": "example.com", "mspId": "OMSP", "hosts": [] }] }""", "crypto config: ordererOrgs[0].hosts must name at least one orderer host")]
    [TestCase("""{ "ordererOrgs": [{ "name": "O", "domain": "example.com", "mspId": "OMSP", "hosts": ["a", "a"] }] }""", "crypto config: ordererOrgs[0].hosts[1] 'a' is listed twice")]
    [TestCase("""{ "ordererOrgs": [{ "name": "O", "domain": "example.com", "mspId": "OMSP", "hosts": ["a"], "peers": 2 }] }""", "crypto config: ordererOrgs[0].peers is not a field of an orderer org (use hosts)")]
    [TestCase("""{ "peerOrgs": [{ "name": "A", "domain": "x.com", "mspId": "A", "peers": 1 }, { "name": "B", "domain": "X.com", "mspId": "B", "peers": 1 }] }""", "crypto config: peerOrgs[1].domain 'x.com' is used by another organisation")]
    [TestCase("""{ "peerOrgs": [{ "name": "A", "domain": "bad_domain", "mspId": "A", "peers": 1 }] }""", "crypto config: peerOrgs[0].domain 'bad_domain' is not a DNS domain")]
    [TestCase("""{ "peerOrgs": [{ "name": "A", "domain": "a.com", "mspId": "A", "peers": 0 }] }""", "crypto config: peerOrgs[0].peers is 0; expected 1 to 100")]
    [TestCase("""{ "peerOrgs": [{ "name": "A", "domain": "a.com", "mspId": "A", "peers": 1, "users": -1 }] }""", "crypto config: peerOrgs[0].users is -1; expected 0 to 1000")]
    [TestCase("""{ "peerOrgs": [{ "name": "A", "domain": "a.com", "mspId": "A", "peers": 1, "leafValidityDays": 0 }] }""", "crypto config: peerOrgs[0].leafValidityDays is 0; expected 1 to 36500")]
    [TestCase("""{ }""", "crypto config: no ordererOrgs and no peerOrgs; nothing to generate")]
    [TestCase("""{ "peerOrgs": [{ "name": "A", "domain": "a.com", "mspId": "A", "peers": 1, "colour": "red" }] }""", "crypto config: (text) is not valid: unknown property peerOrgs[0].colour (line 1)")]
    [TestCase("""{ "peerOrgs": [{ "name": "A", "domain": "a.com", "mspId": "A", "peers": "two" }] }""", "crypto config: (text) is not valid: peerOrgs[0].peers has the wrong JSON type (line 1)")]
    [TestCase("""{ "peerOrgs": [ """, "crypto config: (text) is not valid: malformed JSON")]
    [TestCase("""{ "peerOrgs": [], } """, "crypto config: (text) is not valid: malformed JSON")]
    [TestCase("""null""", "crypto config: (text) holds null, expected an object")]
    public void Parse_rejects_invalid_configs_naming_the_field(string json, string message)
    {
        var ex = Assert.Throws<CryptoConfigException>(() => CryptoConfigReader.Parse(json));

        Assert.That(ex!.Message, Does.StartWith(message));
        Assert.That(ex.Message, Does.Not.Contain('\n'));
    }

    [Test]
    public void ReadFile_names_a_missing_file()
    {
        var ex = Assert.Throws<CryptoConfigException>(() => CryptoConfigReader.ReadFile("/no/such/crypto-config.json"));

        Assert.That(ex!.Message, Is.EqualTo("crypto config: file /no/such/crypto-config.json not found"));
    }
}
