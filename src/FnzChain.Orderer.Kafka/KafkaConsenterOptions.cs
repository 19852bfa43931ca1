namespace FnzChain.Orderer.Kafka;

/// <summary>How an orderer talks to the brokers (the brokers themselves come from the channel's KafkaBrokers value).</summary>
public sealed record KafkaConsenterOptions
{
    /// <summary>How long Broadcast waits for the brokers to acknowledge an envelope before answering SERVICE_UNAVAILABLE.</summary>
    public TimeSpan ProduceTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The orderer's name in client ids and CONNECT records.</summary>
    public string OrdererName { get; init; } = Environment.MachineName;

    /// <summary>How long one metadata or configuration request to the brokers may take at start (then it is retried).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The first back-off of a retried post or start-up check; it doubles (with jitter) up to <see cref="RetryMaxDelay"/>.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>The longest back-off between two attempts; retries go on until they succeed or the channel stops.</summary>
    public TimeSpan RetryMaxDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The longest one fetch waits at the broker for new records (<c>fetch.wait.max.ms</c>). A real broker answers as
    /// soon as records arrive; librdkafka's mock cluster waits out the full time, which with Kafka's default of 500 ms
    /// put half a second into every TIME_TO_CUT round trip. 10 ms (the default, for the mock) costs ~100 idle fetches a
    /// second per orderer and channel; a real cluster is better served by 500.
    /// </summary>
    public int FetchWaitMs { get; init; } = 10;
}
