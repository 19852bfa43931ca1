using System.Text.Json;
using System.Text.RegularExpressions;

namespace FnzChain.Ledger.State.Query;

/// <summary>
/// A CouchDB Mango selector, parsed once and matched against JSON documents: fields (dot paths, <c>\.</c> for a
/// literal dot) with implicit <c>$eq</c> and implicit <c>$and</c>; <c>$and $or $nor $not</c>; <c>$eq $ne $lt $lte $gt
/// $gte $exists $type $in $nin $size $mod $regex $beginsWith $all $elemMatch $allMatch $keyMapMatch</c>. As in CouchDB,
/// a missing field fails every condition except <c>$exists: false</c> (and a <c>$not</c> around one that fails), and
/// an array equals only an equal array (element matching needs <c>$elemMatch</c>).
/// </summary>
public sealed class MangoSelector
{
    private const int MaxDepth = 32;
    private const int MaxListLength = 10_000;
    private const int MaxPatternLength = 1024;
    private static readonly TimeSpan s_regexTimeout = TimeSpan.FromMilliseconds(100);

    private readonly Func<JsonElement, bool> _matches;

    private MangoSelector(Func<JsonElement, bool> matches) => _matches = matches;

    /// <summary>True when the document (a JSON object) satisfies the selector.</summary>
    public bool Matches(JsonElement document) => document.ValueKind == JsonValueKind.Object && _matches(document);

    /// <summary>Parses a selector object. Throws <see cref="FormatException"/> with one line naming the problem.</summary>
    public static MangoSelector Parse(JsonElement selector) => new(ParseSelector(selector.Clone(), "selector", 0));

    private static Func<JsonElement, bool> ParseSelector(JsonElement selector, string at, int depth)
    {
        if (selector.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"{at}: a selector must be a JSON object, not {Kind(selector)}");
        }

        CheckDepth(at, depth);
        var parts = new List<Func<JsonElement, bool>>();
        foreach (var member in selector.EnumerateObject())
        {
            var where = $"{at}.{member.Name}";
            parts.Add(member.Name switch
            {
                "$and" => All(Selectors(member.Value, where, depth)),
                "$or" => Any(Selectors(member.Value, where, depth)),
                "$nor" => Negate(Any(Selectors(member.Value, where, depth))),
                "$not" => Negate(ParseSelector(member.Value, where, depth + 1)),
                _ when member.Name.StartsWith('$') => throw new FormatException($"{where}: unknown operator (use $and, $or, $nor, $not, or a field name)"),
                _ => Field(FieldPath(member.Name, where), ParseCondition(member.Value, where, depth + 1)),
            });
        }

