using System.Diagnostics.Metrics;

namespace FnzChain.KafkaTests;

/// <summary>Listens to one <see cref="Meter"/> instance: sums counters, counts histogram measurements, reads gauges on demand.</summary>
internal sealed class MetricsRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly List<(string Name, double Value, Dictionary<string, string> Tags)> _measurements = [];

    public MetricsRecorder(Meter meter)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, meter))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        _listener.Start();
    }

    /// <summary>The sum of the measurements of <paramref name="name"/> whose tags include every one of <paramref name="tags"/>.</summary>
    public double Sum(string name, params (string Key, string Value)[] tags) => Matching(name, tags).Sum(m => m.Value);

    /// <summary>How many measurements of <paramref name="name"/> (a histogram's count) match <paramref name="tags"/>.</summary>
    public int Count(string name, params (string Key, string Value)[] tags) => Matching(name, tags).Count;

    /// <summary>The measurements of <paramref name="name"/> matching <paramref name="tags"/>, in order.</summary>
    public List<double> Values(string name, params (string Key, string Value)[] tags) => Matching(name, tags).Select(m => m.Value).ToList();

    /// <summary>Observes the gauges now and returns the value of <paramref name="name"/> for <paramref name="channel"/>, or null when not reported.</summary>
    public double? Gauge(string name, string channel)
    {
        lock (_measurements)
        {
            _measurements.RemoveAll(m => m.Name == name);
        }

        _listener.RecordObservableInstruments();
        return Matching(name, [("channel", channel)]).Select(m => (double?)m.Value).LastOrDefault();
    }

    public void Dispose() => _listener.Dispose();

    private List<(string Name, double Value, Dictionary<string, string> Tags)> Matching(string name, (string Key, string Value)[] tags)
    {
        lock (_measurements)
        {
            return _measurements.Where(m => m.Name == name && tags.All(t => m.Tags.TryGetValue(t.Key, out var v) && v == t.Value)).ToList();
        }
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, tag) in tags)
        {
            map[key] = Convert.ToString(tag, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty;
        }

        lock (_measurements)
        {
            _measurements.Add((instrument.Name, value, map));
        }
    }
}
