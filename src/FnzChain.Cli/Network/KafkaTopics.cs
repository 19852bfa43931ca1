using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace FnzChain.Cli.Network;

/// <summary>The channel topic on a real Kafka cluster: one partition, replicated on up to three brokers.</summary>
internal static class KafkaTopics
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(15);

    /// <summary>Creates topic <paramref name="channel"/> unless it exists; returns its replication factor.</summary>
    /// <exception cref="CliException">The brokers are unreachable, refused the topic, or hold it with more than one partition.</exception>
    public static async Task<int> EnsureChannelTopicAsync(string brokers, string channel, CancellationToken cancellationToken)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = brokers, SocketTimeoutMs = (int)s_timeout.TotalMilliseconds })
            .SetLogHandler((_, _) => { })
            .Build();
        Metadata metadata;
        try
        {
            metadata = admin.GetMetadata(s_timeout);
        }
        catch (KafkaException e)
        {
            throw new CliException($"--kafka-brokers {brokers}: no broker answered within {s_timeout.TotalSeconds} s: {e.Error.Reason}");
        }

        if (metadata.Topics.SingleOrDefault(t => t.Topic == channel && !t.Error.IsError) is { } existing)
        {
            return existing.Partitions.Count == 1
                ? existing.Partitions[0].Replicas.Length
                : throw new CliException($"--kafka-brokers {brokers}: topic {channel} exists with {existing.Partitions.Count} partitions; the Kafka consenter needs exactly one");
        }

        var replication = (short)Math.Min(3, metadata.Brokers.Count);
        try
        {
            await admin.CreateTopicsAsync(
                [new TopicSpecification { Name = channel, NumPartitions = 1, ReplicationFactor = replication, Configs = new Dictionary<string, string> { ["retention.ms"] = "-1", ["retention.bytes"] = "-1", ["unclean.leader.election.enable"] = "false", ["min.insync.replicas"] = replication >= 3 ? "2" : "1" } }],
                new CreateTopicsOptions { RequestTimeout = s_timeout, OperationTimeout = s_timeout }).WaitAsync(s_timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (CreateTopicsException e) when (e.Results.All(r => r.Error.Code == ErrorCode.TopicAlreadyExists))
        {
            // created meanwhile by another operator: fine
        }
        catch (CreateTopicsException e)
        {
            throw new CliException($"--kafka-brokers {brokers}: creating topic {channel} failed: {string.Join("; ", e.Results.Select(r => r.Error.Reason))}");
        }
        catch (TimeoutException)
        {
            throw new CliException($"--kafka-brokers {brokers}: creating topic {channel} did not finish within {s_timeout.TotalSeconds} s (create it with 1 partition and replication 3, then run again)");
        }

        return replication;
    }
}
