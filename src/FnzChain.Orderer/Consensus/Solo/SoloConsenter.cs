using System.Threading.Channels;
using FnzChain.Orderer.Cutting;
using FnzChain.Protos.Common;
using FnzChain.Identity.Channels;
using Google.Protobuf;
using Microsoft.Extensions.Logging;

namespace FnzChain.Orderer.Consensus.Solo;

/// <summary>
/// One orderer, no external service: envelopes queue in arrival order and a single loop cuts them into blocks
/// with the <see cref="BlockCutter"/>, cutting a non-empty batch when its oldest envelope has waited the batch
/// timeout. The queue is bounded, so a flood of submissions gets back-pressure instead of unbounded memory.
/// </summary>
public sealed partial class SoloConsenter : IConsenter
{
    private const int QueueCapacity = 10_000;

    private readonly Channel<(byte[] Envelope, bool IsConfig)> _queue =
        Channel.CreateBounded<(byte[], bool)>(new BoundedChannelOptions(QueueCapacity) { SingleReader = true });

    private readonly BlockCutter _cutter;
    private readonly TimeSpan _batchTimeout;
    private readonly IBlockWriter _writer;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private Task? _loop;
    private volatile string? _fault;

    public SoloConsenter(OrdererSettings config, IBlockWriter writer, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(writer);
        _cutter = new BlockCutter(config.BatchSize);
        _batchTimeout = config.BatchTimeout;
        _writer = writer;
        _logger = logger;
    }

    public string? Fault => _fault;

    public void Start() => _loop ??= Task.Run(() => RunAsync(_stopping.Token));

    public async ValueTask OrderAsync(Envelope envelope, bool isConfig, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        if (_fault is { } fault)
        {
            throw new InvalidOperationException(fault);
        }

        try
        {
            await _queue.Writer.WriteAsync((envelope.ToByteArray(), isConfig), cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException) when (_fault is { } closed)
        {
            throw new InvalidOperationException(closed);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            try
            {
                await _loop.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }

        _stopping.Dispose();
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var reader = _queue.Reader;
        var deadline = DateTimeOffset.MaxValue;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (!reader.TryRead(out var item))
                {
                    if (!await WaitForEnvelopeAsync(reader, deadline, cancellationToken).ConfigureAwait(false))
                    {
                        // The batch timeout expired with envelopes pending: cut them.
                        await WriteAsync(_cutter.Cut(), isConfig: false, cancellationToken).ConfigureAwait(false);
                        deadline = DateTimeOffset.MaxValue;
                    }

                    continue;
                }

                if (item.IsConfig)
                {
                    if (_cutter.HasPending)
                    {
                        await WriteAsync(_cutter.Cut(), isConfig: false, cancellationToken).ConfigureAwait(false);
                    }

                    await WriteAsync([item.Envelope], isConfig: true, cancellationToken).ConfigureAwait(false);
                    deadline = DateTimeOffset.MaxValue;
                    continue;
                }

                foreach (var batch in _cutter.Ordered(item.Envelope))
                {
                    await WriteAsync(batch, isConfig: false, cancellationToken).ConfigureAwait(false);
                }

                if (!_cutter.HasPending)
                {
                    deadline = DateTimeOffset.MaxValue;
                }
                else if (_cutter.PendingCount == 1)
                {
                    deadline = DateTimeOffset.UtcNow + _batchTimeout; // this envelope started a new batch
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (ChannelClosedException)
            {
                return;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // Writing a block failed (logged by WriteAsync): stop taking envelopes rather than acknowledge ones that
                // will never be ordered. What was queued or pending is lost with this process's memory, as with any
                // solo crash; say how much.
                _fault = $"ordering stopped: writing a block failed: {e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}";
                _queue.Writer.TryComplete();
                var lost = _cutter.PendingCount + reader.Count;
                LogStopped(_logger, lost);
                return;
            }
        }
    }

    /// <summary>Waits for the next envelope; false when the deadline passes first (only when envelopes are pending).</summary>
    private async Task<bool> WaitForEnvelopeAsync(ChannelReader<(byte[], bool)> reader, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        if (!_cutter.HasPending)
        {
            if (!await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                throw new ChannelClosedException();
            }

            return true;
        }

        var remaining = deadline - DateTimeOffset.UtcNow;
        if (remaining <= TimeSpan.Zero)
        {
            return false;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(remaining);
        try
        {
            if (!await reader.WaitToReadAsync(timeout.Token).ConfigureAwait(false))
            {
                throw new ChannelClosedException();
            }

            return true;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private async Task WriteAsync(IReadOnlyList<byte[]> batch, bool isConfig, CancellationToken cancellationToken)
    {
        if (batch.Count == 0)
        {
            return;
        }

        try
        {
            await _writer.WriteAsync(batch, isConfig, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A block the ledger refuses would be refused again: stop ordering this channel rather than lose or reorder envelopes.
            LogHalted(_logger, e, batch.Count);
            throw;
        }
    }

    [LoggerMessage(Level = LogLevel.Critical, Message = "Solo consenter stopped; Broadcast now answers SERVICE_UNAVAILABLE for this channel. {Lost} acknowledged envelope(s) queued in memory were not ordered")]
    private static partial void LogStopped(ILogger logger, int lost);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Solo consenter halted: writing a block of {Count} envelopes failed")]
    private static partial void LogHalted(ILogger logger, Exception exception, int count);
}
