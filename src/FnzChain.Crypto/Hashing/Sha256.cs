using System.Security.Cryptography;

namespace FnzChain.Crypto.Hashing;

/// <summary>SHA-256, the one hash of Fabric's data model (tx ids, block data hashes, private data hashes).</summary>
public static class Sha256
{
    public const int Size = SHA256.HashSizeInBytes;

    public static byte[] Hash(ReadOnlySpan<byte> data) => SHA256.HashData(data);

    public static void Hash(ReadOnlySpan<byte> data, Span<byte> destination) => SHA256.HashData(data, destination);

    /// <summary>SHA-256 of the concatenation of two inputs, without concatenating them.</summary>
    public static byte[] Hash(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(first);
        hash.AppendData(second);
        return hash.GetHashAndReset();
    }

    /// <summary>Lower-case hex of SHA-256(data).</summary>
    public static string HashHex(ReadOnlySpan<byte> data) => Convert.ToHexStringLower(Hash(data));
}
