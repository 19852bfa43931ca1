using System.Text.Json;

namespace FnzChain.Ledger.State.Query;

/// <summary>
/// A CouchDB <c>_find</c> request body, checked strictly: <c>selector</c> (required), <c>sort</c>, <c>fields</c>;
/// <c>limit</c>, <c>use_index</c>, <c>bookmark</c>, <c>r</c>, <c>conflicts</c>, <c>execution_stats</c>, <c>stable</c>,
/// <c>update</c> are accepted and have no effect (paging goes through the state API's page size and bookmark; a query's
/// own <c>limit</c> is not honoured, as in Fabric — docs/couchdb.md, "Paging and limits"); <c>skip</c> is refused, as
/// the CouchDB state database refuses it.
/// Every problem is a <see cref="FormatException"/> of one line naming the field.
/// </summary>
public sealed class MangoQuery
{
    /// <summary>Largest query text accepted.</summary>
    public const int MaxQueryBytes = 64 * 1024;

    private static readonly HashSet<string> s_ignored = ["limit", "use_index", "bookmark", "r", "conflicts", "execution_stats", "stable", "update"];

    private MangoQuery(MangoSelector selector, IReadOnlyList<string[]> sort, bool descending, IReadOnlyList<string[]>? fields)
    {
        Selector = selector;
        Sort = sort;
        Descending = descending;
        Fields = fields;
    }

    public MangoSelector Selector { get; }

    /// <summary>Sort fields as paths; empty: by key.</summary>
    public IReadOnlyList<string[]> Sort { get; }

    /// <summary>Every sort field descending (CouchDB sorts all fields in one direction).</summary>
    public bool Descending { get; }

    /// <summary>Fields to return (paths); null: the whole document.</summary>
    public IReadOnlyList<string[]>? Fields { get; }

    public static MangoQuery Parse(string query)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (System.Text.Encoding.UTF8.GetByteCount(query) > MaxQueryBytes)
        {
            throw new FormatException($"query: larger than {MaxQueryBytes} bytes");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(query, new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException e)
        {
            throw new FormatException($"query: not JSON: {e.Message.ReplaceLineEndings(" ")}", e);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException("query: must be a JSON object with a \"selector\"");
            }

            MangoSelector? selector = null;
            List<string[]> sort = [];
            bool? descending = null;
            List<string[]>? fields = null;
            foreach (var member in root.EnumerateObject())
            {
                switch (member.Name)
                {
                    case "selector":
                        selector = MangoSelector.Parse(member.Value);
                        break;
                    case "sort":
                        descending = ParseSort(member.Value, sort);
                        break;
                    case "fields":
                        fields = member.Value.ValueKind == JsonValueKind.Array && member.Value.EnumerateArray().All(f => f.ValueKind == JsonValueKind.String)
                            ? member.Value.EnumerateArray().Select(f => MangoSelector.FieldPath(f.GetString()!, "fields")).ToList()
                            : throw new FormatException("fields: must be an array of field names");
                        break;
                    case "skip":
                        throw new FormatException("skip: not supported; page with the bookmark");
                    default:
                        if (!s_ignored.Contains(member.Name))
                        {
                            throw new FormatException($"query: unknown field \"{member.Name}\" (selector, sort, fields, limit, use_index, bookmark)");
                        }

                        break;
                }
            }

            return new MangoQuery(selector ?? throw new FormatException("query: has no \"selector\""), sort, descending ?? false, fields);
        }
    }

    /// <summary>Values of the sort fields of a document, or null when it lacks one (CouchDB's sort goes through an index, which holds only documents that have every indexed field).</summary>
    public JsonElement[]? SortValues(JsonElement document)
    {
        var values = new JsonElement[Sort.Count];
        for (var i = 0; i < values.Length; i++)
        {
            if (MangoSelector.Lookup(document, Sort[i]) is not { } value)
            {
                return null;
            }

            values[i] = value;
        }

        return values;
    }

    /// <summary>The document reduced to <see cref="Fields"/> (nested paths keep their nesting), as UTF-8 JSON.</summary>
    public byte[] Project(JsonElement document, ReadOnlyMemory<byte> original)
    {
        if (Fields is null)
        {
            return original.ToArray();
        }

        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WriteProjected(writer, document, Fields.Select(f => (ReadOnlyMemory<string>)f).ToList());
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteProjected(Utf8JsonWriter writer, JsonElement document, List<ReadOnlyMemory<string>> paths)
    {
        writer.WriteStartObject();
        foreach (var member in document.EnumerateObject())
        {
            var matching = paths.Where(p => p.Span[0] == member.Name).ToList();
            if (matching.Count == 0)
            {
                continue;
            }

            writer.WritePropertyName(member.Name);
            if (matching.Exists(p => p.Length == 1) || member.Value.ValueKind != JsonValueKind.Object)
            {
                member.Value.WriteTo(writer);
            }
            else
            {
                WriteProjected(writer, member.Value, matching.Select(p => p[1..]).ToList());
            }
        }

        writer.WriteEndObject();
    }

    private static bool ParseSort(JsonElement sort, List<string[]> into)
    {
        if (sort.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException("sort: must be an array of field names or {\"field\": \"asc\"|\"desc\"}");
        }

        bool? descending = null;
        foreach (var item in sort.EnumerateArray())
        {
            string field;
            var desc = false;
            if (item.ValueKind == JsonValueKind.String)
            {
                field = item.GetString()!;
            }
            else if (item.ValueKind == JsonValueKind.Object && item.EnumerateObject().Count() == 1)
            {
                var only = item.EnumerateObject().First();
                field = only.Name;
                desc = only.Value.ValueKind == JsonValueKind.String ? only.Value.GetString() switch
                {
                    "asc" => false,
                    "desc" => true,
                    _ => throw new FormatException($"sort: \"{field}\" must be \"asc\" or \"desc\""),
                } : throw new FormatException($"sort: \"{field}\" must be \"asc\" or \"desc\"");
            }
            else
            {
                throw new FormatException("sort: each entry is a field name or {\"field\": \"asc\"|\"desc\"}");
            }

            if (descending is { } direction && direction != desc)
            {
                throw new FormatException("sort: every field must sort in the same direction (as CouchDB requires)");
            }

            descending = desc;
            into.Add(MangoSelector.FieldPath(field, "sort"));
        }

        return descending ?? false;
    }
}
