using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace FnzChain.Ledger.State.CouchDb;

/// <summary>
/// A thin CouchDB HTTP client: one method per endpoint the state database uses, every request through one Polly
/// pipeline (retry with exponential back-off on transient failures — no answer, timeout, 5xx — never on 4xx; a
/// per-attempt timeout; a circuit breaker so a dead server is not hammered), every failure turned into a one-line
/// <see cref="CouchDbException"/>. Answers are parsed with <see cref="JsonDocument"/>; nothing goes through
/// reflection-based serialisation. Thread-safe; share one per peer.
/// </summary>
public sealed partial class CouchDbClient : IDisposable
{
    private static readonly ResiliencePropertyKey<string> s_operationKey = new("fnzchain.couchdb.operation");
    private static readonly MediaTypeHeaderValue s_json = new("application/json");

    private readonly HttpClient _http;
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;
    private readonly CouchDbMetrics _metrics;
    private readonly CouchDbOptions _options;
    private long _requestsSent;

    public CouchDbClient(CouchDbOptions options, IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _metrics = new CouchDbMetrics(meterFactory);
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(5),
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            MaxConnectionsPerServer = 32,
            AutomaticDecompression = DecompressionMethods.None,
        };
        _http = new HttpClient(handler) { BaseAddress = new Uri(options.Address.TrimEnd('/') + "/"), Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (options.Username.Length > 0)
        {
            var token = Convert.ToBase64String(Encoding.UTF8.GetBytes(options.Username + ":" + options.Password));
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", token);
        }

        _pipeline = BuildPipeline(options, _metrics);
    }

    /// <summary>The server address requests go to.</summary>
    public string Address => _options.Address;

    /// <summary>HTTP attempts sent so far (retries included): lets tests prove a block costs O(1) requests, not O(keys).</summary>
    public long RequestsSent => Interlocked.Read(ref _requestsSent);

    public void Dispose()
    {
        _http.Dispose();
        _metrics.Dispose();
    }

