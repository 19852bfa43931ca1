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
}
