using System.Globalization;

namespace FnzChain.KafkaMock;

/// <summary>A topic to create: name, partition count, replication factor.</summary>
internal sealed record TopicSpec(string Name, int Partitions, int Replication)
{
    /// <summary>Kafka's own limit on partitions is far higher; a test stand-in needs few, and each costs memory.</summary>
    public const int MaxPartitions = 1000;

    /// <summary>Checks the three words of a topic against a cluster of <paramref name="brokerCount"/> brokers.</summary>
    /// <returns>The topic, or null with the cause in <paramref name="error"/>.</returns>
    public static TopicSpec? Parse(string name, string partitions, string replication, int brokerCount, out string error)
    {
        if (!IsLegalName(name))
        {
            error = $"illegal topic name '{name}' (1-249 characters of a-z A-Z 0-9 . _ -, not '.' or '..')";
            return null;
        }

        if (!int.TryParse(partitions, NumberStyles.None, CultureInfo.InvariantCulture, out var partitionCount)
            || partitionCount < 1 || partitionCount > MaxPartitions)
        {
            error = $"partitions must be a whole number from 1 to {MaxPartitions}, not '{partitions}'";
            return null;
        }

        if (!int.TryParse(replication, NumberStyles.None, CultureInfo.InvariantCulture, out var replicationFactor)
            || replicationFactor < 1 || replicationFactor > brokerCount)
        {
            error = $"replication must be a whole number from 1 to the broker count {brokerCount}, not '{replication}'";
            return null;
        }

        error = "";
        return new TopicSpec(name, partitionCount, replicationFactor);
    }

    private static bool IsLegalName(string name) =>
        name.Length is > 0 and <= 249
        && name is not "." and not ".."
        && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');
}
