using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace FnzChain.Orderer.Kafka;

/// <summary>
/// What the consenter does while the brokers do not answer: its own posts (CONNECT and the topic checks at start, a
/// re-posted message, a TIME_TO_CUT) are retried with exponential back-off and jitter (<see cref="KafkaConsenterOptions.RetryDelay"/>
/// doubling up to <see cref="KafkaConsenterOptions.RetryMaxDelay"/>), for as long as it takes — the consenter never gives
/// up on brokers that are down; <see cref="BrokerOutage"/> logs the outage once, keeps <see cref="Fault"/> saying why,
/// and logs the recovery once. An outage noticed outside those posts (a client's envelope not acknowledged, librdkafka
/// reporting every broker down) starts a reconnection: CONNECT posted, with the same back-off, until acknowledged, so
/// an idle channel's Fault clears when the brokers return.
/// </summary>
public sealed partial class KafkaConsenter
{
    private readonly Lock _reconnectGate = new();
    private Task? _reconnecting;
    private bool _connected;

    private ResiliencePipeline RetryPipeline() => new ResiliencePipelineBuilder()
        .AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = new PredicateBuilder().Handle<KafkaUnavailableException>(),
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = _options.RetryDelay,
            MaxDelay = _options.RetryMaxDelay,
            MaxRetryAttempts = int.MaxValue,
            OnRetry = args =>
            {
                _metrics.Retries.Add(1, _channelTag, new KeyValuePair<string, object?>("operation", args.Context.OperationKey));
                return default;
            },
        })
        .Build();

    /// <summary>Runs <paramref name="action"/> on this thread until it does not throw <see cref="KafkaUnavailableException"/>, backing off between attempts.</summary>
    private void Retrying(string operation, Action<CancellationToken> action, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(operation, cancellationToken);
        try
        {
            _retry.Execute(static (context, action) => action(context.CancellationToken), context, action);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>Records that the brokers did not answer; when that began an outage after start, starts reconnecting.</summary>
    private void Unavailable(string reason)
    {
        if (_outage.Failed(reason) && Volatile.Read(ref _connected))
        {
            StartReconnecting();
        }
    }

    /// <summary>The producer's errors, delivered as they happen: every broker down begins an outage; a fatal error (the idempotent producer's state lost) stops the channel.</summary>
    private void OnProducerError(Error error)
    {
        if (error.IsFatal)
        {
            Stop($"the Kafka client failed for good: {error.Reason} ({error.Code})");
        }
        else if (error.Code == ErrorCode.Local_AllBrokersDown)
        {
            Unavailable($"the Kafka brokers ({Brokers}) are unreachable: {error.Reason}");
        }
    }

    /// <summary>
    /// The producer's statistics (once a second): when none of the brokers it knows (by node id, or the bootstrap entries
    /// before it learned any) is connected ("UP"), every broker is down — librdkafka's ALL_BROKERS_DOWN error is not
    /// raised again while the client keeps retrying, so this is what starts an outage that began quietly.
    /// </summary>
    private void OnProducerStatistics(string json)
    {
        try
        {
            using var statistics = System.Text.Json.JsonDocument.Parse(json);
            if (!statistics.RootElement.TryGetProperty("brokers", out var brokers) || brokers.ValueKind != System.Text.Json.JsonValueKind.Object)
            {
                return;
            }

            var all = brokers.EnumerateObject().Select(b => b.Value).ToList();
            var known = all.Where(b => b.TryGetProperty("nodeid", out var id) && id.TryGetInt32(out var n) && n >= 0).ToList();
            var considered = known.Count > 0 ? known : all;
            if (considered.Count > 0 && !considered.Any(b => b.TryGetProperty("state", out var state) && state.ValueKind == System.Text.Json.JsonValueKind.String && state.GetString() == "UP"))
            {
                Unavailable($"the Kafka brokers ({Brokers}) are unreachable: no connection to any of the {considered.Count} brokers");
            }
        }
        catch (System.Text.Json.JsonException)
        {
            // librdkafka's own output; never expected to be malformed, and never worth stopping for
        }
    }

    private void StartReconnecting()
    {
        lock (_reconnectGate)
        {
            if (_reconnecting is null && !_stopping.IsCancellationRequested)
            {
                _reconnecting = Task.Run(ReconnectAsync);
            }
        }
    }

    /// <summary>Posts CONNECT with back-off until the brokers acknowledge one and the outage is over.</summary>
    private async Task ReconnectAsync()
    {
        try
        {
            while (true)
            {
                lock (_reconnectGate)
                {
                    if (_outage.Reason is null || _stopping.IsCancellationRequested)
                    {
                        _reconnecting = null;
                        return;
                    }
                }

                var context = ResilienceContextPool.Shared.Get("reconnect", _stopping.Token);
                try
                {
                    await _retry.ExecuteAsync(static async (context, self) => await self.PostConnectAsync(context.CancellationToken).ConfigureAwait(false), context, this).ConfigureAwait(false);
                }
                finally
                {
                    ResilienceContextPool.Shared.Return(context);
                }
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Stopping (the producer may be going away under the last attempt), or a failure no retry handles: the next
            // failure of an outage starts a new reconnection.
            lock (_reconnectGate)
            {
                _reconnecting = null;
            }

            if (!_stopping.IsCancellationRequested)
            {
                LogReconnectFailed(_logger, _topic, $"{e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}");
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Channel {Channel}: reconnecting to the Kafka brokers failed: {Reason}")]
    private static partial void LogReconnectFailed(ILogger logger, string channel, string reason);
}
