using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using FnzChain.Ledger.State.CouchDb;

namespace FnzChain.CouchDbTests;

/// <summary>The client's meter: request durations by operation and outcome, retries, and failures by cause.</summary>
[Category("CouchDb")]
[NonParallelizable]
public sealed class CouchDbClientMetricsTests
{
    private readonly ConcurrentQueue<(string Instrument, double Value, Dictionary<string, object?> Tags)> _measurements = new();
    private MeterListener _listener = null!;

    [SetUp]
    public void Listen()
    {
        _measurements.Clear(); // NUnit keeps one fixture instance for all its tests
        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == "FnzChain.Ledger.CouchDb")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        _listener.Start();
    }

    [TearDown]
    public void StopListening() => _listener.Dispose();

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = new Dictionary<string, object?>();
        foreach (var tag in tags)
        {
            copy[tag.Key] = tag.Value;
        }

        _measurements.Enqueue((instrument.Name, value, copy));
    }

    private IEnumerable<(string Instrument, double Value, Dictionary<string, object?> Tags)> Of(string instrument, string operation) =>
        _measurements.Where(m => m.Instrument == instrument && Equals(m.Tags["operation"], operation));

    [Test]
    public async Task Successful_request_records_its_duration_by_operation_and_status()
    {
        using var client = new CouchDbClient(TestServers.Shared.NewOptions());

        await client.GetServerVersionAsync();

        var duration = Of("fnzchain.couchdb.request.duration", "server_info").Single();
        Assert.That(duration.Tags["outcome"], Is.EqualTo("200"));
        Assert.That(duration.Value, Is.GreaterThan(0));
        Assert.That(Of("fnzchain.couchdb.request.errors", "server_info"), Is.Empty);
    }

    [Test]
    public void Unreachable_server_records_each_retry_and_one_failure()
    {
        using var client = new CouchDbClient(new CouchDbOptions { Address = $"http://127.0.0.1:{UnusedPort()}", MaxRetries = 2, RetryBaseDelay = TimeSpan.FromMilliseconds(5) });

        Assert.ThrowsAsync<CouchDbException>(async () => await client.GetServerVersionAsync());

        Assert.That(Of("fnzchain.couchdb.request.retries", "server_info").Sum(m => m.Value), Is.EqualTo(2));
        Assert.That(Of("fnzchain.couchdb.request.errors", "server_info").Single().Tags["cause"], Is.EqualTo("unreachable"));
        Assert.That(Of("fnzchain.couchdb.request.duration", "server_info").Single().Tags["outcome"], Is.EqualTo("error"));
    }

    [Test]
    public void Refused_request_is_not_retried_and_records_its_status_as_the_cause()
    {
        var options = TestServers.Shared.NewOptions();
        options.Username = "nobody";
        options.Password = "wrong";
        using var client = new CouchDbClient(options);

        Assert.ThrowsAsync<CouchDbException>(async () => await client.VerifyCredentialsAsync());

        Assert.That(client.RequestsSent, Is.EqualTo(1), "a 401 is not transient: no retry");
        Assert.That(Of("fnzchain.couchdb.request.retries", "session"), Is.Empty);
        Assert.That(Of("fnzchain.couchdb.request.errors", "session").Single().Tags["cause"], Is.EqualTo("401"));
    }

    private static int UnusedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
