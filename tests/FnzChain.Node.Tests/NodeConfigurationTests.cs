namespace FnzChain.Node.Tests;

/// <summary>Addresses of nodes to connect to may name hosts (containers, clusters); addresses to listen on are IP addresses.</summary>
public sealed class NodeConfigurationTests
{
    [TestCase("orderer0.example.com:7050", "orderer0.example.com", 7050)]
    [TestCase("kafka-1:9092", "kafka-1", 9092)]
    [TestCase("localhost:7051", "localhost", 7051)]
    [TestCase("10.0.0.7:7050", "10.0.0.7", 7050)]
    [TestCase("[::1]:7050", "[::1]", 7050)]
    public void A_remote_address_may_be_an_ip_address_or_a_dns_name(string address, string host, int port) =>
        Assert.That(NodeConfiguration.ParseRemoteAddress(address), Is.EqualTo((host, port)));

    [TestCase("orderer", "is not host:port")]
    [TestCase("orderer:0", "is not host:port")]
    [TestCase("orderer:70500", "is not host:port")]
    [TestCase("orderer:+7050", "is not host:port")]
    [TestCase("orderer_1:7050", "\"orderer_1\" in \"orderer_1:7050\" is neither an IP address (IPv6 in brackets) nor a DNS host name")]
    [TestCase("-orderer:7050", "is neither an IP address")]
    [TestCase("orderer..example:7050", "is neither an IP address")]
    [TestCase("::1:7050", "is neither an IP address")]
    [TestCase("http://orderer:7050", "is neither an IP address")]
    public void A_remote_address_that_is_not_host_and_port_is_refused_in_one_line(string address, string expected)
    {
        var e = Assert.Throws<FormatException>(() => NodeConfiguration.ParseRemoteAddress(address));
        Assert.That(e!.Message, Does.Contain(expected).And.Not.Contain("\n"));
    }

    [Test]
    public void A_listen_address_must_be_an_ip_address() =>
        Assert.That(() => NodeConfiguration.ParseEndpoint("orderer0.example.com:7050"), Throws.TypeOf<FormatException>().With.Message.Contains("is not an IP address"));
}
