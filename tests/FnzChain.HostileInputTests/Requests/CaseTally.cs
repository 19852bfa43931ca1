using System.Collections.Concurrent;
using System.Text;

namespace FnzChain.HostileInputTests.Requests;

/// <summary>Cases sent and failed per method and class, printed as a table when the fixture ends.</summary>
internal sealed class CaseTally
{
    private readonly ConcurrentDictionary<(string Method, InputClass Class), (int Sent, int Failed)> _counts = new();

    private readonly ConcurrentDictionary<(string Method, string Answer), int> _answers = new();

    public void Add(string method, InputClass kind, bool failed, string answer)
    {
        _counts.AddOrUpdate((method, kind), _ => (1, failed ? 1 : 0), (_, c) => (c.Sent + 1, c.Failed + (failed ? 1 : 0)));
        _answers.AddOrUpdate((method, answer), 1, (_, n) => n + 1);
    }

    /// <summary>What each method answered, e.g. "InvalidArgument 120, PermissionDenied 60, OK/BadRequest 20".</summary>
    public string Answers() => string.Join(
        "\n",
        _answers.GroupBy(a => a.Key.Method).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => $"{g.Key}: {string.Join(", ", g.OrderByDescending(a => a.Value).Select(a => $"{a.Key.Answer} {a.Value}"))}"));

    public string Table()
    {
        var classes = Enum.GetValues<InputClass>();
        var methods = _counts.Keys.Select(k => k.Method).Distinct().Order(StringComparer.Ordinal).ToList();
        var text = new StringBuilder();
        var width = Math.Max(10, methods.Select(m => m.Length).DefaultIfEmpty(0).Max());
        text.Append("method".PadRight(width));
        foreach (var kind in classes)
        {
            text.Append(' ').Append(kind.ToString()[..Math.Min(9, kind.ToString().Length)].PadLeft(9));
        }

        text.AppendLine("     total    failed");
        foreach (var method in methods)
        {
            text.Append(method.PadRight(width));
            var (sent, failed) = (0, 0);
            foreach (var kind in classes)
            {
                var c = _counts.GetValueOrDefault((method, kind));
                text.Append(' ').Append((c.Failed > 0 ? $"{c.Sent}/{c.Failed}!" : c.Sent.ToString(System.Globalization.CultureInfo.InvariantCulture)).PadLeft(9));
                (sent, failed) = (sent + c.Sent, failed + c.Failed);
            }

            text.Append($" {sent,9} {failed,9}").AppendLine();
        }

        var all = _counts.Values.Aggregate((Sent: 0, Failed: 0), (a, c) => (a.Sent + c.Sent, a.Failed + c.Failed));
        text.AppendLine($"all methods: {all.Sent} cases, {all.Failed} failed (a cell n/f! = n sent, f failed)");
        return text.ToString();
    }
}
