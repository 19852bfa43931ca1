using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace FnzChain.Node.Audit;

/// <summary>
/// The on-disk form of the audit trail: one JSON object per line (UTF-8, <c>\n</c>-terminated). Every line carries
/// <c>seq</c> (contiguous across files), <c>prev</c> (the hash of the line before it, in this file or the previous one)
/// and, last, <c>hash</c>: hex SHA-256 of the line's bytes without the <c>,"hash":"…"</c> member. Editing a line breaks
/// its own hash; removing or reordering lines breaks <c>seq</c> and <c>prev</c> of the line after. The first line of
/// each file is a <c>file</c> line naming the file and the previous one.
/// </summary>
public static class AuditLine
{
    /// <summary>The <c>prev</c> of the very first line.</summary>
    public static readonly string Genesis = new('0', 64);

    private const string HashMember = ",\"hash\":\"";

    /// <summary>
    /// Appends a request line for <paramref name="record"/> to <paramref name="output"/> and returns its hash;
    /// <paramref name="scratch"/> is a buffer the caller reuses between lines.
    /// </summary>
    public static string WriteRecord(ArrayBufferWriter<byte> scratch, IBufferWriter<byte> output, long seq, string prev, AuditRecord record)
    {
        ArgumentNullException.ThrowIfNull(scratch);
        ArgumentNullException.ThrowIfNull(record);
        scratch.ResetWrittenCount();
        using (var json = new Utf8JsonWriter(scratch))
        {
            json.WriteStartObject();
            json.WriteNumber("seq", seq);
            json.WriteString("type", "request");
            json.WriteString("time", record.Time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture));
            json.WriteString("method", record.Method);
            json.WriteString("origin", record.Origin);
            WriteNumberOrNull(json, "port", record.OriginPort);
            json.WriteString("tlsClient", record.TlsClientSubject);
            json.WriteString("mspId", record.MspId);
            json.WriteString("subject", record.Subject);
            json.WriteString("txId", record.TxId);
            json.WriteString("channel", record.Channel);
            json.WriteString("chaincode", record.Chaincode);
            json.WriteString("function", record.Function);
            json.WriteString("grpcStatus", record.GrpcStatus);
            WriteNumberOrNull(json, "status", record.ProtocolStatus);
            json.WriteString("reason", record.Reason);
            json.WriteString("authFailure", record.AuthenticationFailure);
            json.WriteNumber("durationMs", Math.Round(record.DurationMs, 3));
            json.WriteString("prev", prev);
            json.WriteEndObject();
        }

        return Seal(scratch, output);
    }

    /// <summary>Appends the <c>file</c> line that opens <paramref name="file"/> and returns its hash.</summary>
    public static string WriteFileHeader(ArrayBufferWriter<byte> scratch, IBufferWriter<byte> output, long seq, string prev, string file, string? previousFile, DateTimeOffset time, long truncatedBytes)
    {
        ArgumentNullException.ThrowIfNull(scratch);
        scratch.ResetWrittenCount();
        using (var json = new Utf8JsonWriter(scratch))
        {
            json.WriteStartObject();
            json.WriteNumber("seq", seq);
            json.WriteString("type", "file");
            json.WriteString("time", time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture));
            json.WriteString("file", file);
            json.WriteString("previousFile", previousFile);
            if (truncatedBytes > 0)
            {
                // A line torn by a crash at the end of the previous file was cut off at start: said here, in the chain.
                json.WriteNumber("truncatedBytes", truncatedBytes);
            }

            json.WriteString("prev", prev);
            json.WriteEndObject();
        }

        return Seal(scratch, output);
    }

    /// <summary>Writes the body in <paramref name="scratch"/> to <paramref name="output"/> with the hash member before its closing brace, and a newline.</summary>
    private static string Seal(ArrayBufferWriter<byte> scratch, IBufferWriter<byte> output)
    {
        var body = scratch.WrittenSpan;
        var hash = Convert.ToHexStringLower(SHA256.HashData(body));
        output.Write(body[..^1]);
        Encoding.UTF8.GetBytes(HashMember, output);
        Encoding.UTF8.GetBytes(hash, output);
        output.Write("\"}\n"u8);
        return hash;
    }

    private static void WriteNumberOrNull(Utf8JsonWriter json, string name, int? value)
    {
        if (value is { } v)
        {
            json.WriteNumber(name, v);
        }
        else
        {
            json.WriteNull(name);
        }
    }

    /// <summary>
    /// Checks one line's own hash and reads what the chain needs from it; <paramref name="error"/> says what is wrong
    /// (not JSON, no hash, hash does not match the content).
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> line, out ChainLink link, out string error)
    {
        link = default;
        var at = line.LastIndexOf(Encoding.UTF8.GetBytes(HashMember));
        if (at < 0 || line.Length < at + HashMember.Length + 64 + 2 || !line.EndsWith("\"}"u8))
        {
            error = "it has no hash member at its end";
            return false;
        }

        var hash = Encoding.UTF8.GetString(line.Slice(at + HashMember.Length, 64));
        var body = new byte[at + 1];
        line[..at].CopyTo(body);
        body[at] = (byte)'}';
        if (!string.Equals(Convert.ToHexStringLower(SHA256.HashData(body)), hash, StringComparison.Ordinal))
        {
            error = "its hash does not match its content (the line was edited)";
            return false;
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            link = new ChainLink(
                root.GetProperty("seq").GetInt64(),
                root.GetProperty("type").GetString() ?? string.Empty,
                root.GetProperty("prev").GetString() ?? string.Empty,
                hash,
                root.TryGetProperty("file", out var file) ? file.GetString() : null,
                root.TryGetProperty("previousFile", out var previous) ? previous.GetString() : null);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            error = $"it is not an audit line: {e.Message}";
            return false;
        }

        error = string.Empty;
        return true;
    }
}

/// <summary>What the hash chain needs from one audit line.</summary>
public readonly record struct ChainLink(long Seq, string Type, string Prev, string Hash, string? File, string? PreviousFile);
