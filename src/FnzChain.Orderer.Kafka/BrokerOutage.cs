using Microsoft.Extensions.Logging;

namespace FnzChain.Orderer.Kafka;

/// <summary>
/// Whether a channel's Kafka brokers answer. The first failure of an outage is logged (a warning naming the cause);
/// later failures only update <see cref="Reason"/> (the consenter's Fault), however often the consenter retries; the
/// first success after it logs the recovery once, with how long it lasted. Thread-safe: Broadcast's posts, the
/// consume loop and librdkafka's error callback all report here.
/// </summary>
internal sealed partial class BrokerOutage(string channel, ILogger logger, TimeProvider time)
{
    private readonly Lock _gate = new();
    private string? _reason;
    private DateTimeOffset _since;
    private int _failures;

    /// <summary>Why the brokers do not answer, while they do not; null otherwise.</summary>
    public string? Reason => Volatile.Read(ref _reason);

    /// <summary>Records a failure; true when it began an outage (and was logged).</summary>
    public bool Failed(string reason)
    {
        lock (_gate)
        {
            _failures++;
            var began = _reason is null;
            if (began)
            {
                _since = time.GetUtcNow();
                _failures = 1;
            }

            Volatile.Write(ref _reason, reason);
            if (!began)
            {
                return false;
            }
        }

        LogOutage(logger, channel, reason);
        return true;
    }

    /// <summary>Records that the brokers answered; ends an outage (logged once).</summary>
    public void Answered()
    {
        if (Volatile.Read(ref _reason) is null)
        {
            return;
        }

        TimeSpan lasted;
        int failures;
        lock (_gate)
        {
            if (_reason is null)
            {
                return;
            }

            (lasted, failures) = (time.GetUtcNow() - _since, _failures);
            Volatile.Write(ref _reason, null);
        }

        LogRecovered(logger, channel, lasted.TotalSeconds, failures);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Channel {Channel}: the Kafka brokers do not answer; retrying with back-off until they do: {Reason}")]
    private static partial void LogOutage(ILogger logger, string channel, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Channel {Channel}: the Kafka brokers answer again after {Seconds:F1} s ({Failures} failed attempts meanwhile)")]
    private static partial void LogRecovered(ILogger logger, string channel, double seconds, int failures);
}
