namespace FnzChain.Ledger.State.CouchDb;

/// <summary>
/// Puts each channel's PUBLIC world state in CouchDB (<see cref="LedgerOptions.StateDatabase"/>): the peer setting
/// <c>stateDatabase: couchdb</c>. Private data collections stay in the channel's RocksDB database (decision 0017).
/// All channels of a peer share one HTTP client (one connection pool, one circuit breaker per server).
/// </summary>
public sealed class CouchDbStateDatabaseProvider : IStateDatabaseProvider, IDisposable
{
    private readonly CouchDbOptions _options;
    private readonly CouchDbClient _client;
    private readonly CancellationTokenSource _stopping = new();
    private Task _monitor = Task.CompletedTask;
    private string? _problem;

    public CouchDbStateDatabaseProvider(CouchDbOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _client = new CouchDbClient(options);
    }

    /// <summary>Checks that the server answers and, with credentials, accepts them: a peer calls this at start so it stops in one line instead of at its first block.</summary>
    public async Task CheckAsync(CancellationToken cancellationToken = default)
    {
        await _client.GetServerVersionAsync(cancellationToken).ConfigureAwait(false);
        if (_options.Username.Length > 0)
        {
            await _client.VerifyCredentialsAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Why CouchDB is not usable right now, from a probe (<c>GET /</c>) every <paramref name="interval"/> once
    /// <see cref="StartMonitoring"/> ran, or null: a peer's <c>/healthz</c> turns red while CouchDB is down even when
    /// no block is being committed.
    /// </summary>
    public string? Problem => Volatile.Read(ref _problem);

    /// <summary>HTTP requests sent to the server so far, retries included (benchmarks divide it by blocks).</summary>
    public long RequestsSent => _client.RequestsSent;

    /// <summary>Starts probing the server in the background (see <see cref="Problem"/>).</summary>
    public void StartMonitoring(TimeSpan interval)
    {
        _monitor = Task.Run(async () =>
        {
            while (!_stopping.IsCancellationRequested)
            {
                try
                {
                    await _client.GetServerVersionAsync(_stopping.Token).ConfigureAwait(false);
                    Volatile.Write(ref _problem, null);
                }
                catch (Exception e) when (e is not OperationCanceledException || !_stopping.IsCancellationRequested)
                {
                    Volatile.Write(ref _problem, $"CouchDB at {_options.Address} does not answer: {e.Message.ReplaceLineEndings(" ")}");
                }

                try
                {
                    await Task.Delay(interval, _stopping.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        });
    }

    public async ValueTask<IStateDatabase> OpenAsync(StateDatabaseContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        return await CouchDbStateDatabase.OpenAsync(_client, _options, context.ChannelId, cancellationToken).ConfigureAwait(false);
    }

    public void Dispose()
    {
        _stopping.Cancel();
        try
        {
            _monitor.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // the probe's failures are reported through Problem
        }

        _client.Dispose();
        _stopping.Dispose();
    }
}
