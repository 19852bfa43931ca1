namespace FnzChain.Orderer.Consensus;

/// <summary>
/// An envelope the consenter cannot carry because of its size (e.g. over the Kafka record limit the orderer's producer
/// or the brokers enforce). The client's fault, not the orderer's: Broadcast answers REQUEST_ENTITY_TOO_LARGE with the
/// message, which names the size and the limit; the channel goes on ordering.
/// </summary>
public sealed class EnvelopeTooLargeException : Exception
{
    public EnvelopeTooLargeException(string message)
        : base(message)
    {
    }

    public EnvelopeTooLargeException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    public EnvelopeTooLargeException()
    {
    }
}