        return All(parts);
    }

    private static List<Func<JsonElement, bool>> Selectors(JsonElement list, string at, int depth)
    {
        if (list.ValueKind != JsonValueKind.Array || list.GetArrayLength() == 0)
        {
            throw new FormatException($"{at}: needs a non-empty array of selectors");
        }

        return list.EnumerateArray().Select((s, i) => ParseSelector(s, $"{at}[{i}]", depth + 1)).ToList();
    }

    /// <summary>The condition on one field's value; null stands for a missing field.</summary>
    private static Func<JsonElement?, bool> ParseCondition(JsonElement value, string at, int depth)
    {
        CheckDepth(at, depth);
        if (value.ValueKind != JsonValueKind.Object || !value.EnumerateObject().Any())
        {
            return v => v is { } x && JsonCollation.Equal(x, value);
        }

        var operators = value.EnumerateObject().Count(m => m.Name.StartsWith('$'));
        if (operators == 0)
        {
            // {"address": {"city": "Dublin"}}: a selector on the sub-document.
            var nested = ParseSelector(value, at, depth);
            return v => v is { ValueKind: JsonValueKind.Object } x && nested(x);
        }

        if (operators != value.EnumerateObject().Count())
        {
            throw new FormatException($"{at}: mixes operators and field names in one object");
        }

        var conditions = value.EnumerateObject().Select(m => Operator(m.Name, m.Value, $"{at}.{m.Name}", depth)).ToList();
        return v => conditions.TrueForAll(c => c(v));
    }

    private static Func<JsonElement?, bool> Operator(string name, JsonElement arg, string at, int depth)
    {
        switch (name)
        {
            case "$eq":
                return v => v is { } x && JsonCollation.Equal(x, arg);
            case "$ne":
                return v => v is { } x && !JsonCollation.Equal(x, arg);
            case "$lt":
                return v => v is { } x && JsonCollation.Compare(x, arg) < 0;
            case "$lte":
                return v => v is { } x && JsonCollation.Compare(x, arg) <= 0;
            case "$gt":
                return v => v is { } x && JsonCollation.Compare(x, arg) > 0;
            case "$gte":
                return v => v is { } x && JsonCollation.Compare(x, arg) >= 0;
            case "$exists":
                var exists = arg.ValueKind switch
                {
                    JsonValueKind.True => true,
                    JsonValueKind.False => false,
                    _ => throw new FormatException($"{at}: needs true or false"),
                };
                return v => v.HasValue == exists;
            case "$type":
                var kind = arg.ValueKind == JsonValueKind.String ? arg.GetString() : null;
                if (kind is not ("null" or "boolean" or "number" or "string" or "array" or "object"))
                {
                    throw new FormatException($"{at}: needs one of \"null\", \"boolean\", \"number\", \"string\", \"array\", \"object\"");
                }

                return v => v is { } x && TypeName(x) == kind;
            case "$in":
            case "$nin":
                var values = List(arg, at);
                var inList = (Func<JsonElement, bool>)(x => values.Exists(candidate => JsonCollation.Equal(x, candidate)));
                return name == "$in" ? v => v is { } x && inList(x) : v => v is { } x && !inList(x);
            case "$all":
                var required = List(arg, at);
                return v => v is { ValueKind: JsonValueKind.Array } x && required.TrueForAll(r => x.EnumerateArray().Any(e => JsonCollation.Equal(e, r)));
            case "$size":
                if (arg.ValueKind != JsonValueKind.Number || !arg.TryGetInt32(out var size) || size < 0)
                {
                    throw new FormatException($"{at}: needs a non-negative integer");
                }

                return v => v is { ValueKind: JsonValueKind.Array } x && x.GetArrayLength() == size;
            case "$mod":
                if (arg.ValueKind != JsonValueKind.Array || arg.GetArrayLength() != 2
                    || !arg[0].TryGetInt64(out var divisor) || !arg[1].TryGetInt64(out var remainder) || divisor == 0)
                {
                    throw new FormatException($"{at}: needs [divisor, remainder], two integers, divisor not 0");
                }

                return v => v is { ValueKind: JsonValueKind.Number } x && x.TryGetInt64(out var n) && n % divisor == remainder;
            case "$regex":
                var regex = Pattern(arg, at);
                return v => v is { ValueKind: JsonValueKind.String } x && Match(regex, x.GetString()!, at);
            case "$beginsWith":
                var prefix = arg.ValueKind == JsonValueKind.String ? arg.GetString()! : throw new FormatException($"{at}: needs a string");
                return v => v is { ValueKind: JsonValueKind.String } x && x.GetString()!.StartsWith(prefix, StringComparison.Ordinal);
            case "$not":
                var inner = ParseCondition(arg, at, depth + 1);
                return v => !inner(v);
            case "$and":
            case "$or":
            case "$nor":
                if (arg.ValueKind != JsonValueKind.Array || arg.GetArrayLength() == 0)
                {
                    throw new FormatException($"{at}: needs a non-empty array of conditions");
                }

                var parts = arg.EnumerateArray().Select((c, i) => ParseCondition(c, $"{at}[{i}]", depth + 1)).ToList();
                return name switch
                {
                    "$and" => v => parts.TrueForAll(p => p(v)),
                    "$or" => v => parts.Exists(p => p(v)),
                    _ => v => !parts.Exists(p => p(v)),
                };
            case "$elemMatch":
            case "$allMatch":
                var element = ParseCondition(arg, at, depth + 1);
                return name == "$elemMatch"
                    ? v => v is { ValueKind: JsonValueKind.Array } x && x.EnumerateArray().Any(e => element(e))
                    : v => v is { ValueKind: JsonValueKind.Array } x && x.GetArrayLength() > 0 && x.EnumerateArray().All(e => element(e));
            case "$keyMapMatch":
                var key = ParseCondition(arg, at, depth + 1);
                return v => v is { ValueKind: JsonValueKind.Object } x && x.EnumerateObject().Any(m => key(Text(m.Name)));
            default:
                throw new FormatException($"{at}: unknown operator");
        }
    }

    private static Func<JsonElement, bool> Field(string[] path, Func<JsonElement?, bool> condition) => document => condition(Lookup(document, path));

    /// <summary>The value at a dot path, or null when a step is missing or not an object.</summary>
    internal static JsonElement? Lookup(JsonElement document, string[] path)
    {
        var current = document;
        foreach (var step in path)
        {
            if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(step, out current))
            {
                return null;
            }
        }

        return current;
    }

    /// <summary>Splits <c>a.b.c</c> into steps; <c>\.</c> is a literal dot within a step.</summary>
    internal static string[] FieldPath(string field, string at)
    {
        var steps = new List<string>();
        var step = new System.Text.StringBuilder();
        for (var i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && i + 1 < field.Length && field[i + 1] == '.')
            {
                step.Append('.');
                i++;
            }
            else if (field[i] == '.')
            {
                steps.Add(step.ToString());
                step.Clear();
            }
            else
            {
                step.Append(field[i]);
            }
        }

        steps.Add(step.ToString());
        return steps.Exists(s => s.Length == 0) ? throw new FormatException($"{at}: \"{field}\" has an empty path step") : [.. steps];
    }

    private static List<JsonElement> List(JsonElement arg, string at) =>
        arg.ValueKind == JsonValueKind.Array && arg.GetArrayLength() <= MaxListLength
            ? [.. arg.EnumerateArray()]
            : throw new FormatException($"{at}: needs an array (at most {MaxListLength} values)");

    private static Regex Pattern(JsonElement arg, string at)
    {
        if (arg.ValueKind != JsonValueKind.String || arg.GetString()!.Length > MaxPatternLength)
        {
            throw new FormatException($"{at}: needs a regular expression of at most {MaxPatternLength} characters");
        }

        try
        {
            return new Regex(arg.GetString()!, RegexOptions.CultureInvariant, s_regexTimeout);
        }
        catch (ArgumentException e)
        {
            throw new FormatException($"{at}: not a valid regular expression: {e.Message.ReplaceLineEndings(" ")}", e);
        }
    }

    private static bool Match(Regex regex, string text, string at)
    {
        try
        {
            return regex.IsMatch(text);
        }
        catch (RegexMatchTimeoutException e)
        {
            throw new FormatException($"{at}: the regular expression took longer than {s_regexTimeout.TotalMilliseconds} ms on one value", e);
        }
    }

    private static JsonElement Text(string value)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStringValue(value);
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }

    private static Func<JsonElement, bool> All(List<Func<JsonElement, bool>> parts) => parts.Count == 1 ? parts[0] : d => parts.TrueForAll(p => p(d));

    private static Func<JsonElement, bool> Any(List<Func<JsonElement, bool>> parts) => d => parts.Exists(p => p(d));

    private static Func<JsonElement, bool> Negate(Func<JsonElement, bool> inner) => d => !inner(d);

    private static void CheckDepth(string at, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new FormatException($"{at}: nested more than {MaxDepth} levels");
        }
    }

    private static string TypeName(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Null => "null",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Number => "number",
        JsonValueKind.String => "string",
        JsonValueKind.Array => "array",
        _ => "object",
    };

    private static string Kind(JsonElement value) => value.ValueKind == JsonValueKind.Undefined ? "nothing" : $"a JSON {TypeName(value)}";
}
