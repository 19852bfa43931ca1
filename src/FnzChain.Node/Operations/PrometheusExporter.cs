using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace FnzChain.Node.Operations;

/// <summary>
/// Collects the process's <see cref="Meter"/> instruments whose meter name starts with <c>FnzChain</c> (and the
/// runtime's <c>System.Runtime</c> meter) and renders them in the Prometheus text format: counters as
/// <c>_total</c>, gauges as their last value, histograms as <c>_sum</c>/<c>_count</c>. Names are the instrument
/// names with dots turned into underscores. The same instruments are visible to <c>dotnet-counters</c>.
/// </summary>
public sealed class PrometheusExporter : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<Instrument, Series> _series = new();

    public PrometheusExporter()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name.StartsWith("FnzChain", StringComparison.Ordinal) || instrument.Meter.Name == "System.Runtime")
            {
                _series[instrument] = new Series(instrument);
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        _listener.Start();
    }

    /// <summary>The current values, in the Prometheus text exposition format (version 0.0.4).</summary>
    public string Render()
    {
        _listener.RecordObservableInstruments();
        var text = new StringBuilder();
        foreach (var series in _series.Values.OrderBy(s => s.Name, StringComparer.Ordinal))
        {
            series.Render(text);
        }

        return text.ToString();
    }

    public void Dispose() => _listener.Dispose();

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (_series.TryGetValue(instrument, out var series))
        {
            series.Record(value, tags);
        }
    }

    private sealed class Series(Instrument instrument)
    {
        private readonly ConcurrentDictionary<string, double[]> _values = new(StringComparer.Ordinal);
        private readonly Kind _kind = instrument switch
        {
            Counter<long> or Counter<int> or Counter<double> or ObservableCounter<long> or ObservableCounter<int> or ObservableCounter<double> => Kind.Counter,
            Histogram<long> or Histogram<int> or Histogram<double> => Kind.Histogram,
            _ => Kind.Gauge,
        };

        private enum Kind
        {
            Counter,
            Gauge,
            Histogram,
        }

        public string Name { get; } = Sanitize(instrument.Name);

        public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var labels = Labels(tags);
            var cell = _values.GetOrAdd(labels, _ => new double[2]);
            lock (cell)
            {
                // Observable counters report the running total; synchronous counters report increments.
                var observed = instrument.IsObservable;
                switch (_kind)
                {
                    case Kind.Counter when observed:
                    case Kind.Gauge:
                        cell[0] = value;
                        break;
                    case Kind.Counter:
                        cell[0] += value;
                        break;
                    case Kind.Histogram:
                        cell[0] += value;
                        cell[1]++;
                        break;
                }
            }
        }

        public void Render(StringBuilder text)
        {
            if (_values.IsEmpty)
            {
                return;
            }

            var (type, suffix) = _kind switch
            {
                Kind.Counter => ("counter", "_total"),
                Kind.Histogram => ("summary", string.Empty),
                _ => ("gauge", string.Empty),
            };
            var name = Name + suffix;
            var help = string.IsNullOrEmpty(instrument.Description) ? instrument.Name : instrument.Description;
            var unit = string.IsNullOrEmpty(instrument.Unit) ? string.Empty : $" ({instrument.Unit})";
            text.Append(CultureInfo.InvariantCulture, $"# HELP {name} {help.ReplaceLineEndings(" ")}{unit}\n# TYPE {name} {type}\n");
            foreach (var (labels, cell) in _values.OrderBy(v => v.Key, StringComparer.Ordinal))
            {
                double sum, count;
                lock (cell)
                {
                    (sum, count) = (cell[0], cell[1]);
                }

                if (_kind == Kind.Histogram)
                {
                    text.Append(CultureInfo.InvariantCulture, $"{Name}_sum{labels} {Number(sum)}\n{Name}_count{labels} {Number(count)}\n");
                }
                else
                {
                    text.Append(CultureInfo.InvariantCulture, $"{name}{labels} {Number(sum)}\n");
                }
            }
        }

        private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

        private static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            if (tags.IsEmpty)
            {
                return string.Empty;
            }

            var pairs = new List<string>(tags.Length);
            foreach (var (key, value) in tags)
            {
                var text = Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty;
                pairs.Add($"{Sanitize(key)}=\"{text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).ReplaceLineEndings("\\n")}\"");
            }

            pairs.Sort(StringComparer.Ordinal);
            return "{" + string.Join(',', pairs) + "}";
        }

        private static string Sanitize(string name)
        {
            var chars = name.ToCharArray();
            for (var i = 0; i < chars.Length; i++)
            {
                if (!(char.IsAsciiLetterOrDigit(chars[i]) || chars[i] == '_'))
                {
                    chars[i] = '_';
                }
            }

            return char.IsAsciiDigit(chars[0]) ? "_" + new string(chars) : new string(chars);
        }
    }
}
