using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace FnzChain.Ledger.Encryption;

/// <summary>What a ciphertext belongs to: each domain encrypts under its own subkey of the data key.</summary>
internal enum AtRestDomain : byte
{
    // The first values are those of Storage.StorageColumn: a column family is its own domain.
    State = 0,
    History,
    Index,
    Savepoint,
    Transient,
    PrivateData,

    /// <summary>Records of the block files.</summary>
    Blocks = 16,
}

/// <summary>
/// AES-256-GCM over stored values and block records, with the keys of a <see cref="Keyring"/>. A ciphertext is
/// <c>0x01 ‖ key id (u32 BE) ‖ nonce (12 B) ‖ tag (16 B) ‖ encrypted bytes</c> (33 bytes of overhead), so a rotated
/// keyring still reads what older keys wrote.
/// </summary>
/// <remarks>
/// <para><b>Subkeys.</b> Each (data key, domain) pair has its own AES key, derived with HKDF-SHA256, so a value cannot
/// be moved between column families or into the block files undetected. The associated data is the value's place:
/// its RocksDB key, or a block record's file and offset; a value copied to another key or record fails to decrypt.</para>
/// <para><b>Nonces never repeat.</b> A nonce is <c>epoch (u32 BE) ‖ counter (u64 BE)</c>: every writing cipher
/// reserves a fresh epoch in the keyring file (durably, under its lock) before its first encryption, and counts
/// within it. Two processes, or two runs of one, therefore never share a nonce, and one run cannot exhaust its
/// 2^64 counter. Random nonces would be bounded to 2^32 encryptions per key (NIST SP 800-38D), which a busy peer —
/// several values per transaction — reaches in days; counters carry no such bound.</para>
/// </remarks>
public sealed class AtRestCipher : IDisposable
{
    public const int KeyBytes = 32;
    public const int Overhead = HeaderBytes + NonceBytes + TagBytes;
    private const byte Version = 0x01;
    private const int HeaderBytes = 5;
    private const int NonceBytes = 12;
    private const int TagBytes = 16;

    private readonly IReadOnlyDictionary<uint, byte[]> _keys;
    private readonly byte[] _salt;
    private readonly uint? _epoch;
    private readonly ConcurrentDictionary<ulong, SubKey> _subKeys = new();
    private long _counter;

    internal AtRestCipher(string keyringId, uint activeKeyId, IReadOnlyDictionary<uint, byte[]> keys, uint? epoch)
    {
        KeyringId = keyringId;
        ActiveKeyId = activeKeyId;
        _keys = keys;
        _epoch = epoch;
        _salt = Encoding.ASCII.GetBytes(keyringId);
    }

    /// <summary>The keyring this cipher's keys come from (ledgers record it).</summary>
    public string KeyringId { get; }

    /// <summary>The data key new ciphertexts are written under.</summary>
    public uint ActiveKeyId { get; }

    /// <summary>The key id a stored ciphertext names, or null when it is not one.</summary>
    public static uint? KeyIdOf(ReadOnlySpan<byte> stored) =>
        stored.Length >= Overhead && stored[0] == Version ? BinaryPrimitives.ReadUInt32BigEndian(stored[1..]) : null;

    /// <summary>Encrypts <paramref name="plaintext"/> into <paramref name="destination"/> (at least <see cref="Overhead"/> bytes longer); returns the bytes written.</summary>
    internal int Encrypt(AtRestDomain domain, ReadOnlySpan<byte> context, ReadOnlySpan<byte> plaintext, Span<byte> destination)
    {
        if (_epoch is not { } epoch)
        {
            throw new InvalidOperationException("this cipher was opened read-only");
        }

        var counter = Interlocked.Increment(ref _counter);
        var length = Overhead + plaintext.Length;
        destination[0] = Version;
        BinaryPrimitives.WriteUInt32BigEndian(destination[1..], ActiveKeyId);
        var nonce = destination.Slice(HeaderBytes, NonceBytes);
        BinaryPrimitives.WriteUInt32BigEndian(nonce, epoch);
        BinaryPrimitives.WriteUInt64BigEndian(nonce[4..], (ulong)counter);
        var subKey = SubKeyOf(ActiveKeyId, domain) ?? throw new InvalidOperationException($"the active data key {ActiveKeyId} is not in the keyring");
        var aes = subKey.Rent();
        try
        {
            aes.Encrypt(nonce, plaintext, destination[Overhead..length], destination.Slice(HeaderBytes + NonceBytes, TagBytes), context);
        }
        finally
        {
            subKey.Return(aes);
        }

        return length;
    }

