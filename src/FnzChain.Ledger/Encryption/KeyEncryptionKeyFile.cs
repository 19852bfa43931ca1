using System.Security.Cryptography;
using System.Text;
using FnzChain.Crypto.Keys;

namespace FnzChain.Ledger.Encryption;

/// <summary>
/// A key-encryption key kept in a file outside the data folder: 32 random bytes, or their base64 (44 characters,
/// a trailing newline allowed) for secret stores that hold text. Like ssh with a private key, the file is refused
/// when its group or others may read or write it, and when it does not hold exactly 32 bytes. Wraps data keys with
/// AES-256-GCM under a random 96-bit nonce: a KEK wraps a handful of data keys in its life, far below the bound of
/// 2^32 random nonces per key.
/// </summary>
public sealed class KeyEncryptionKeyFile : IKeyEncryptionKeyProvider
{
    public const int KeyBytes = 32;
    private const int NonceBytes = 12;
    private const int TagBytes = 16;

    private readonly byte[] _key;

    private KeyEncryptionKeyFile(string path, byte[] key)
    {
        Path = path;
        _key = key;
    }

    public string Path { get; }

    public string Description => $"the key-encryption key in {Path}";

    /// <summary>Reads and checks the key file; refuses a wrong mode or size in one line naming the file.</summary>
    public static KeyEncryptionKeyFile Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        path = System.IO.Path.GetFullPath(path);
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new EncryptionAtRestException($"key-encryption key file {path} does not exist");
        }

        if (KeyFileMode.Problem(path) is { } open)
        {
            throw new EncryptionAtRestException($"key-encryption key file {path} {open}");
        }

        if (info.Length > 1024)
        {
            throw new EncryptionAtRestException($"key-encryption key file {path} holds {info.Length} bytes; it must hold {KeyBytes} random bytes or their base64");
        }

        var bytes = File.ReadAllBytes(path);
        return new KeyEncryptionKeyFile(path, Decode(bytes) ?? throw new EncryptionAtRestException(
            $"key-encryption key file {path} holds {bytes.Length} bytes; it must hold {KeyBytes} random bytes or their base64"));
    }

    /// <summary>Writes a new key file of 32 random bytes, readable by its owner only; refuses to replace a file.</summary>
    public static void Generate(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var key = RandomNumberGenerator.GetBytes(KeyBytes);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            using var stream = new FileStream(path, options);
            stream.Write(key);
            stream.Flush(flushToDisk: true);
        }
        catch (IOException e) when (File.Exists(path))
        {
            throw new EncryptionAtRestException($"key-encryption key file {path} already exists; remove it or choose another path", e);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    public ValueTask<byte[]> WrapAsync(ReadOnlyMemory<byte> dataKey, ReadOnlyMemory<byte> context, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var wrapped = new byte[NonceBytes + TagBytes + dataKey.Length];
        RandomNumberGenerator.Fill(wrapped.AsSpan(0, NonceBytes));
        using var aes = new AesGcm(_key, TagBytes);
        aes.Encrypt(wrapped.AsSpan(0, NonceBytes), dataKey.Span, wrapped.AsSpan(NonceBytes + TagBytes), wrapped.AsSpan(NonceBytes, TagBytes), context.Span);
        return new(wrapped);
    }

    public ValueTask<byte[]?> UnwrapAsync(ReadOnlyMemory<byte> wrapped, ReadOnlyMemory<byte> context, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (wrapped.Length <= NonceBytes + TagBytes)
        {
            return new((byte[]?)null);
        }

        var span = wrapped.Span;
        var dataKey = new byte[wrapped.Length - NonceBytes - TagBytes];
        using var aes = new AesGcm(_key, TagBytes);
        try
        {
            aes.Decrypt(span[..NonceBytes], span[(NonceBytes + TagBytes)..], span.Slice(NonceBytes, TagBytes), dataKey, context.Span);
            return new(dataKey);
        }
        catch (AuthenticationTagMismatchException)
        {
            return new((byte[]?)null);
        }
    }

    private static byte[]? Decode(byte[] bytes)
    {
        if (bytes.Length == KeyBytes)
        {
            return bytes;
        }

        var text = Encoding.ASCII.GetString(bytes).TrimEnd('\n', '\r');
        var key = new byte[KeyBytes];
        return text.Length == 44 && Convert.TryFromBase64String(text, key, out var written) && written == KeyBytes ? key : null;
    }
}
