using Microsoft.Extensions.Logging;

namespace FnzChain.Node.Tls;

/// <summary>
/// Logs TLS handshakes refused or failed on the gRPC listener (<see cref="HandshakeGuard"/>): at most <see cref="LinesPerWindow"/> lines per 10 s, then one
/// line counting the rest, so that a client hammering the port cannot flood the log.
/// </summary>
public sealed partial class HandshakeRefusalLog(ILogger logger, TimeProvider time)
{
    public const int LinesPerWindow = 5;

    private readonly Lock _lock = new();
    private DateTimeOffset _windowStart = DateTimeOffset.MinValue;
    private int _lines;
    private int _suppressed;
    private long _total;

    /// <summary>Handshakes refused since start.</summary>
    public long Total => Interlocked.Read(ref _total);

    public void Refused(string reason)
    {
        Interlocked.Increment(ref _total);
        int suppressed;
        lock (_lock)
        {
            var now = time.GetUtcNow();
            suppressed = 0;
            if (now - _windowStart > TimeSpan.FromSeconds(10))
            {
                suppressed = _suppressed;
                _windowStart = now;
                _lines = 0;
                _suppressed = 0;
            }

            if (_lines >= LinesPerWindow)
            {
                _suppressed++;
                return;
            }

            _lines++;
        }

        if (suppressed > 0)
        {
            LogSuppressed(logger, suppressed);
        }

        LogRefused(logger, reason);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "TLS handshake refused: client {Reason}")]
    private static partial void LogRefused(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Count} more TLS handshakes refused in the last 10 s were not logged")]
    private static partial void LogSuppressed(ILogger logger, int count);
}
