using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace FnzChain.Ledger.State.CouchDb;

/// <summary>
/// How a state value is stored as a CouchDB document. A JSON object value is stored as the document body, so Mango
/// queries see its fields (as in Fabric); beside it the reserved fields <c>~version</c> (<c>block:tx</c>) and, when
/// the key has metadata, <c>~metadata</c> (base64). Any other value — not JSON, JSON that is not an object, or an
/// object with a top-level field CouchDB reserves (<c>_…</c>) or we reserve (<c>~version</c>, <c>~metadata</c>,
/// <c>~value</c>) — is stored base64 in <c>~value</c>.
/// <para>
/// Reads must give back the exact bytes that were written: endorsers compare results byte for byte and a CouchDB
/// peer's state must equal a RocksDB peer's. The server re-prints what it stores (pouchdb-server reorders integer-like
/// field names, JavaScript and Erlang print some numbers differently), so an object's fields are kept inline only
/// when re-writing them compactly reproduces the original bytes and nothing in them is at risk (only integers of at
/// most 15 digits, no duplicate or integer-like field names). Otherwise the original bytes are kept in <c>~value</c>
/// as well, and reads take them from there; the inline fields still answer queries.
/// </para>
/// </summary>
internal static class CouchDocuments
{
    public const string VersionField = "~version";
    public const string MetadataField = "~metadata";
    public const string ValueField = "~value";

    private static readonly JsonDocumentOptions s_parse = new() { MaxDepth = 64 };

    /// <summary>How a value will be stored: as inline fields (a parsed object), and whether its raw bytes are kept too.</summary>
    public readonly record struct ValueLayout(JsonDocument? Inline, bool KeepRaw);

    public static ValueLayout Analyse(ReadOnlyMemory<byte> value)
    {
        // Fast path: only something that starts like an object (after JSON whitespace) is worth parsing.
        var first = value.Span.IndexOfAnyExcept(" \t\r\n"u8);
        if (first < 0 || value.Span[first] != (byte)'{')
        {
            return new ValueLayout(null, KeepRaw: true);
        }

        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(value, s_parse);
        }
        catch (JsonException)
        {
            return new ValueLayout(null, KeepRaw: true);
        }

        foreach (var property in doc.RootElement.EnumerateObject())
        {
            if (IsReservedName(property.Name))
            {
                doc.Dispose();
                return new ValueLayout(null, KeepRaw: true);
            }
        }

        var exact = IsSafe(doc.RootElement) && RewritesExactly(doc.RootElement, value.Span);
        return new ValueLayout(doc, KeepRaw: !exact);
    }

    /// <summary>Writes one document of a <c>_bulk_docs</c> request for a put.</summary>
    public static void WritePut(Utf8JsonWriter w, string id, string? rev, in StateWrite write, ValueLayout layout)
    {
        w.WriteStartObject();
        w.WriteString("_id", id);
        if (rev is not null)
        {
            w.WriteString("_rev", rev);
        }

        w.WriteString(VersionField, FormatVersion(write.Version));
        if (!write.Metadata.IsEmpty)
        {
            w.WriteBase64String(MetadataField, write.Metadata.Span);
        }

        if (layout.KeepRaw)
        {
            w.WriteBase64String(ValueField, write.Value.Span);
        }

        if (layout.Inline is not null)
        {
            foreach (var property in layout.Inline.RootElement.EnumerateObject())
            {
                property.WriteTo(w);
            }
        }

        w.WriteEndObject();
    }

    /// <summary>Writes one document of a <c>_bulk_docs</c> request for a delete (CouchDB keeps a tombstone).</summary>
    public static void WriteDelete(Utf8JsonWriter w, string id, string rev)
    {
        w.WriteStartObject();
        w.WriteString("_id", id);
        w.WriteString("_rev", rev);
        w.WriteBoolean("_deleted", true);
        w.WriteEndObject();
    }

    /// <summary>The value a stored document holds, or null for a document that is not a state value (no <c>~version</c>).</summary>
    public static VersionedValue? Read(JsonElement doc)
    {
        if (doc.ValueKind != JsonValueKind.Object || !doc.TryGetProperty(VersionField, out var versionField) || !TryParseVersion(versionField.GetString(), out var version))
        {
            return null;
        }

        var metadata = doc.TryGetProperty(MetadataField, out var m) ? m.GetBytesFromBase64() : ReadOnlyMemory<byte>.Empty;
        if (doc.TryGetProperty(ValueField, out var raw))
        {
            return new VersionedValue(raw.GetBytesFromBase64(), version, metadata);
        }

        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            foreach (var property in doc.EnumerateObject())
            {
                if (!IsReservedName(property.Name))
                {
                    property.WriteTo(w);
                }
            }

            w.WriteEndObject();
        }

        return new VersionedValue(buffer.WrittenMemory, version, metadata);
    }

    public static string FormatVersion(Version v) =>
        v.BlockNumber.ToString(CultureInfo.InvariantCulture) + ":" + v.TxNumber.ToString(CultureInfo.InvariantCulture);

    public static bool TryParseVersion(string? text, out Version version)
    {
        version = default;
        var colon = text?.IndexOf(':', StringComparison.Ordinal) ?? -1;
        if (colon <= 0
            || !ulong.TryParse(text.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var block)
            || !ulong.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var tx))
        {
            return false;
        }

        version = new Version(block, tx);
        return true;
    }

    private static bool IsReservedName(string name) => name.StartsWith('_') || name is VersionField or MetadataField or ValueField;

    private static bool RewritesExactly(JsonElement root, ReadOnlySpan<byte> original)
    {
        var buffer = new ArrayBufferWriter<byte>(original.Length + 16);
        using (var w = new Utf8JsonWriter(buffer))
        {
            root.WriteTo(w);
        }

        return buffer.WrittenSpan.SequenceEqual(original);
    }

    // True when the server will print the value back as it was given: integers of at most 15 digits (exact in a
    // double), no duplicate field names, no integer-like field names (JavaScript moves those to the front).
    private static bool IsSafe(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var names = new HashSet<string>(StringComparer.Ordinal);
                foreach (var property in element.EnumerateObject())
                {
                    if (!names.Add(property.Name) || (property.Name.Length > 0 && property.Name.All(char.IsAsciiDigit)) || !IsSafe(property.Value))
                    {
                        return false;
                    }
                }

                return true;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    if (!IsSafe(item))
                    {
                        return false;
                    }
                }

                return true;
            case JsonValueKind.Number:
                var text = element.GetRawText();
                var digits = text.StartsWith('-') ? text[1..] : text;
                return digits.Length is > 0 and <= 15 && digits.All(char.IsAsciiDigit) && (digits == "0" ? text == "0" : digits[0] != '0');
            default:
                return true;
        }
    }
}
