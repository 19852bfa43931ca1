using Microsoft.Extensions.Logging;

namespace FnzChain.KafkaTests;

/// <summary>Keeps every line logged to it, with its level (thread-safe).</summary>
internal sealed class ListLogger : ILogger
{
    private readonly List<(LogLevel Level, string Message)> _lines = [];

    public List<(LogLevel Level, string Message)> Lines
    {
        get
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }
    }

    /// <summary>The messages logged at <paramref name="level"/> that contain <paramref name="text"/>.</summary>
    public List<string> At(LogLevel level, string text) => Lines.Where(l => l.Level == level && l.Message.Contains(text, StringComparison.Ordinal)).Select(l => l.Message).ToList();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_lines)
        {
            _lines.Add((logLevel, formatter(state, exception)));
        }
    }
}
