using System.Globalization;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using FnzChain.Orderer.Consensus.Kafka;
using Microsoft.Extensions.Logging;

namespace FnzChain.Orderer.Kafka;

/// <summary>
/// The broker settings check at start: the topic's effective configuration and its leader's
/// <c>replica.fetch.max.bytes</c>, read with DescribeConfigs and judged by <see cref="KafkaBrokerSettings"/>. A violated
/// setting stops the channel with one line; settings the brokers do not report (no DescribeConfigs, as on librdkafka's
/// mock cluster, or no permission) are named in one warning and ordering goes on. Bounded by
/// <see cref="KafkaConsenterOptions.RequestTimeout"/>.
/// </summary>
public sealed partial class KafkaConsenter
{
    /// <summary>False when a setting is unsafe and the channel stopped.</summary>
    private bool CheckSettings(TopicMetadata topic)
    {
        var partition = topic.Partitions[0];
        var replication = partition.Replicas.Length;
        var leader = new ConfigResource { Type = ResourceType.Broker, Name = partition.Leader.ToString(CultureInfo.InvariantCulture) };
        var resources = new[] { new ConfigResource { Type = ResourceType.Topic, Name = _topic }, leader };
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        string? problem = null;
        try
        {
            using var admin = new DependentAdminClientBuilder(_producer.Handle).Build();
            var results = admin.DescribeConfigsAsync(resources, new DescribeConfigsOptions { RequestTimeout = _options.RequestTimeout })
                .WaitAsync(_options.RequestTimeout + TimeSpan.FromSeconds(1))
                .GetAwaiter().GetResult();
            foreach (var result in results)
            {
                Keep(settings, result.ConfigResource, result.Entries);
            }
        }
        catch (DescribeConfigsException e)
        {
            foreach (var report in e.Results)
            {
                if (report.Error.IsError)
                {
                    problem = (problem is null ? string.Empty : problem + "; ") + $"{report.ConfigResource.Type} {report.ConfigResource.Name}: {report.Error.Reason} ({report.Error.Code})";
                }
                else
                {
                    Keep(settings, report.ConfigResource, report.Entries);
                }
            }
        }
        catch (KafkaException e)
        {
            problem = $"{e.Error.Reason} ({e.Error.Code})";
        }
        catch (TimeoutException)
        {
            problem = $"DescribeConfigs was not answered within {_options.RequestTimeout.TotalSeconds:0.#} s";
        }

        var absoluteMaxBytes = _support.Settings.BatchSize.AbsoluteMaxBytes;
        var violations = KafkaBrokerSettings.Violations(settings, replication, absoluteMaxBytes);
        if (violations.Count > 0)
        {
            Stop($"the Kafka settings of topic {_topic} (replication factor {replication}) are unsafe for ordering: {string.Join("; ", violations)}");
            return false;
        }

        var notChecked = KafkaBrokerSettings.Unchecked(settings);
        if (notChecked.Count > 0)
        {
            LogSettingsUnchecked(_logger, _topic, string.Join(", ", notChecked), problem ?? "the brokers did not report them");
        }

        if (settings.Count > 0)
        {
            LogSettingsChecked(_logger, _topic, replication, string.Join(", ", KafkaBrokerSettings.Checked.Where(settings.ContainsKey).Select(n => $"{n}={settings[n]}")));
        }

        return true;
    }

    /// <summary>The topic's values for the topic-level settings; from the broker, only <c>replica.fetch.max.bytes</c> (the topic may override the rest).</summary>
    private static void Keep(Dictionary<string, string> settings, ConfigResource resource, Dictionary<string, ConfigEntryResult> entries)
    {
        foreach (var name in KafkaBrokerSettings.Checked)
        {
            var fromBroker = name == KafkaBrokerSettings.ReplicaFetchMaxBytes;
            if (fromBroker == (resource.Type == ResourceType.Broker) && entries.TryGetValue(name, out var entry) && entry.Value is { } value)
            {
                settings[name] = value;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Channel {Channel}: could not check the Kafka settings {Settings} of its topic: {Reason}; ordering without that check")]
    private static partial void LogSettingsUnchecked(ILogger logger, string channel, string settings, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Channel {Channel}: Kafka settings of its topic checked (replication factor {Replication}): {Settings}")]
    private static partial void LogSettingsChecked(ILogger logger, string channel, int replication, string settings);
}
