using System.Globalization;

namespace FnzChain.KafkaMock;

/// <summary>
/// The command line: <c>--brokers N [--topic name:partitions:replication ...] [--detach]</c>. With <c>--detach</c> the host
/// reads no commands and runs until SIGTERM or SIGINT (what <c>network up</c> starts in the background); without it, it
/// stops when stdin closes.
/// </summary>
internal sealed record HostOptions(int Brokers, IReadOnlyList<TopicSpec> Topics, bool Detach = false)
{
    public const int MaxBrokers = 16;

    public const string Usage =
        "usage: FnzChain.KafkaMock --brokers <1-16> [--topic <name>:<partitions>:<replication> ...] [--detach]";

    /// <returns>The options, or null with the cause in <paramref name="error"/>.</returns>
    public static HostOptions? Parse(IReadOnlyList<string> args, out string error)
    {
        int? brokers = null;
        var topics = new List<string>();
        var detach = false;
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            if (name == "--detach")
            {
                detach = true;
                continue;
            }

            if (name is not ("--brokers" or "--topic"))
            {
                error = $"unknown argument '{name}'";
                return null;
            }

            if (i + 1 >= args.Count)
            {
                error = $"{name} needs a value";
                return null;
            }

            var value = args[++i];
            if (name == "--topic")
            {
                topics.Add(value);
                continue;
            }

            if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count < 1 || count > MaxBrokers)
            {
                error = $"--brokers must be a whole number from 1 to {MaxBrokers}, not '{value}'";
                return null;
            }

            brokers = count;
        }

        if (brokers is not { } brokerCount)
        {
            error = "--brokers is required";
            return null;
        }

        var specs = new List<TopicSpec>();
        foreach (var topic in topics)
        {
            var parts = topic.Split(':');
            if (parts.Length != 3)
            {
                error = $"--topic takes name:partitions:replication, not '{topic}'";
                return null;
            }

            if (TopicSpec.Parse(parts[0], parts[1], parts[2], brokerCount, out error) is not { } spec)
            {
                error = $"--topic {topic}: {error}";
                return null;
            }

            specs.Add(spec);
        }

        error = "";
        return new HostOptions(brokerCount, specs, detach);
    }
}
