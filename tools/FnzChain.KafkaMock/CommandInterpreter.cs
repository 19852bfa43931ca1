using System.Globalization;

namespace FnzChain.KafkaMock;

/// <summary>One answer line (<c>ok ...</c> or <c>error &lt;cause&gt;</c>), and whether the host should stop.</summary>
internal readonly record struct CommandAnswer(string Line, bool Quit);

/// <summary>
/// The host's stdin protocol: one command per line, one answer line each. A command that cannot be carried out is
/// answered with <c>error</c> and the cause; the cluster keeps serving.
/// </summary>
internal sealed class CommandInterpreter
{
    public const string Commands =
        "create-topic <name> <partitions> <replication> | down <brokerId|all> | up <brokerId|all> | leader <topic> <partition> <brokerId> | help | quit";

    private readonly MockCluster _cluster;

    // Topics created through this host, with their partition counts: the mock would silently create an unknown topic
    // (with default partitions) when asked to move its leader, which is never what a test meant.
    private readonly Dictionary<string, int> _topics = new(StringComparer.Ordinal);

    public CommandInterpreter(MockCluster cluster)
    {
        _cluster = cluster;
    }

    public CommandAnswer Execute(string line)
    {
        var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (words.Length == 0)
        {
            return Error("empty command (commands: " + Commands + ")");
        }

        var args = words.AsSpan(1);
        return words[0] switch
        {
            "create-topic" => CreateTopic(args),
            "down" => SetBroker(args, up: false),
            "up" => SetBroker(args, up: true),
            "leader" => SetLeader(args),
            "help" => new CommandAnswer("ok commands: " + Commands, Quit: false),
            "quit" => new CommandAnswer("ok quit", Quit: true),
            _ => Error($"unknown command '{words[0]}' (commands: {Commands})"),
        };
    }

    /// <summary>Creates a topic given on the command line, before any client connects.</summary>
    public string? CreateTopic(TopicSpec topic)
    {
        if (_cluster.CreateTopic(topic.Name, topic.Partitions, topic.Replication) is { } refusal)
        {
            return refusal;
        }

        _topics[topic.Name] = topic.Partitions;
        return null;
    }

    private CommandAnswer CreateTopic(ReadOnlySpan<string> args)
    {
        if (args.Length != 3)
        {
            return Error("create-topic takes <name> <partitions> <replication>");
        }

        if (TopicSpec.Parse(args[0], args[1], args[2], _cluster.BrokerCount, out var error) is not { } topic)
        {
            return Error($"create-topic: {error}");
        }

        return CreateTopic(topic) is { } refusal
            ? Error($"create-topic {topic.Name}: {refusal}")
            : Ok($"create-topic {topic.Name} {topic.Partitions} {topic.Replication}");
    }

    private CommandAnswer SetBroker(ReadOnlySpan<string> args, bool up)
    {
        var verb = up ? "up" : "down";
        if (args.Length != 1)
        {
            return Error($"{verb} takes <brokerId|all>");
        }

        int brokerId;
        if (args[0] == "all")
        {
            brokerId = -1;
        }
        else if (ParseBroker(args[0]) is { } id)
        {
            brokerId = id;
        }
        else
        {
            return Error($"{verb}: {BrokerRange(args[0])}");
        }

        var refusal = up ? _cluster.SetBrokerUp(brokerId) : _cluster.SetBrokerDown(brokerId);
        return refusal is null ? Ok($"{verb} {args[0]}") : Error($"{verb} {args[0]}: {refusal}");
    }

    private CommandAnswer SetLeader(ReadOnlySpan<string> args)
    {
        if (args.Length != 3)
        {
            return Error("leader takes <topic> <partition> <brokerId>");
        }

        var topic = args[0];
        if (!_topics.TryGetValue(topic, out var partitions))
        {
            return Error($"leader: unknown topic '{topic}' (only topics created through this host can be moved)");
        }

        if (!int.TryParse(args[1], NumberStyles.None, CultureInfo.InvariantCulture, out var partition) || partition >= partitions)
        {
            return Error($"leader: topic {topic} has partitions 0 to {partitions - 1}, not '{args[1]}'");
        }

        // No leader-less partitions (broker -1): the mock dereferences the missing leader when it answers a Produce.
        if (ParseBroker(args[2]) is not { } brokerId)
        {
            return Error($"leader: {BrokerRange(args[2])}");
        }

        return _cluster.SetLeader(topic, partition, brokerId) is { } refusal
            ? Error($"leader {topic} {partition} {brokerId}: {refusal}")
            : Ok($"leader {topic} {partition} {brokerId}");
    }

    private int? ParseBroker(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id >= 1 && id <= _cluster.BrokerCount
            ? id
            : null;

    private string BrokerRange(string text) => $"broker ids run from 1 to {_cluster.BrokerCount}, not '{text}'";

    private static CommandAnswer Ok(string what) => new("ok " + what, Quit: false);

    private static CommandAnswer Error(string cause) => new("error " + cause.ReplaceLineEndings(" "), Quit: false);
}
