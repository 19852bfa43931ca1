using System.Runtime.InteropServices;
using FnzChain.KafkaMock.Native;

namespace FnzChain.KafkaMock;

/// <summary>
/// librdkafka's mock cluster: <see cref="BrokerCount"/> brokers speaking the Kafka protocol on loopback ports, all
/// data in this process's memory. Every method answers null on success or the cause of a refusal.
/// </summary>
internal sealed unsafe class MockCluster : IDisposable
{
    private const int ErrorBufferSize = 512;
    private nint _client;
    private nint _cluster;

    private MockCluster(nint client, nint cluster, int brokerCount)
    {
        _client = client;
        _cluster = cluster;
        BrokerCount = brokerCount;
        Bootstrap = Marshal.PtrToStringUTF8(LibRdKafka.MockClusterBootstraps(cluster)) ?? "";
    }

    public int BrokerCount { get; }

    /// <summary>The brokers' <c>host:port</c> list, comma separated (Kafka's <c>bootstrap.servers</c>).</summary>
    public string Bootstrap { get; }

    public static MockCluster Start(int brokerCount)
    {
        // The mock cluster needs a client handle to hang off; a producer that never produces does.
        var conf = LibRdKafka.ConfNew();
        var error = stackalloc byte[ErrorBufferSize];
        // Warnings and errors only: the idle owner client would otherwise note that it has no bootstrap.servers.
        Set(conf, "log_level", "4", error);
        Set(conf, "client.id", "fnzchain-kafka-mock", error);
        var client = LibRdKafka.New(LibRdKafka.ProducerType, conf, error, (nuint)ErrorBufferSize);
        if (client == 0)
        {
            LibRdKafka.ConfDestroy(conf);
            throw new InvalidOperationException($"librdkafka could not create the cluster's owner client: {Text(error)}");
        }

        var cluster = LibRdKafka.MockClusterNew(client, brokerCount);
        if (cluster == 0)
        {
            LibRdKafka.Destroy(client);
            throw new InvalidOperationException($"librdkafka could not start a mock cluster of {brokerCount} brokers (see its log above)");
        }

        return new MockCluster(client, cluster, brokerCount);
    }

    public string? CreateTopic(string topic, int partitions, int replication) =>
        Check(LibRdKafka.MockTopicCreate(_cluster, topic, partitions, replication));

    public string? SetBrokerDown(int brokerId) => Check(LibRdKafka.MockBrokerSetDown(_cluster, brokerId));

    public string? SetBrokerUp(int brokerId) => Check(LibRdKafka.MockBrokerSetUp(_cluster, brokerId));

    public string? SetLeader(string topic, int partition, int brokerId) =>
        Check(LibRdKafka.MockPartitionSetLeader(_cluster, topic, partition, brokerId));

    public void Dispose()
    {
        // The cluster first: it belongs to the client.
        if (_cluster != 0)
        {
            LibRdKafka.MockClusterDestroy(_cluster);
            _cluster = 0;
        }

        if (_client != 0)
        {
            LibRdKafka.Destroy(_client);
            _client = 0;
        }
    }

    private static void Set(nint conf, string name, string value, byte* error)
    {
        if (LibRdKafka.ConfSet(conf, name, value, error, (nuint)ErrorBufferSize) != LibRdKafka.ConfOk)
        {
            LibRdKafka.ConfDestroy(conf);
            throw new InvalidOperationException($"librdkafka refused {name}={value}: {Text(error)}");
        }
    }

    private static string? Check(int error) => error == LibRdKafka.NoError ? null : LibRdKafka.Describe(error);

    private static string Text(byte* buffer) => Marshal.PtrToStringUTF8((nint)buffer) ?? "";
}
