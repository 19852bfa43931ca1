namespace FnzChain.Cli;

/// <summary>A failure the CLI reports as it is: the message already names the cause.</summary>
public sealed class CliException : Exception
{
    public CliException(string message) : base(message) { }

    public CliException(string message, Exception inner) : base(message, inner) { }

    public CliException() { }
}
