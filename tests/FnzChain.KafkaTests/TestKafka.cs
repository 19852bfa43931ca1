using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace FnzChain.KafkaTests;

/// <summary>
/// The Kafka a test runs against: the real cluster <c>FNZCHAIN_TEST_KAFKA=host:port</c> names, or else a fresh mock
/// cluster host with the brokers the test asks for. Topics get unique names, so the same tests run unchanged on both;
/// fault injection exists only on the mock (<see cref="RequireMock"/>).
/// </summary>
internal sealed class TestKafka : IAsyncDisposable
{
    public const string Variable = "FNZCHAIN_TEST_KAFKA";
    private readonly KafkaMockProcess? _mock;

    private TestKafka(string bootstrap, KafkaMockProcess? mock)
    {
        Bootstrap = bootstrap;
        _mock = mock;
    }

    public string Bootstrap { get; }

    /// <summary>The mock host's stderr, for failure messages ("" on a real cluster).</summary>
    public string HostLog => _mock?.Errors ?? "";

    public static string? External => Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } bootstrap ? bootstrap : null;

    public static async Task<TestKafka> StartAsync(int brokers)
    {
        if (External is { } bootstrap)
        {
            return new TestKafka(bootstrap, mock: null);
        }

        var mock = await KafkaMockProcess.StartAsync("--brokers", brokers.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return new TestKafka(mock.Bootstrap, mock);
    }

    /// <summary>The mock host, for fault injection; ignores the test on a real cluster, which has no such commands.</summary>
    public KafkaMockProcess RequireMock()
    {
        if (_mock is null)
        {
            Assert.Ignore($"fault injection needs the mock cluster host; {Variable} points this run at a real cluster");
        }

        return _mock!;
    }

    /// <summary>Creates a topic with a unique name: through the mock host, or the admin API on a real cluster.</summary>
    public Task<string> CreateTopicAsync(int partitions, int replication) => CreateTopicAsync($"fnzchain-test-{Guid.NewGuid():N}", partitions, replication);

    /// <summary>
    /// Creates the topic <paramref name="topic"/> (a channel's topic is named after the channel); on a real cluster with
    /// the settings the consenter checks, each overridable by <paramref name="configs"/> (the mock has no topic settings).
    /// </summary>
    public async Task<string> CreateTopicAsync(string topic, int partitions, int replication, IReadOnlyDictionary<string, string>? configs = null)
    {
        if (_mock is not null)
        {
            // The mock does not implement CreateTopics; the host creates it directly.
            await _mock.CommandAsync($"create-topic {topic} {partitions} {replication}");
            return topic;
        }

        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = Bootstrap }).Build();
        var brokers = admin.GetMetadata(TimeSpan.FromSeconds(30)).Brokers.Count;
        var factor = (short)Math.Min(replication, brokers);
        // The settings the Kafka consenter checks at start, whatever the cluster's defaults (the size limits hold the
        // tests' records with Kafka's defaults).
        await admin.CreateTopicsAsync(
        [
            new TopicSpecification
            {
                Name = topic,
                NumPartitions = partitions,
                ReplicationFactor = factor,
                Configs = new Dictionary<string, string>
                {
                    ["min.insync.replicas"] = factor >= 3 ? "2" : "1",
                    ["unclean.leader.election.enable"] = "false",
                    ["retention.ms"] = "-1",
                    ["retention.bytes"] = "-1",
                }.Concat(configs ?? new Dictionary<string, string>()).GroupBy(c => c.Key).ToDictionary(g => g.Key, g => g.Last().Value),
            },
        ]);
        return topic;
    }

    public async ValueTask DisposeAsync()
    {
        if (_mock is not null)
        {
            await _mock.DisposeAsync();
        }
    }
}
