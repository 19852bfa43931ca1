using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace FnzChain.Identity.Msp;

/// <summary>
/// Signatures this process made with its own key, remembered so that meeting one of them again costs a hash
/// instead of an ECDSA verification: a peer validating a block checks the endorsement it produced itself minutes
/// earlier. This is sound because verification is a function of (public key, message, signature) alone: a
/// signature made with this key over exactly this message verifies against this identity. Only signatures that
/// claim this process's own serialized identity are recognised; a claim by any other identity, or the same
/// signature over different bytes, is verified as usual.
/// <para>
/// Bounded: after <see cref="Capacity"/> signatures the oldest are forgotten, and a forgotten signature is simply
/// verified. Safe to use from many threads.
/// </para>
/// </summary>
public sealed class OwnSignatures
{
    private readonly byte[] _identity;
    private readonly ConcurrentDictionary<string, byte[]> _digests = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _order = new();

    /// <param name="serializedIdentity">This process's <c>msp.SerializedIdentity</c>, the signer of every recorded signature.</param>
    /// <param name="capacity">Signatures remembered; about 200 bytes each.</param>
    public OwnSignatures(ReadOnlySpan<byte> serializedIdentity, int capacity = 65_536)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _identity = serializedIdentity.ToArray();
        Capacity = capacity;
    }

    public int Capacity { get; }

    /// <summary>Signatures remembered now.</summary>
    public int Count => _digests.Count;

    /// <summary>Remembers that this process signed <paramref name="message"/> and produced <paramref name="signature"/>.</summary>
    public void Record(ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        var key = Convert.ToBase64String(signature);
        if (_digests.TryAdd(key, SHA256.HashData(message)))
        {
            _order.Enqueue(key);
            while (_digests.Count > Capacity && _order.TryDequeue(out var oldest))
            {
                _digests.TryRemove(oldest, out _);
            }
        }
    }

    /// <summary>True when <paramref name="identity"/> is this process and it made <paramref name="signature"/> over exactly <paramref name="message"/>.</summary>
    public bool Contains(ReadOnlySpan<byte> identity, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        if (!identity.SequenceEqual(_identity) || !_digests.TryGetValue(Convert.ToBase64String(signature), out var digest))
        {
            return false;
        }

        Span<byte> actual = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(message, actual);
        return CryptographicOperations.FixedTimeEquals(actual, digest);
    }
}
