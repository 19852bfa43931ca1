using System.Threading.Channels;
using FnzChain.Node.Rpc;
using Microsoft.Extensions.Logging;

namespace FnzChain.Node.Audit;

/// <summary>
/// The node's audit trail: requests hand their records to a queue, and one background writer appends them in
/// batches to the hash-chained files of <c>&lt;dataPath&gt;/audit</c> (<see cref="AuditFileWriter"/>), off the hot path.
/// </summary>
/// <remarks>
/// The audit is a control, so a request is never served without its record: each request reserves room in the queue
/// before it runs (<see cref="TryReserveAsync"/>) and writes its record into that room when it ends. When the queue is
/// full (the disk is slower than the requests) a request waits up to <see cref="AuditOptions.QueueWaitMilliseconds"/>
/// and is then refused with <c>UNAVAILABLE</c>; when the files cannot be written at all, requests are refused at once
/// until a retry succeeds. Should the writer itself fail (an exception that is not the file system's), it stops for
/// good, fail closed: one critical line names the cause and the records lost, every request is refused, and
/// <c>/healthz</c> reports the fault (decision 0023). Records are never dropped silently. Stopping the node writes
/// every queued record and fsyncs the files.
/// </remarks>
public sealed partial class AuditTrail : IAsyncDisposable
{
    private static readonly TimeSpan RetryAfterFailure = TimeSpan.FromSeconds(1);

    private readonly string _folder;
    private readonly AuditOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<AuditTrail> _logger;
    private readonly SemaphoreSlim _room;
    private readonly Channel<AuditRecord> _queue = Channel.CreateUnbounded<AuditRecord>(new UnboundedChannelOptions { SingleReader = true });
    private AuditFileWriter? _files;
    private Task? _writer;
    private readonly CancellationTokenSource _stopping = new();
    private volatile string? _fault;
    private volatile bool _stopped;
    private long _written;

    public AuditTrail(string folder, AuditOptions options, TimeProvider time, ILogger<AuditTrail> logger)
    {
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(options);
        _folder = folder;
        _options = options;
        _time = time;
        _logger = logger;
        _room = new SemaphoreSlim(options.QueueCapacity, options.QueueCapacity);
    }

    /// <summary>The audit folder (<c>&lt;dataPath&gt;/audit</c>).</summary>
    public string Folder => _folder;

    /// <summary>Why records cannot be written now, or null.</summary>
    public string? Fault => _fault;

    /// <summary>Records written since the node started.</summary>
    public long Written => Interlocked.Read(ref _written);

    /// <summary>Opens the files (a new one, linked to the last line of the previous run) and starts the writer.</summary>
    public void Start()
    {
        _files = AuditFileWriter.Open(_folder, _options.MaxFileBytes, _time);
        _writer = Task.Run(WriteLoopAsync);
    }

    /// <summary>
    /// Room for one record, waiting briefly when the queue is full; false when there is none (the request must be
    /// refused). Every true is paired with one <see cref="Append"/> or <see cref="Release"/>.
    /// </summary>
    public async ValueTask<bool> TryReserveAsync(CancellationToken cancellationToken)
    {
        if (_fault is not null || _writer is null)
        {
            return false;
        }

        if (_room.Wait(0, CancellationToken.None) || await _room.WaitAsync(_options.QueueWaitMilliseconds, cancellationToken).ConfigureAwait(false))
        {
            return true;
        }

        RpcMetrics.AuditRefused.Add(1);
        return false;
    }

    /// <summary>Gives back a reservation that will carry no record.</summary>
    public void Release() => _room.Release();

    /// <summary>Queues <paramref name="record"/> into the room reserved for it.</summary>
    public void Append(AuditRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (!_queue.Writer.TryWrite(record))
        {
            _room.Release(); // the trail is stopping: the node no longer serves
        }
    }

    /// <summary>Why a request is refused when no room could be reserved.</summary>
    public string RefusalReason => _fault is { } fault
        ? $"the audit trail cannot be written ({fault}); requests are refused {(_stopped ? "until the node is restarted" : "until it can")}"
        : $"the audit trail is {_options.QueueCapacity} records behind; retry later";

    private async Task WriteLoopAsync()
    {
        var batch = new List<AuditRecord>(_options.BatchSize);
        var reader = _queue.Reader;
        try
        {
            while (await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                while (batch.Count < _options.BatchSize && reader.TryRead(out var record))
                {
                    batch.Add(record);
                }

                await WriteAsync(batch).ConfigureAwait(false);
                _room.Release(batch.Count);
                batch.Clear();
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Not a file-system failure (those are retried): a fault of the writer itself, which retrying would repeat.
            // Fail closed: the node refuses every request from now on and /healthz names the cause.
            _stopped = true;
            _fault = $"the audit writer stopped on {e.GetType().Name}: {e.Message}";
            var lost = batch.Count;
            while (reader.TryRead(out _))
            {
                lost++;
            }

            LogWriterStopped(_logger, _folder, _fault, lost);
        }
    }

    /// <summary>Writes a batch, retrying every second while the files cannot be written (requests are refused meanwhile).</summary>
    private async Task WriteAsync(List<AuditRecord> batch)
    {
        while (true)
        {
            try
            {
                _files ??= AuditFileWriter.Open(_folder, _options.MaxFileBytes, _time);
                _files.Append(batch, _options.SyncEveryBatch);
                Interlocked.Add(ref _written, batch.Count);
                RpcMetrics.AuditRecords.Add(batch.Count);
                if (_fault is not null)
                {
                    _fault = null;
                    LogRecovered(_logger, _folder);
                }

                return;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException)
            {
                if (_fault is null)
                {
                    _fault = $"{e.GetType().Name}: {e.Message}";
                    LogWriteFailed(_logger, _folder, _fault);
                }

                // Continue in a new file linked to the last line known to be written; what this attempt may have left
                // in the old one shows in audit verify.
                DisposeQuietly(_files);
                _files = null;
                try
                {
                    await Task.Delay(RetryAfterFailure, _time, _stopping.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    LogLost(_logger, batch.Count, _folder, _fault ?? "stopping");
                    return;
                }
            }
        }
    }

    private static void DisposeQuietly(AuditFileWriter? files)
    {
        try
        {
            files?.Dispose();
        }
        catch (IOException)
        {
            // the file system is what failed; the next attempt opens afresh
        }
    }

    /// <summary>Writes every queued record, fsyncs and closes the files.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        if (_writer is not null)
        {
            // A trail that cannot write gives up at stop (saying how many records were lost) instead of hanging the node.
            if (_fault is not null)
            {
                await _stopping.CancelAsync().ConfigureAwait(false);
            }

            await _writer.ConfigureAwait(false);
        }

        _stopping.Dispose();

        _files?.Dispose();
        _files = null;
        _room.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Critical, Message = "Audit trail in {Folder} cannot be written: {Reason}; requests are refused with UNAVAILABLE until it can")]
    private static partial void LogWriteFailed(ILogger logger, string folder, string reason);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Audit trail in {Folder}: {Reason}; {Lost} queued records were not written; every request is refused with UNAVAILABLE and /healthz reports it until the node is restarted")]
    private static partial void LogWriterStopped(ILogger logger, string folder, string reason, int lost);

    [LoggerMessage(Level = LogLevel.Critical, Message = "{Count} audit records were not written to {Folder} at stop: {Reason}")]
    private static partial void LogLost(ILogger logger, int count, string folder, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Audit trail in {Folder} is written again; requests are served")]
    private static partial void LogRecovered(ILogger logger, string folder);
}