    private static ResiliencePipeline<HttpResponseMessage> BuildPipeline(CouchDbOptions options, CouchDbMetrics metrics)
    {
        var transient = new PredicateBuilder<HttpResponseMessage>()
            .Handle<HttpRequestException>()
            .Handle<TimeoutRejectedException>()
            .HandleResult(r => (int)r.StatusCode >= 500);
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage>();
        if (options.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = options.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryBaseDelay,
                ShouldHandle = transient,
                OnRetry = args =>
                {
                    metrics.RecordRetry(args.Context.Properties.GetValue(s_operationKey, "unknown"));
                    args.Outcome.Result?.Dispose();
                    return default;
                },
            });
        }

        return builder
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions<HttpResponseMessage>
            {
                FailureRatio = 0.5,
                MinimumThroughput = 8,
                SamplingDuration = TimeSpan.FromSeconds(10),
                BreakDuration = options.CircuitBreakDuration,
                ShouldHandle = transient,
            })
            .AddTimeout(options.RequestTimeout)
            .Build();
    }

    /// <summary>
    /// Sends one request through the pipeline and returns the status and parsed JSON body. Statuses in
    /// <paramref name="accepted"/> (and 2xx) are returned; any other status becomes a <see cref="CouchDbException"/>.
    /// </summary>
    private async Task<CouchResponse> SendAsync(string operation, string database, HttpMethod method, string path, ReadOnlyMemory<byte> body, CancellationToken cancellationToken, params HttpStatusCode[] accepted)
    {
        var started = Stopwatch.GetTimestamp();
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(s_operationKey, operation);
        HttpResponseMessage response;
        try
        {
            response = await _pipeline.ExecuteAsync(
                static async (ctx, state) =>
                {
                    Interlocked.Increment(ref state.Client._requestsSent);
                    using var request = new HttpRequestMessage(state.Method, state.Path);
                    if (state.Method != HttpMethod.Get && state.Method != HttpMethod.Head)
                    {
                        request.Content = new ReadOnlyMemoryContent(state.Body);
                        request.Content.Headers.ContentType = s_json;
                    }

                    // ResponseContentRead: the whole body is read inside the attempt, so the timeout covers it.
                    return await state.Client._http.SendAsync(request, HttpCompletionOption.ResponseContentRead, ctx.CancellationToken).ConfigureAwait(false);
                },
                context,
                (Client: this, Method: method, Path: path, Body: body)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or TimeoutRejectedException or BrokenCircuitException && !cancellationToken.IsCancellationRequested)
        {
            var cause = e switch
            {
                TimeoutRejectedException => $"no answer within {_options.RequestTimeout.TotalSeconds:0.###} s",
                BrokenCircuitException => "refused without trying: the circuit is open after repeated failures",
                _ => "unreachable (" + OneLine(e.Message) + ")",
            };
            var tries = e is BrokenCircuitException ? "" : $" after {_options.MaxRetries + 1} attempt(s)";
            _metrics.RecordError(operation, e is BrokenCircuitException ? "circuit_open" : e is TimeoutRejectedException ? "timeout" : "unreachable");
            _metrics.RecordDuration(operation, "error", Stopwatch.GetElapsedTime(started));
            throw new CouchDbException(operation, database, null, $"CouchDB {operation}{On(database)} failed: {_options.Address} {cause}{tries}", e);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }

        using (response)
        {
            _metrics.RecordDuration(operation, ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture), Stopwatch.GetElapsedTime(started));
            var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            var status = response.StatusCode;
            if (response.IsSuccessStatusCode || Array.IndexOf(accepted, status) >= 0)
            {
                return new CouchResponse(status, ParseBody(bytes, operation, database));
            }

            _metrics.RecordError(operation, ((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture));
            throw Failure(operation, database, status, bytes);
        }
    }

    private static JsonDocument? ParseBody(byte[] bytes, string operation, string database)
    {
        if (bytes.Length == 0)
        {
            return null;
        }

        try
        {
            return JsonDocument.Parse(bytes);
        }
        catch (JsonException e)
        {
            throw new CouchDbException(operation, database, null, $"CouchDB {operation}{On(database)} answered with a body that is not JSON: {OneLine(e.Message)}", e);
        }
    }

    private CouchDbException Failure(string operation, string database, HttpStatusCode status, byte[] body)
    {
        var (error, reason) = ErrorOf(body);
        var code = (int)status;
        var detail = $"{code} {error}{(reason.Length > 0 ? ": " + reason : "")}";
        var message = status switch
        {
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => _options.Username.Length > 0
                ? $"CouchDB at {_options.Address} refused the credentials of user \"{_options.Username}\" ({operation}{On(database)}: {detail})"
                : $"CouchDB at {_options.Address} refused the request without credentials; set couchDb.username and couchDb.password ({operation}{On(database)}: {detail})",
            HttpStatusCode.NotFound => $"CouchDB {operation}{On(database)} failed: not found ({detail})",
            HttpStatusCode.Conflict => $"CouchDB {operation}{On(database)} failed: document update conflict ({detail})",
            HttpStatusCode.RequestEntityTooLarge => $"CouchDB {operation}{On(database)} failed: request too large for the server's max_http_request_size/max_document_size ({detail})",
            _ when code >= 500 => $"CouchDB {operation}{On(database)} failed: server error after {_options.MaxRetries + 1} attempt(s) ({detail})",
            _ => $"CouchDB {operation}{On(database)} failed: {detail}",
        };
        return new CouchDbException(operation, database, status, message);
    }

    /// <summary>CouchDB's <c>{"error": ..., "reason": ...}</c>, cut and flattened for a one-line message.</summary>
    private static (string Error, string Reason) ErrorOf(byte[] body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind == JsonValueKind.Object)
            {
                var error = doc.RootElement.TryGetProperty("error", out var e) ? e.ToString() : "";
                var reason = doc.RootElement.TryGetProperty("reason", out var r) ? r.ToString() : "";
                return (OneLine(error), OneLine(reason));
            }
        }
        catch (JsonException)
        {
            // Not CouchDB's error shape (e.g. a proxy's HTML page): show the start of it.
        }

        return ("", OneLine(Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, 200))));
    }

    internal static string OneLine(string text)
    {
        var flat = text.ReplaceLineEndings(" ").Trim();
        return flat.Length <= 300 ? flat : flat[..300] + "…";
    }

    private static string On(string database) => database.Length == 0 ? "" : $" on database \"{database}\"";

    /// <summary>A status and its parsed body (null when empty). Dispose to return the document's buffers.</summary>
    internal readonly record struct CouchResponse(HttpStatusCode Status, JsonDocument? Body) : IDisposable
    {
        public JsonElement Root => Body?.RootElement ?? default;

        public void Dispose() => Body?.Dispose();
    }
}
