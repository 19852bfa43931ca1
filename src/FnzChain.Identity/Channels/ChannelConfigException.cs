namespace FnzChain.Identity.Channels;

/// <summary>A channel configuration that cannot be used; the message names the field and why.</summary>
public sealed class ChannelConfigException : Exception
{
    public ChannelConfigException(string message)
        : base(message)
    {
    }

    public ChannelConfigException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
