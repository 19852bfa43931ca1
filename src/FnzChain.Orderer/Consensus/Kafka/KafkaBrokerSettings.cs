using System.Globalization;

namespace FnzChain.Orderer.Consensus.Kafka;

/// <summary>
/// The Kafka settings a channel's topic needs so that what the brokers acknowledged is never lost and every orderer
/// reads the same records (Fabric 1.x's list for its Kafka orderers), as rules over the values the brokers report
/// (DescribeConfigs of the topic — its effective values, broker defaults included — and of a broker for
/// <c>replica.fetch.max.bytes</c>). Pure: the transport reads the values, these rules judge them.
/// </summary>
public static class KafkaBrokerSettings
{
    /// <summary>What a record adds to the envelope it carries (the KafkaMessage wrapper, Kafka's record and batch framing), with room to spare.</summary>
    public const int RecordOverheadBytes = 64 * 1024;

    public const string MinInsyncReplicas = "min.insync.replicas";
    public const string UncleanLeaderElection = "unclean.leader.election.enable";
    public const string RetentionMs = "retention.ms";
    public const string RetentionBytes = "retention.bytes";
    public const string MaxMessageBytes = "max.message.bytes";
    public const string ReplicaFetchMaxBytes = "replica.fetch.max.bytes";

    /// <summary>The settings the rules read, in the order they are reported.</summary>
    public static IReadOnlyList<string> Checked { get; } = [MinInsyncReplicas, UncleanLeaderElection, RetentionMs, RetentionBytes, MaxMessageBytes, ReplicaFetchMaxBytes];

    /// <summary>
    /// The largest record the consenter produces for a channel whose envelopes are at most
    /// <paramref name="absoluteMaxBytes"/>: that plus <see cref="RecordOverheadBytes"/>, and never below librdkafka's
    /// default of 1,000,000 bytes. The brokers must accept and replicate records this large.
    /// </summary>
    public static int MaxRecordBytes(uint absoluteMaxBytes) => (int)Math.Min(int.MaxValue, Math.Max(1_000_000L, (long)absoluteMaxBytes + RecordOverheadBytes));

    /// <summary>
    /// What is wrong with <paramref name="settings"/> (setting name → value as the brokers report it) for a topic of
    /// <paramref name="replicationFactor"/> replicas carrying envelopes of at most <paramref name="absoluteMaxBytes"/>:
    /// one clause per violated setting, naming it, its value, what it must be, and what it would cost. Settings absent
    /// from <paramref name="settings"/> are not judged (see <see cref="Unchecked"/>).
    /// </summary>
    public static IReadOnlyList<string> Violations(IReadOnlyDictionary<string, string> settings, int replicationFactor, uint absoluteMaxBytes)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var violations = new List<string>();
        var maxRecord = MaxRecordBytes(absoluteMaxBytes);

        if (Number(settings, MinInsyncReplicas, violations) is { } minInsync)
        {
            if (replicationFactor >= 3 && minInsync < 2)
            {
                violations.Add($"{MinInsyncReplicas} is {minInsync}; it must be at least 2 when the topic's replication factor is {replicationFactor} (with {minInsync}, a record acknowledged by one broker is lost with that broker)");
            }
            else if (minInsync > replicationFactor)
            {
                violations.Add($"{MinInsyncReplicas} is {minInsync}; it must be at most the topic's replication factor {replicationFactor} (no record could be acknowledged)");
            }
        }

        if (settings.TryGetValue(UncleanLeaderElection, out var unclean) && !string.Equals(unclean?.Trim(), "false", StringComparison.OrdinalIgnoreCase))
        {
            violations.Add($"{UncleanLeaderElection} is {Shown(unclean)}; it must be false (an out-of-sync replica elected leader drops acknowledged records, and orderers that already read them fork from those that did not)");
        }

        foreach (var retention in (ReadOnlySpan<string>)[RetentionMs, RetentionBytes])
        {
            if (Number(settings, retention, violations) is { } value && value != -1)
            {
                violations.Add($"{retention} is {value}; it must be -1, unlimited (an orderer that joins or restarts reads the topic from its last block's offset; records Kafka deleted cannot be read, and the orderer cannot resume)");
            }
        }

        if (Number(settings, MaxMessageBytes, violations) is { } maxMessage && maxMessage < maxRecord)
        {
            violations.Add($"{MaxMessageBytes} is {maxMessage}; it must be at least {maxRecord} (absolute_max_bytes {absoluteMaxBytes} plus {RecordOverheadBytes} for the record around an envelope), or the brokers refuse envelopes Broadcast accepted");
        }

        if (Number(settings, ReplicaFetchMaxBytes, violations) is { } replicaFetch && replicaFetch < maxRecord)
        {
            violations.Add($"{ReplicaFetchMaxBytes} is {replicaFetch}; it must be at least {maxRecord} (absolute_max_bytes {absoluteMaxBytes} plus {RecordOverheadBytes}), or followers may not copy the largest records the orderers post");
        }

        return violations;
    }

    /// <summary>The settings of <see cref="Checked"/> that <paramref name="settings"/> lacks (the brokers did not report them).</summary>
    public static IReadOnlyList<string> Unchecked(IReadOnlyDictionary<string, string> settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return Checked.Where(name => !settings.ContainsKey(name)).ToList();
    }

    /// <summary>The setting as a number; null when absent, or when it is not one (a violation then).</summary>
    private static long? Number(IReadOnlyDictionary<string, string> settings, string name, List<string> violations)
    {
        if (!settings.TryGetValue(name, out var text))
        {
            return null;
        }

        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        violations.Add($"{name} is {Shown(text)}; it must be a whole number");
        return null;
    }

    private static string Shown(string? value) => value is null ? "not reported" : $"\"{value}\"";
}
