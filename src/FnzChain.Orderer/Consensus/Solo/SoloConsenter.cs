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
/// timeout. Batch size and timeout are read from the configuration in force for every envelope, so a config update
/// that changes them applies from the next batch. An envelope checked against an older configuration than the one in
/// force when its turn comes is checked again (and dropped, with a warning, when it no longer passes). The queue is
/// bounded, so a flood of submissions gets back-pressure instead of unbounded memory. Solo records no consenter
/// metadata: what it acknowledged and had not written is lost with the process (Kafka's SUCCESS promises more).
/// </summary>
public sealed partial class SoloConsenter : IConsenter
{
    private const int QueueCapacity = 10_000;

    private readonly Channel<Queued> _queue =
        Channel.CreateBounded<Queued>(new BoundedChannelOptions(QueueCapacity) { SingleReader = true });

    private readonly BlockCutter _cutter;
    private readonly IConsenterSupport _support;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private Task? _loop;
    private volatile string? _fault;

    public SoloConsenter(IConsenterSupport support, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(support);
        _support = support;
        _cutter = new BlockCutter(() => support.Settings.BatchSize);
        _logger = logger;
    }

    public string? Fault => _fault;

    public void Start() => _loop ??= Task.Run(() => RunAsync(_stopping.Token));

    private readonly record struct Queued(byte[] Envelope, ulong ConfigSequence, bool IsConfig);

    public async ValueTask OrderAsync(Envelope envelope, ulong configSequence, bool isConfig, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        if (_fault is { } fault)
        {
            throw new InvalidOperationException(fault);
        }

        try
        {
            await _queue.Writer.WriteAsync(new Queued(envelope.ToByteArray(), configSequence, isConfig), cancellationToken).ConfigureAwait(false);
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
                if (!reader.TryRead(out var queued))
                {
                    if (!await WaitForEnvelopeAsync(reader, deadline, cancellationToken).ConfigureAwait(false))
                    {
                        // The batch timeout expired with envelopes pending: cut them.
                        await WriteAsync(_cutter.Cut(), isConfig: false, cancellationToken).ConfigureAwait(false);
                        deadline = DateTimeOffset.MaxValue;
                    }

                    continue;
                }

                if (Rechecked(queued) is not { } item)
                {
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
                    deadline = DateTimeOffset.UtcNow + _support.Settings.BatchTimeout; // this envelope started a new batch
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

    /// <summary>
    /// The envelope to order: as queued when the configuration it was checked against is still in force, else checked
    /// again (a config update recomputed); null when it no longer passes (logged: the submitter had SUCCESS for it).
    /// </summary>
    private Queued? Rechecked(Queued queued)
    {
        if (queued.ConfigSequence >= _support.ConfigSequence)
        {
            return queued;
        }

        Recheck recheck;
        try
        {
            recheck = _support.Recheck(Envelope.Parser.ParseFrom(queued.Envelope), queued.IsConfig);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            recheck = Consensus.Recheck.Refused($"checking it again failed: {e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}");
        }

        if (recheck.Envelope is { } envelope)
        {
            return queued with { Envelope = envelope.ToByteArray(), ConfigSequence = _support.ConfigSequence };
        }

        LogDropped(_logger, _support.ChannelId, queued.IsConfig ? "config update" : "envelope", queued.ConfigSequence, _support.ConfigSequence, recheck.Problem ?? "refused");
        return null;
    }

    /// <summary>Waits for the next envelope; false when the deadline passes first (only when envelopes are pending).</summary>
    private async Task<bool> WaitForEnvelopeAsync(ChannelReader<Queued> reader, DateTimeOffset deadline, CancellationToken cancellationToken)
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
            await _support.WriteAsync(batch, isConfig, ByteString.Empty, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A block the ledger refuses would be refused again: stop ordering this channel rather than lose or reorder envelopes.
            LogHalted(_logger, e, batch.Count);
            throw;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Channel {Channel}: dropped an acknowledged {What} checked against config sequence {Checked}: under sequence {Current} it no longer passes: {Reason}")]
    private static partial void LogDropped(ILogger logger, string channel, string what, ulong @checked, ulong current, string reason);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Solo consenter stopped; Broadcast now answers SERVICE_UNAVAILABLE for this channel. {Lost} acknowledged envelope(s) queued in memory were not ordered")]
    private static partial void LogStopped(ILogger logger, int lost);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Solo consenter halted: writing a block of {Count} envelopes failed")]
    private static partial void LogHalted(ILogger logger, Exception exception, int count);
}

/// <summary>Makes <see cref="SoloConsenter"/>s, for channels whose <c>ConsensusType</c> is "solo".</summary>
public sealed class SoloConsenterFactory : IConsenterFactory
{
    public string Type => "solo";

    public IConsenter Create(IConsenterSupport support, ByteString lastConsenterMetadata, ILogger logger) => new SoloConsenter(support, logger);
}
