using FnzChain.Node;

namespace FnzChain.Orderer.Hosting;

/// <summary>
/// The orderer's configuration file (see <see cref="NodeOptions"/>). Example:
/// <c>{ "listenAddress": "127.0.0.1:7050", "mspId": "OrdererMSP", "mspPath": "msp", "dataPath": "data" }</c>.
/// </summary>
public sealed class OrdererOptions : NodeOptions
{
    /// <summary>How the orderer's Kafka consenter talks to the brokers (channels ordered by Kafka only).</summary>
    public OrdererKafkaOptions Kafka { get; init; } = new();

    public static OrdererOptions Load(string path) => Load<OrdererOptions>(path, "orderer config");

    protected override void Validate()
    {
        if (Kafka is null)
        {
            throw new FormatException("kafka is null; leave it out for the defaults or give { \"fetchWaitMs\": … }");
        }

        if (Kafka.FetchWaitMs is < 1 or > 10_000)
        {
            throw new FormatException($"kafka.fetchWaitMs {Kafka.FetchWaitMs} is outside 1..10000");
        }
    }
}

/// <summary>The <c>kafka</c> section of the orderer's configuration.</summary>
public sealed class OrdererKafkaOptions
{
    /// <summary>
    /// The longest one fetch waits at the broker for new records (librdkafka's <c>fetch.wait.max.ms</c>). A real broker
    /// answers as soon as records arrive, so a long wait costs no latency there and saves idle requests: 500 (Kafka's
    /// default) suits a real cluster. librdkafka's mock cluster — the local stand-in of <c>network up</c> and the tests —
    /// waits out the full time, which becomes block latency; hence the default of 10.
    /// </summary>
    public int FetchWaitMs { get; init; } = 10;
}