    /// <summary>The length of the plaintext of a ciphertext of <paramref name="storedLength"/> bytes.</summary>
    internal static int PlaintextLength(AtRestDomain domain, int storedLength) =>
        storedLength >= Overhead ? storedLength - Overhead : throw Undecryptable(domain, $"it has {storedLength} bytes, fewer than the {Overhead} of an encrypted value");

    /// <summary>Decrypts and authenticates <paramref name="stored"/> into <paramref name="destination"/>; throws <see cref="LedgerCorruptedException"/> naming the reason.</summary>
    internal int Decrypt(AtRestDomain domain, ReadOnlySpan<byte> context, ReadOnlySpan<byte> stored, Span<byte> destination)
    {
        var length = PlaintextLength(domain, stored.Length);
        if (stored[0] != Version)
        {
            throw Undecryptable(domain, $"it starts with 0x{stored[0]:x2}, not an encrypted value (was it written without encryption?)");
        }

        var keyId = BinaryPrimitives.ReadUInt32BigEndian(stored[1..]);
        var subKey = SubKeyOf(keyId, domain) ?? throw Undecryptable(domain, $"it names data key {keyId}, which the keyring does not hold");
        var aes = subKey.Rent();
        try
        {
            aes.Decrypt(stored.Slice(HeaderBytes, NonceBytes), stored[Overhead..], stored.Slice(HeaderBytes + NonceBytes, TagBytes), destination[..length], context);
            return length;
        }
        catch (AuthenticationTagMismatchException)
        {
            throw Undecryptable(domain, $"its authentication tag does not match under data key {keyId}: it was altered or moved from another place");
        }
        finally
        {
            subKey.Return(aes);
        }
    }

    /// <summary>Decrypts into a new array (reads that return their bytes).</summary>
    internal byte[] Decrypt(AtRestDomain domain, ReadOnlySpan<byte> context, ReadOnlySpan<byte> stored)
    {
        var plaintext = new byte[PlaintextLength(domain, stored.Length)];
        Decrypt(domain, context, stored, plaintext);
        return plaintext;
    }

    public void Dispose()
    {
        foreach (var subKey in _subKeys.Values)
        {
            subKey.Dispose();
        }

        _subKeys.Clear();
    }

    private static LedgerCorruptedException Undecryptable(AtRestDomain domain, string reason) =>
        new($"a stored {DomainName(domain)} value does not decrypt: {reason}");

    private static string DomainName(AtRestDomain domain) => domain switch
    {
        AtRestDomain.Blocks => "block record",
        AtRestDomain.PrivateData => "private data store",
        AtRestDomain.Transient => "transient store",
        _ => domain.ToString().ToLowerInvariant(),
    };

    private SubKey? SubKeyOf(uint keyId, AtRestDomain domain)
    {
        var id = ((ulong)keyId << 8) | (byte)domain;
        if (_subKeys.TryGetValue(id, out var subKey))
        {
            return subKey;
        }

        if (!_keys.TryGetValue(keyId, out var dataKey))
        {
            return null;
        }

        Span<byte> info = stackalloc byte[24];
        var n = Encoding.ASCII.GetBytes("fnzchain at-rest v1 ", info);
        info[n++] = (byte)domain;
        var derived = HKDF.DeriveKey(HashAlgorithmName.SHA256, dataKey, KeyBytes, _salt, info[..n].ToArray());
        return _subKeys.GetOrAdd(id, _ => new SubKey(derived));
    }

    /// <summary>One derived key with a pool of AES-GCM instances: an instance is not safe for concurrent use, and reads run beside the commit.</summary>
    private sealed class SubKey(byte[] key) : IDisposable
    {
        private readonly ConcurrentBag<AesGcm> _pool = [];

        public AesGcm Rent() => _pool.TryTake(out var aes) ? aes : new AesGcm(key, TagBytes);

        public void Return(AesGcm aes) => _pool.Add(aes);

        public void Dispose()
        {
            while (_pool.TryTake(out var aes))
            {
                aes.Dispose();
            }

            CryptographicOperations.ZeroMemory(key);
        }
    }
}
