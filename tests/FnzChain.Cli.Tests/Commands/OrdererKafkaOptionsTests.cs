using FnzChain.Node;
using FnzChain.Orderer.Hosting;

namespace FnzChain.Cli.Tests.Commands;

/// <summary>The orderer configuration's <c>kafka</c> section: the fetch wait a real cluster wants, and refusals in one line.</summary>
public sealed class OrdererKafkaOptionsTests
{
    private static OrdererOptions Load(TempFolder folder, string kafka)
    {
        Directory.CreateDirectory(folder.File("msp"));
        var path = folder.File("orderer.json");
        File.WriteAllText(path, $$"""{ "listenAddress": "127.0.0.1:0", "mspId": "OrdererMSP", "mspPath": "msp", "dataPath": "data"{{kafka}} }""");
        return OrdererOptions.Load(path);
    }

    [Test]
    public void Without_a_kafka_section_the_fetch_wait_suits_the_local_stand_in()
    {
        using var folder = new TempFolder();
        Assert.That(Load(folder, string.Empty).Kafka.FetchWaitMs, Is.EqualTo(10));
    }

    [Test]
    public void A_real_clusters_fetch_wait_is_read_from_the_file()
    {
        using var folder = new TempFolder();
        Assert.That(Load(folder, """, "kafka": { "fetchWaitMs": 500 }""").Kafka.FetchWaitMs, Is.EqualTo(500));
    }

    [TestCase(""", "kafka": { "fetchWaitMs": 0 }""", "kafka.fetchWaitMs 0 is outside 1..10000")]
    [TestCase(""", "kafka": { "fetchWaitMs": 60000 }""", "kafka.fetchWaitMs 60000 is outside 1..10000")]
    [TestCase(""", "kafka": null""", "kafka is null")]
    [TestCase(""", "kafka": { "fetchWait": 5 }""", "fetchWait")]
    public void A_bad_kafka_section_is_refused_in_one_line_naming_the_field(string kafka, string expected)
    {
        using var folder = new TempFolder();
        var refused = Assert.Throws<OptionsException>(() => Load(folder, kafka));
        Assert.That(refused!.Message, Does.Contain(expected).And.Not.Contain("\n"));
    }
}
