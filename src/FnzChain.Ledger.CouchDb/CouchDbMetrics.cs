using System.Diagnostics.Metrics;

namespace FnzChain.Ledger.State.CouchDb;

/// <summary>
/// The CouchDB client's instruments (meter <c>FnzChain.Ledger.CouchDb</c>): how long each kind of request takes, how
/// often one is retried and how often one fails for good. Operators read these to tell a slow server from a slow
/// ledger; each client owns its meter so tests and several peers in one process do not share counts.
/// </summary>
internal sealed class CouchDbMetrics : IDisposable
{
    public const string MeterName = "FnzChain.Ledger.CouchDb";

    private readonly Meter _meter;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _retries;
    private readonly Counter<long> _errors;

    public CouchDbMetrics(IMeterFactory? meterFactory)
    {
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _duration = _meter.CreateHistogram<double>("fnzchain.couchdb.request.duration", "s", "Duration of CouchDB requests (all attempts), by operation and outcome");
        _retries = _meter.CreateCounter<long>("fnzchain.couchdb.request.retries", "{retry}", "CouchDB request attempts repeated after a transient failure, by operation");
        _errors = _meter.CreateCounter<long>("fnzchain.couchdb.request.errors", "{error}", "CouchDB requests that failed for good, by operation and cause");
    }

    public void RecordDuration(string operation, string outcome, TimeSpan elapsed) =>
        _duration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("operation", operation), new KeyValuePair<string, object?>("outcome", outcome));

    public void RecordRetry(string operation) => _retries.Add(1, new KeyValuePair<string, object?>("operation", operation));

    public void RecordError(string operation, string cause) =>
        _errors.Add(1, new KeyValuePair<string, object?>("operation", operation), new KeyValuePair<string, object?>("cause", cause));

    public void Dispose() => _meter.Dispose();
}
