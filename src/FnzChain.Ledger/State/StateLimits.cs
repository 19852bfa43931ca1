using System.Text;
using System.Text.Unicode;

namespace FnzChain.Ledger.State;

/// <summary>
/// Bounds and validation for namespaces and keys, shared by every state database so that a key accepted
/// by one implementation is accepted by all. Errors are one line and name the offending namespace/key.
/// </summary>
public static class StateLimits
{
    /// <summary>Maximum UTF-8 length of a namespace (chaincode name, or chaincode$$collection later).</summary>
    public const int MaxNamespaceBytes = 255;

    /// <summary>Maximum UTF-8 length of a key. Composite keys count in full.</summary>
    public const int MaxKeyBytes = 8 * 1024;

    /// <summary>Range bounds may exceed a key by the U+10FFFF sentinel a partial composite key query appends.</summary>
    public const int MaxRangeBoundBytes = MaxKeyBytes + 4;

    /// <summary>Largest page a range or rich query may ask for.</summary>
    public const int MaxPageSize = 100_000;

    /// <summary>
    /// Largest value one write may carry (3 MiB), public or private, checked at endorsement and — for public writes,
    /// whose values are in the block — at validation on every peer. It is a consensus rule, the same on every peer
    /// whatever its state database: a CouchDB document holding the value (up to the value plus its base64 copy,
    /// 7.3 MB) stays below CouchDB's default <c>max_document_size</c> (8,000,000 bytes), so no valid transaction
    /// can be one a CouchDB peer's server refuses (decision 0022).
    /// </summary>
    public const int MaxValueBytes = 3 * 1024 * 1024;

    public static void ValidateNamespace(string ns)
    {
        ArgumentNullException.ThrowIfNull(ns);
        if (ns.Length == 0)
        {
            throw new ArgumentException("invalid namespace \"\": namespace must not be empty");
        }

        if (ns.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException($"invalid namespace \"{Printable(ns)}\": namespace must not contain U+0000");
        }

        var bytes = Utf8Length(ns);
        if (bytes < 0)
        {
            throw new ArgumentException($"invalid namespace \"{Printable(ns)}\": not valid UTF-8 (unpaired surrogate)");
        }

        if (bytes > MaxNamespaceBytes)
        {
            throw new ArgumentException($"invalid namespace \"{Printable(ns, 64)}\": {bytes} bytes exceeds the limit of {MaxNamespaceBytes}");
        }
    }

    public static void ValidateKey(string ns, string key) => ValidateKey(ns, key, MaxKeyBytes, allowEmpty: false);

    /// <summary>Validates a range bound: like a key, but may be empty (unbounded) and slightly longer.</summary>
    public static void ValidateRangeBound(string ns, string bound) => ValidateKey(ns, bound, MaxRangeBoundBytes, allowEmpty: true);

    /// <summary>Refuses a value longer than <see cref="MaxValueBytes"/>, naming the key.</summary>
    public static void ValidateValue(string ns, string key, int length)
    {
        if (length > MaxValueBytes)
        {
            throw new ArgumentException($"value of key \"{Printable(key, 64)}\" in namespace \"{ns}\" is {length} bytes, more than the {MaxValueBytes} bytes (3 MiB) a value may have");
        }
    }

    public static void ValidatePageSize(int pageSize)
    {
        if (pageSize is < 1 or > MaxPageSize)
        {
            throw new ArgumentOutOfRangeException(nameof(pageSize), pageSize, $"page size must be between 1 and {MaxPageSize}");
        }
    }

    private static void ValidateKey(string ns, string key, int maxBytes, bool allowEmpty)
    {
        ArgumentNullException.ThrowIfNull(key);
        ValidateNamespace(ns);
        if (key.Length == 0 && !allowEmpty)
        {
            throw new ArgumentException($"invalid key \"\" in namespace \"{ns}\": key must not be empty");
        }

        var bytes = Utf8Length(key);
        if (bytes < 0)
        {
            throw new ArgumentException($"invalid key \"{Printable(key)}\" in namespace \"{ns}\": not valid UTF-8 (unpaired surrogate)");
        }

        if (bytes > maxBytes)
        {
            throw new ArgumentException($"invalid key \"{Printable(key, 64)}\" in namespace \"{ns}\": {bytes} bytes exceeds the limit of {maxBytes}");
        }
    }

    /// <summary>UTF-8 byte count of <paramref name="s"/>, or -1 when it holds an unpaired surrogate.</summary>
    internal static int Utf8Length(string s)
    {
        // Fast path: most keys are ASCII, where the byte count is the char count.
        if (Ascii.IsValid(s))
        {
            return s.Length;
        }

        Span<byte> scratch = stackalloc byte[256];
        var total = 0;
        var rest = s.AsSpan();
        while (true)
        {
            var status = Utf8.FromUtf16(rest, scratch, out var read, out var written, replaceInvalidSequences: false);
            total += written;
            rest = rest[read..];
            switch (status)
            {
                case System.Buffers.OperationStatus.Done:
                    return total;
                case System.Buffers.OperationStatus.DestinationTooSmall:
                    continue;
                default:
                    return -1;
            }
        }
    }

    /// <summary>A key as it should appear in a one-line error: control characters escaped, long keys cut.</summary>
    public static string Printable(string s, int maxChars = 256)
    {
        var cut = s.Length > maxChars;
        var sb = new StringBuilder(Math.Min(s.Length, maxChars) + 8);
        foreach (var c in cut ? s.AsSpan(0, maxChars) : s.AsSpan())
        {
            if (char.IsControl(c) || char.IsSurrogate(c) || c == '"')
            {
                sb.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                sb.Append(c);
            }
        }

        if (cut)
        {
            sb.Append('…');
        }

        return sb.ToString();
    }
}
