namespace FnzChain.Crypto.Keys;

/// <summary>A key or certificate file that cannot be used; the message is one line and names the file.</summary>
public sealed class KeyFileException : Exception
{
    public KeyFileException(string path, string problem)
        : base($"{path}: {problem}")
    {
        Path = path;
    }

    public KeyFileException(string path, string problem, Exception inner)
        : base($"{path}: {problem}", inner)
    {
        Path = path;
    }

    public KeyFileException() { }

    public KeyFileException(string message) : base(message) { }

    public KeyFileException(string message, Exception inner) : base(message, inner) { }

    /// <summary>The file at fault.</summary>
    public string Path { get; } = string.Empty;
}
