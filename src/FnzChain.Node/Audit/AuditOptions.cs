namespace FnzChain.Node.Audit;

/// <summary>The node's audit trail (<c>"audit"</c> in its configuration file). The trail is always on: it is a control.</summary>
public sealed class AuditOptions
{
    /// <summary>A file is closed and the next one started when a line would take it past this size.</summary>
    public long MaxFileBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>
    /// Records that may be outstanding at once: requests in progress plus records not yet written. A request that
    /// finds no room waits up to <see cref="QueueWaitMilliseconds"/>, then is refused with <c>UNAVAILABLE</c>.
    /// </summary>
    public int QueueCapacity { get; init; } = 65_536;

    /// <summary>How long a request waits for room in the audit queue before it is refused.</summary>
    public int QueueWaitMilliseconds { get; init; } = 200;

    /// <summary>Records written (and flushed to the operating system) together at most.</summary>
    public int BatchSize { get; init; } = 512;

    /// <summary>fsync after every batch (each answered request is on disk before the next batch); otherwise at rotation and shutdown.</summary>
    public bool SyncEveryBatch { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the field that is out of range.</summary>
    public void Validate()
    {
        if (MaxFileBytes < 4096)
        {
            throw new ArgumentException($"audit.maxFileBytes {MaxFileBytes} is less than 4096");
        }

        if (QueueCapacity is < 16 or > 10_000_000)
        {
            throw new ArgumentException($"audit.queueCapacity {QueueCapacity} is outside 16..10000000");
        }

        if (QueueWaitMilliseconds is < 0 or > 60_000)
        {
            throw new ArgumentException($"audit.queueWaitMilliseconds {QueueWaitMilliseconds} is outside 0..60000");
        }

        if (BatchSize is < 1 or > 100_000)
        {
            throw new ArgumentException($"audit.batchSize {BatchSize} is outside 1..100000");
        }
    }
}
