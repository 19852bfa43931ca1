namespace FnzChain.Identity.Policies;

/// <summary>A policy that cannot be parsed or compiled; the message names the position or clause at fault.</summary>
public sealed class PolicyException : Exception
{
    public PolicyException() { }

    public PolicyException(string message) : base(message) { }

    public PolicyException(string message, Exception inner) : base(message, inner) { }
}
