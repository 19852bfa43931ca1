using System.Runtime.InteropServices;

namespace FnzChain.KafkaMock.Native;

/// <summary>
/// The few librdkafka entry points the host needs: a client handle (the mock cluster's owner) and the mock cluster
/// API of <c>rdkafka_mock.h</c>, which librdkafka marks experimental (no API or ABI stability guarantee).
/// Resolved to the file <see cref="LibRdKafkaLoader"/> loaded.
/// </summary>
internal static unsafe partial class LibRdKafka
{
    public const string LibraryName = "librdkafka";

    /// <summary><c>RD_KAFKA_PRODUCER</c> of <c>rd_kafka_type_t</c>.</summary>
    public const int ProducerType = 0;

    /// <summary><c>RD_KAFKA_CONF_OK</c> of <c>rd_kafka_conf_res_t</c>.</summary>
    public const int ConfOk = 0;

    /// <summary><c>RD_KAFKA_RESP_ERR_NO_ERROR</c>.</summary>
    public const int NoError = 0;

    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_version_str")]
    public static partial nint VersionString();

    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_err2str")]
    public static partial nint ErrorToString(int error);

    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_conf_new")]
    public static partial nint ConfNew();

    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_conf_destroy")]
    public static partial void ConfDestroy(nint conf);

    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_conf_set", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int ConfSet(nint conf, string name, string value, byte* errstr, nuint errstrSize);

    /// <summary>Takes ownership of <paramref name="conf"/> on success only.</summary>
    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_new")]
    public static partial nint New(int type, nint conf, byte* errstr, nuint errstrSize);

    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_destroy")]
    public static partial void Destroy(nint rk);

    /// <summary>Broker ids run from 1 to <paramref name="brokerCount"/>; NULL when the cluster could not start.</summary>
    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_mock_cluster_new")]
    public static partial nint MockClusterNew(nint rk, int brokerCount);

    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_mock_cluster_destroy")]
    public static partial void MockClusterDestroy(nint mcluster);

    /// <summary>A string the cluster owns (not to be freed).</summary>
    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_mock_cluster_bootstraps")]
    public static partial nint MockClusterBootstraps(nint mcluster);

    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_mock_topic_create", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int MockTopicCreate(nint mcluster, string topic, int partitionCount, int replicationFactor);

    /// <summary>Closes the broker's connections and listener; does not move partition leadership.</summary>
    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_mock_broker_set_down")]
    public static partial int MockBrokerSetDown(nint mcluster, int brokerId);

    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_mock_broker_set_up")]
    public static partial int MockBrokerSetUp(nint mcluster, int brokerId);

    /// <summary>Creates the topic (with default partitions) when it does not exist.</summary>
    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_mock_partition_set_leader", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int MockPartitionSetLeader(nint mcluster, string topic, int partition, int brokerId);

    public static string Describe(int error) => Marshal.PtrToStringUTF8(ErrorToString(error)) ?? $"error {error}";
}
