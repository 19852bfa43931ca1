using System.Security.Cryptography;
using System.Text;

namespace FnzChain.Ledger.State.CouchDb;

/// <summary>
/// Database names and document ids, shaped as Fabric's statecouchdb shapes them but injective for every namespace and
/// key our ledger accepts.
/// <list type="bullet">
/// <item>A namespace's database is <c>channel_namespace</c>: lower-case, upper-case letters escaped as <c>$</c> plus
/// the letter (Fabric), the first <c>$$</c> (chaincode/collection joiner) kept, every other character outside
/// <c>[a-z0-9_-]</c> written as <c>+</c> and two hex digits per UTF-8 byte (Fabric refuses such names; ours may hold
/// any UTF-8). Names longer than 238 characters are cut to 50 characters of channel, chaincode and collection and
/// suffixed with <c>(sha256-hex of channel_namespace)</c>, Fabric's rule.</item>
/// <item>The channel's metadata database (savepoint) is <c>channel_</c> (Fabric): no namespace is empty, so it cannot
/// collide.</item>
/// <item>Document ids are the keys, except that CouchDB reserves ids starting with <c>_</c>. Such keys are stored under
/// <c>^</c>U+10FFFF<c>B</c> + the rest, and keys that themselves start with <c>^</c>U+10FFFF under
/// <c>^</c>U+10FFFF<c>A</c> + the rest. Both land exactly where the original keys sorted (after every other <c>^</c>
/// key, before <c>`</c>), so the mapping keeps UTF-8 byte order and ranges can be scanned by id.</item>
/// </list>
/// </summary>
public static class CouchDbNames
{
    /// <summary>Longest database name built before Fabric's cut-and-hash applies.</summary>
    public const int MaxDatabaseNameLength = 238;

    private const int PartLength = 50;
    private const string EscapePrefix = "^\U0010FFFF";

    /// <summary>Checks a channel name the way Fabric's orderer does: <c>[a-z][a-z0-9.-]*</c>, at most 249 characters.</summary>
    public static void ValidateChannel(string channel)
    {
        ArgumentNullException.ThrowIfNull(channel);
        if (channel.Length is 0 or > 249 || !char.IsAsciiLetterLower(channel[0]) || !channel.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '.' or '-'))
        {
            throw new ArgumentException($"channel name \"{StateLimits.Printable(channel, 64)}\" is not valid for CouchDB: it must match [a-z][a-z0-9.-]* and have at most 249 characters");
        }
    }

    /// <summary>The metadata database of a channel (holds the savepoint document).</summary>
    public static string MetadataDatabase(string channel)
    {
        ValidateChannel(channel);
        var mapped = channel.Replace('.', '$');
        return mapped.Length > MaxDatabaseNameLength
            ? mapped[..PartLength] + "(" + Sha256Hex(channel) + ")_"
            : mapped + "_";
    }

    /// <summary>The database holding one namespace of a channel.</summary>
    public static string NamespaceDatabase(string channel, string ns)
    {
        ValidateChannel(channel);
        StateLimits.ValidateNamespace(ns);
        var mappedChannel = channel.Replace('.', '$');
        var marker = ns.IndexOf("$$", StringComparison.Ordinal);
        var chaincode = Escape(marker < 0 ? ns : ns[..marker]);
        var collection = marker < 0 ? null : Escape(ns[(marker + 2)..]);
        var name = mappedChannel + "_" + chaincode + (collection is null ? "" : "$$" + collection);
        if (name.Length <= MaxDatabaseNameLength)
        {
            return name;
        }

        return Cut(mappedChannel) + "_" + Cut(chaincode) + (collection is null ? "" : "$$" + Cut(collection)) + "(" + Sha256Hex(channel + "_" + ns) + ")";
    }

    /// <summary>The document id of a key (or of a range bound: the mapping keeps order).</summary>
    public static string ToDocumentId(string key)
    {
        if (key.Length == 0)
        {
            return key;
        }

        if (key[0] == '_')
        {
            return EscapePrefix + "B" + key[1..];
        }

        return key.StartsWith(EscapePrefix, StringComparison.Ordinal) ? EscapePrefix + "A" + key[EscapePrefix.Length..] : key;
    }

    /// <summary>The key a document id stands for; null for ids no key maps to (design documents, foreign ids).</summary>
    public static string? ToKey(string id)
    {
        if (id.Length == 0 || id[0] == '_')
        {
            return null;
        }

        if (!id.StartsWith(EscapePrefix, StringComparison.Ordinal))
        {
            return id;
        }

        var tag = id.Length > EscapePrefix.Length ? id[EscapePrefix.Length] : '\0';
        return tag switch
        {
            'B' => "_" + id[(EscapePrefix.Length + 1)..],
            'A' => EscapePrefix + id[(EscapePrefix.Length + 1)..],
            _ => null,
        };
    }

    private static string Escape(string part)
    {
        var sb = new StringBuilder(part.Length + 8);
        Span<byte> utf8 = stackalloc byte[4];
        for (var i = 0; i < part.Length; i++)
        {
            var c = part[i];
            if (char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '_' or '-')
            {
                sb.Append(c);
            }
            else if (char.IsAsciiLetterUpper(c))
            {
                sb.Append('$').Append(char.ToLowerInvariant(c));
            }
            else
            {
                // A whole code point (surrogate pairs together), each UTF-8 byte as +xx.
                var length = char.IsHighSurrogate(c) && i + 1 < part.Length ? 2 : 1;
                var written = Encoding.UTF8.GetBytes(part.AsSpan(i, length), utf8);
                for (var b = 0; b < written; b++)
                {
                    sb.Append('+').Append(utf8[b].ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
                }

                i += length - 1;
            }
        }

        return sb.ToString();
    }

    private static string Cut(string part) => part.Length > PartLength ? part[..PartLength] : part;

    private static string Sha256Hex(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
