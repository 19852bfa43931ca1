namespace FnzChain.Identity.Msp;

/// <summary>An MSP definition that cannot be used; the message names the MSP or file and the problem.</summary>
public sealed class MspException : Exception
{
    public MspException() { }

    public MspException(string message) : base(message) { }

    public MspException(string message, Exception inner) : base(message, inner) { }
}
