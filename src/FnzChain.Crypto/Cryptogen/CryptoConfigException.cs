namespace FnzChain.Crypto.Cryptogen;

/// <summary>A crypto config that cannot be used; the message is one line and names the field at fault.</summary>
public sealed class CryptoConfigException : Exception
{
    public CryptoConfigException() { }

    public CryptoConfigException(string message) : base(message) { }

    public CryptoConfigException(string message, Exception inner) : base(message, inner) { }
}
