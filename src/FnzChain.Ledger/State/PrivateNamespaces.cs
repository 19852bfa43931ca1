using System.Security.Cryptography;
using System.Text;

namespace FnzChain.Ledger.State;

/// <summary>
/// Where private data collections live in the state database, as derived namespaces of their chaincode (Fabric's
/// layout): <c>cc$$hcoll</c> holds, on every peer, SHA-256(key) → SHA-256(value) with the writing transaction's
/// version, which is what MVCC checks private reads against; <c>cc$$pcoll</c> holds the plaintext key → value on
/// member peers only; <c>cc$$kcoll</c> maps a key hash back to its plaintext key on member peers, so that a purge,
/// which names only the hash, can find what to erase. Chaincode and collection names cannot contain <c>$</c>, so
/// derived namespaces never collide with a chaincode's own. No history is kept for derived namespaces.
/// </summary>
public static class PrivateNamespaces
{
    private const string HashedMarker = "$$h";
    private const string PrivateMarker = "$$p";
    private const string KeyIndexMarker = "$$k";

    public static string Hashed(string ns, string collection) => ns + HashedMarker + collection;

    public static string Private(string ns, string collection) => ns + PrivateMarker + collection;

    public static string KeyIndex(string ns, string collection) => ns + KeyIndexMarker + collection;

    /// <summary>True for any derived (collection) namespace.</summary>
    public static bool IsDerived(string ns) => ns.Contains("$$", StringComparison.Ordinal);

    /// <summary>The chaincode a namespace belongs to (itself for a chaincode's own namespace).</summary>
    public static string ChaincodeOf(string ns)
    {
        ArgumentNullException.ThrowIfNull(ns);
        var marker = ns.IndexOf("$$", StringComparison.Ordinal);
        return marker < 0 ? ns : ns[..marker];
    }

    /// <summary>How a key hash is written as a state key: lower-case hex of the 32 bytes.</summary>
    public static string HashKey(ReadOnlySpan<byte> keyHash) => Convert.ToHexStringLower(keyHash);

    /// <summary>SHA-256 of a private key's UTF-8 bytes, as hashed read/write sets carry it.</summary>
    public static byte[] HashOf(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    /// <summary>Why <paramref name="name"/> is not a valid collection name (letters, digits, '-', '_'; at most 64), or null.</summary>
    public static string? CollectionNameProblem(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length is 0 or > 64)
        {
            return $"collection name \"{name}\" must be 1 to 64 characters";
        }

        return name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')
            ? null
            : $"collection name \"{name}\" may hold only letters, digits, '-' and '_'";
    }
}
