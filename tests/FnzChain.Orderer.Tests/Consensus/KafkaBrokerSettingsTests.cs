using FnzChain.Orderer.Consensus.Kafka;

namespace FnzChain.Orderer.Tests.Consensus;

/// <summary>
/// The Kafka settings a channel's topic needs (Fabric 1.x's list), rule by rule: each violation names the setting, its
/// value and what it must be; a safe cluster (deploy/kafka's settings) has none; settings the brokers did not report are
/// not judged but listed as unchecked.
/// </summary>
public sealed class KafkaBrokerSettingsTests
{
    private const uint TenMiB = 10 * 1024 * 1024;

    /// <summary>deploy/kafka's cluster: what every rule accepts for a 10 MiB absolute_max_bytes and replication 3.</summary>
    private static Dictionary<string, string> Safe() => new()
    {
        ["min.insync.replicas"] = "2",
        ["unclean.leader.election.enable"] = "false",
        ["retention.ms"] = "-1",
        ["retention.bytes"] = "-1",
        ["max.message.bytes"] = "103809024",
        ["replica.fetch.max.bytes"] = "103809024",
    };

    private static Dictionary<string, string> SafeWith(string name, string value)
    {
        var settings = Safe();
        settings[name] = value;
        return settings;
    }

    [Test]
    public void Deploy_settings_have_no_violation_and_nothing_unchecked()
    {
        Assert.That(KafkaBrokerSettings.Violations(Safe(), replicationFactor: 3, TenMiB), Is.Empty);
        Assert.That(KafkaBrokerSettings.Unchecked(Safe()), Is.Empty);
    }

    [TestCase("min.insync.replicas", "1", 3, "min.insync.replicas is 1; it must be at least 2 when the topic's replication factor is 3")]
    [TestCase("min.insync.replicas", "4", 3, "min.insync.replicas is 4; it must be at most the topic's replication factor 3")]
    [TestCase("min.insync.replicas", "two", 3, "min.insync.replicas is \"two\"; it must be a whole number")]
    [TestCase("unclean.leader.election.enable", "true", 3, "unclean.leader.election.enable is \"true\"; it must be false")]
    [TestCase("retention.ms", "604800000", 3, "retention.ms is 604800000; it must be -1, unlimited")]
    [TestCase("retention.bytes", "1073741824", 3, "retention.bytes is 1073741824; it must be -1, unlimited")]
    [TestCase("max.message.bytes", "1048588", 3, "max.message.bytes is 1048588; it must be at least 10551296 (absolute_max_bytes 10485760 plus 65536")]
    [TestCase("replica.fetch.max.bytes", "1048576", 3, "replica.fetch.max.bytes is 1048576; it must be at least 10551296 (absolute_max_bytes 10485760 plus 65536)")]
    public void A_violated_setting_is_named_with_its_value_and_what_it_must_be(string name, string value, int replication, string expected)
    {
        var violations = KafkaBrokerSettings.Violations(SafeWith(name, value), replication, TenMiB);

        Assert.That(violations, Has.Count.EqualTo(1));
        Assert.That(violations[0], Does.StartWith(expected));
    }

    [TestCase(1, "1")]
    [TestCase(2, "1")]
    [TestCase(2, "2")]
    [TestCase(3, "2")]
    [TestCase(3, "3")]
    [TestCase(4, "3")]
    public void Min_insync_replicas_between_2_and_the_replication_factor_or_any_for_fewer_than_3_replicas_passes(int replication, string minInsync)
    {
        Assert.That(KafkaBrokerSettings.Violations(SafeWith("min.insync.replicas", minInsync), replication, TenMiB), Is.Empty);
    }

    [TestCase("FALSE")]
    [TestCase(" false ")]
    public void Unclean_leader_election_false_is_read_as_kafka_writes_it(string value)
    {
        Assert.That(KafkaBrokerSettings.Violations(SafeWith("unclean.leader.election.enable", value), 3, TenMiB), Is.Empty);
    }

    [Test]
    public void The_size_limits_must_hold_the_largest_record_exactly_and_no_less()
    {
        var needed = KafkaBrokerSettings.MaxRecordBytes(TenMiB);
        Assert.That(needed, Is.EqualTo(TenMiB + KafkaBrokerSettings.RecordOverheadBytes));
        var exact = Safe();
        exact["max.message.bytes"] = exact["replica.fetch.max.bytes"] = needed.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.That(KafkaBrokerSettings.Violations(exact, 3, TenMiB), Is.Empty);
        var short1 = Safe();
        short1["max.message.bytes"] = (needed - 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.That(KafkaBrokerSettings.Violations(short1, 3, TenMiB), Has.Count.EqualTo(1));
    }

    [Test]
    public void Small_channels_need_what_librdkafka_produces_by_default_which_kafkas_defaults_hold()
    {
        Assert.That(KafkaBrokerSettings.MaxRecordBytes(256 * 1024), Is.EqualTo(1_000_000));
        var kafkaDefaults = SafeWith("max.message.bytes", "1048588");
        kafkaDefaults["replica.fetch.max.bytes"] = "1048576";
        Assert.That(KafkaBrokerSettings.Violations(kafkaDefaults, 3, 256 * 1024), Is.Empty);
    }

    [Test]
    public void Every_violation_is_reported_at_once()
    {
        var bad = new Dictionary<string, string>
        {
            ["min.insync.replicas"] = "1",
            ["unclean.leader.election.enable"] = "true",
            ["retention.ms"] = "604800000",
            ["retention.bytes"] = "100",
            ["max.message.bytes"] = "1000",
            ["replica.fetch.max.bytes"] = "1000",
        };

        var violations = KafkaBrokerSettings.Violations(bad, 3, TenMiB);

        Assert.That(violations.Select(v => v.Split(' ')[0]), Is.EqualTo(KafkaBrokerSettings.Checked));
    }

    [Test]
    public void Settings_the_brokers_did_not_report_are_unchecked_not_violations()
    {
        var partial = new Dictionary<string, string> { ["retention.ms"] = "-1", ["max.message.bytes"] = "103809024" };

        Assert.That(KafkaBrokerSettings.Violations(partial, 3, TenMiB), Is.Empty);
        Assert.That(KafkaBrokerSettings.Unchecked(partial), Is.EqualTo(new[] { "min.insync.replicas", "unclean.leader.election.enable", "retention.bytes", "replica.fetch.max.bytes" }));
        Assert.That(KafkaBrokerSettings.Unchecked(new Dictionary<string, string>()), Is.EqualTo(KafkaBrokerSettings.Checked));
    }
}
