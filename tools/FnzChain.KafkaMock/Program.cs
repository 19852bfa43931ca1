using System.Runtime.InteropServices;
using FnzChain.KafkaMock;
using FnzChain.KafkaMock.Native;

// A local stand-in for a Kafka cluster (decision 0015): stdout carries exactly one line at start
// ("kafka-mock bootstrap <host:port,...>") and then one answer per command read from stdin; everything else goes
// to stderr. The host stops on "quit" or when stdin closes, so it dies with the process that started it; with
// --detach it reads no commands and runs until SIGTERM or SIGINT (network up's background stand-in).

var stderr = Console.Error;
if (HostOptions.Parse(args, out var argumentError) is not { } options)
{
    stderr.WriteLine($"kafka-mock: {argumentError}");
    stderr.WriteLine(HostOptions.Usage);
    return 2;
}

if (LibRdKafkaLoader.Load(stderr) is not { } libraryFile)
{
    stderr.WriteLine("kafka-mock: no librdkafka with the mock cluster API could be loaded (see above)");
    return 1;
}

var version = Marshal.PtrToStringUTF8(LibRdKafka.VersionString());
stderr.WriteLine($"kafka-mock: librdkafka {version} loaded from {libraryFile}");

MockCluster cluster;
try
{
    cluster = MockCluster.Start(options.Brokers);
}
catch (InvalidOperationException e)
{
    stderr.WriteLine($"kafka-mock: {e.Message}");
    return 1;
}

using (cluster)
{
    var interpreter = new CommandInterpreter(cluster);
    foreach (var topic in options.Topics)
    {
        if (interpreter.CreateTopic(topic) is { } refusal)
        {
            stderr.WriteLine($"kafka-mock: topic {topic.Name}: {refusal}");
            return 1;
        }
    }

    stderr.WriteLine(
        $"kafka-mock: an in-memory local stand-in for Kafka (librdkafka's mock cluster, {options.Brokers} brokers on loopback), " +
        "not a durable cluster: all data is lost when this process exits. " +
        (options.Detach ? "Detached: no commands; SIGTERM or SIGINT stops it." : "Commands on stdin: " + CommandInterpreter.Commands));
    Console.Out.WriteLine($"kafka-mock bootstrap {cluster.Bootstrap}");
    Console.Out.Flush();
    if (options.Detach)
    {
        using var stop = new ManualResetEventSlim();
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            stop.Set();
        });
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, context =>
        {
            context.Cancel = true;
            stop.Set();
        });
        stop.Wait();
        stderr.WriteLine("kafka-mock: stopped by signal; the in-memory data is gone");
        return 0;
    }

    while (Console.In.ReadLine() is { } line)
    {
        CommandAnswer answer;
        try
        {
            answer = interpreter.Execute(line);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A command must never take the cluster (and every client's data) down with it.
            answer = new CommandAnswer($"error {e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}", Quit: false);
        }

        Console.Out.WriteLine(answer.Line);
        Console.Out.Flush();
        if (answer.Quit)
        {
            break;
        }
    }
}

return 0;
