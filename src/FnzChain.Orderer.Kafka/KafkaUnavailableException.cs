namespace FnzChain.Orderer.Kafka;

/// <summary>The brokers did not answer or did not acknowledge a record (down, unreachable, too few in-sync replicas); the message names the cause.</summary>
public sealed class KafkaUnavailableException : InvalidOperationException
{
    public KafkaUnavailableException(string message)
        : base(message)
    {
    }

    public KafkaUnavailableException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    public KafkaUnavailableException()
    {
    }
}
