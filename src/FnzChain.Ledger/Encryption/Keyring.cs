using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using FnzChain.Ledger.Blocks;

namespace FnzChain.Ledger.Encryption;

/// <summary>
/// The data keys of a node's encryption at rest, in a JSON file in its data folder (<c>keyring.json</c>): each key
/// with its id, wrapped by the key-encryption key (<see cref="IKeyEncryptionKeyProvider"/>), and which one new writes
/// use. Rotation adds a key and makes it active; the old ones stay, so everything written under them stays readable
/// (every ciphertext names its key id). The file also counts nonce epochs (<see cref="AtRestCipher"/>): each process
/// that writes reserves one, so no two writers ever use the same (key, nonce) pair.
/// </summary>
public sealed class Keyring
{
    public const string FileName = "keyring.json";
    private const int Format = 1;
    private static readonly byte[] s_wrapLabel = "fnzchain keyring v1"u8.ToArray();
    private static readonly JsonSerializerOptions s_json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, WriteIndented = true };

    private readonly Dictionary<uint, byte[]> _keys;

    private Keyring(string path, string id, uint activeKeyId, Dictionary<uint, byte[]> keys)
    {
        Path = path;
        Id = id;
        ActiveKeyId = activeKeyId;
        _keys = keys;
    }

    /// <summary>The keyring file.</summary>
    public string Path { get; }

    /// <summary>Random id of the keyring (hex), recorded in every ledger encrypted under it.</summary>
    public string Id { get; }

    /// <summary>The data key new writes use.</summary>
    public uint ActiveKeyId { get; }

    /// <summary>The ids of every data key, oldest first.</summary>
    public IReadOnlyList<uint> KeyIds => [.. _keys.Keys.Order()];

    /// <summary>Creates a keyring file with one data key; refuses to replace an existing one.</summary>
    public static async Task<Keyring> CreateAsync(string path, IKeyEncryptionKeyProvider kek, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(kek);
        path = System.IO.Path.GetFullPath(path);
        using var held = await KeyringLock.AcquireAsync(path, cancellationToken).ConfigureAwait(false);
        if (File.Exists(path))
        {
            throw new EncryptionAtRestException($"keyring {path} already exists");
        }

        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var key = RandomNumberGenerator.GetBytes(AtRestCipher.KeyBytes);
        var file = new KeyringFile(Format, id, 1, 0, [new KeyEntry(1, DateTimeOffset.UtcNow, Convert.ToBase64String(await kek.WrapAsync(key, WrapContext(id, 1), cancellationToken).ConfigureAwait(false)))]);
        Write(path, file);
        return new Keyring(path, id, 1, new() { [1] = key });
    }

    /// <summary>Reads the keyring and unwraps every data key; the wrong key-encryption key is refused in one line.</summary>
    public static async Task<Keyring> OpenAsync(string path, IKeyEncryptionKeyProvider kek, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(kek);
        path = System.IO.Path.GetFullPath(path);
        var file = Read(path);
        var keys = new Dictionary<uint, byte[]>();
        foreach (var entry in file.Keys)
        {
            keys[entry.Id] = await UnwrapAsync(path, file, entry, kek, cancellationToken).ConfigureAwait(false);
        }

        return new Keyring(path, file.Id, file.ActiveKey, keys);
    }

    /// <summary>Opens the keyring, creating it when the file does not exist yet.</summary>
    public static Task<Keyring> OpenOrCreateAsync(string path, IKeyEncryptionKeyProvider kek, CancellationToken cancellationToken = default) =>
        File.Exists(path) ? OpenAsync(path, kek, cancellationToken) : CreateAsync(path, kek, cancellationToken);

    /// <summary>
    /// Adds a new data key and makes it the one new writes use (from the next start of each node using the keyring);
    /// the older keys stay for what was written under them. Returns the new key's id.
    /// </summary>
    public static async Task<uint> RotateAsync(string path, IKeyEncryptionKeyProvider kek, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(kek);
        path = System.IO.Path.GetFullPath(path);
        using var held = await KeyringLock.AcquireAsync(path, cancellationToken).ConfigureAwait(false);
        var file = Read(path);
        foreach (var entry in file.Keys)
        {
            _ = await UnwrapAsync(path, file, entry, kek, cancellationToken).ConfigureAwait(false); // only the right KEK may rotate
        }

        var id = file.Keys.Max(k => k.Id) + 1;
        var key = RandomNumberGenerator.GetBytes(AtRestCipher.KeyBytes);
        var wrapped = await kek.WrapAsync(key, WrapContext(file.Id, id), cancellationToken).ConfigureAwait(false);
        CryptographicOperations.ZeroMemory(key);
        Write(path, file with { ActiveKey = id, Keys = [.. file.Keys, new KeyEntry(id, DateTimeOffset.UtcNow, Convert.ToBase64String(wrapped))] });
        return id;
    }

    /// <summary>Re-wraps every data key under <paramref name="newKek"/> (the data itself is not touched); the old key no longer opens the keyring.</summary>
    public static async Task RotateKeyEncryptionKeyAsync(string path, IKeyEncryptionKeyProvider oldKek, IKeyEncryptionKeyProvider newKek, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(oldKek);
        ArgumentNullException.ThrowIfNull(newKek);
        path = System.IO.Path.GetFullPath(path);
        using var held = await KeyringLock.AcquireAsync(path, cancellationToken).ConfigureAwait(false);
        var file = Read(path);
        var entries = new List<KeyEntry>();
        foreach (var entry in file.Keys)
        {
            var key = await UnwrapAsync(path, file, entry, oldKek, cancellationToken).ConfigureAwait(false);
            var wrapped = await newKek.WrapAsync(key, WrapContext(file.Id, entry.Id), cancellationToken).ConfigureAwait(false);
            CryptographicOperations.ZeroMemory(key);
            entries.Add(entry with { Wrapped = Convert.ToBase64String(wrapped) });
        }

        Write(path, file with { Keys = entries });
    }

    /// <summary>
    /// A cipher over this keyring's keys. Unless <paramref name="readOnly"/>, it reserves a nonce epoch in the file
    /// first (under the file's lock, durably), so its nonces cannot repeat those of any other writer.
    /// </summary>
    public async Task<AtRestCipher> CreateCipherAsync(bool readOnly = false, CancellationToken cancellationToken = default)
    {
        uint? epoch = null;
        if (!readOnly)
        {
            using var held = await KeyringLock.AcquireAsync(Path, cancellationToken).ConfigureAwait(false);
            var file = Read(Path);
            if (file.NextEpoch == uint.MaxValue)
            {
                throw new EncryptionAtRestException($"keyring {Path} has used all its nonce epochs; rotate the data key (fnzchain keys rotate)");
            }

            Write(Path, file with { NextEpoch = file.NextEpoch + 1 });
            epoch = file.NextEpoch;
        }

        return new AtRestCipher(Id, ActiveKeyId, _keys, epoch);
    }

    private static async Task<byte[]> UnwrapAsync(string path, KeyringFile file, KeyEntry entry, IKeyEncryptionKeyProvider kek, CancellationToken cancellationToken)
    {
        byte[] wrapped;
        try
        {
            wrapped = Convert.FromBase64String(entry.Wrapped);
        }
        catch (FormatException)
        {
            throw new EncryptionAtRestException($"keyring {path}: data key {entry.Id} is not base64");
        }

        var key = await kek.UnwrapAsync(wrapped, WrapContext(file.Id, entry.Id), cancellationToken).ConfigureAwait(false);
        return key is { Length: AtRestCipher.KeyBytes }
            ? key
            : throw new EncryptionAtRestException($"{kek.Description} does not unwrap data key {entry.Id} of {path}: wrong key");
    }

    private static byte[] WrapContext(string keyringId, uint keyId)
    {
        var context = new byte[s_wrapLabel.Length + Encoding.ASCII.GetByteCount(keyringId) + 4];
        s_wrapLabel.CopyTo(context, 0);
        var n = s_wrapLabel.Length + Encoding.ASCII.GetBytes(keyringId, context.AsSpan(s_wrapLabel.Length));
        BinaryPrimitives.WriteUInt32BigEndian(context.AsSpan(n), keyId);
        return context;
    }

    private static KeyringFile Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new EncryptionAtRestException($"keyring {path} does not exist");
        }

        KeyringFile? file;
        try
        {
            file = JsonSerializer.Deserialize<KeyringFile>(File.ReadAllText(path), s_json);
        }
        catch (JsonException e)
        {
            throw new EncryptionAtRestException($"keyring {path} is not a keyring file: {e.Message}", e);
        }

        if (file is null || file.Format != Format || string.IsNullOrEmpty(file.Id) || file.Keys is not { Count: > 0 }
            || file.Keys.Select(k => k.Id).Distinct().Count() != file.Keys.Count || file.Keys.All(k => k.Id != file.ActiveKey))
        {
            throw new EncryptionAtRestException($"keyring {path} is not a keyring file of format {Format} with its active key among its keys");
        }

        return file;
    }

    /// <summary>Replaces the file atomically and durably: a temporary file, fsynced, renamed over it, the folder fsynced.</summary>
    private static void Write(string path, KeyringFile file)
    {
        var temporary = path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(temporary, options))
        {
            JsonSerializer.Serialize(stream, file, s_json);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
        BlockFiles.SyncFolder(System.IO.Path.GetDirectoryName(path)!);
    }

    private sealed record KeyringFile(int Format, string Id, uint ActiveKey, uint NextEpoch, List<KeyEntry> Keys);

    private sealed record KeyEntry(uint Id, DateTimeOffset Created, string Wrapped);

    /// <summary>An exclusive lock on <c>keyring.json.lock</c>, so that processes sharing a keyring update it one at a time.</summary>
    private sealed class KeyringLock(FileStream stream) : IDisposable
    {
        public static async Task<KeyringLock> AcquireAsync(string path, CancellationToken cancellationToken)
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
            var lockPath = path + ".lock";
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    return new KeyringLock(new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
                }
                catch (IOException) when (attempt < 200)
                {
                    await Task.Delay(50, cancellationToken).ConfigureAwait(false);
                }
                catch (IOException e)
                {
                    throw new EncryptionAtRestException($"keyring {path} stayed locked by another process for 10 s ({lockPath})", e);
                }
            }
        }

        public void Dispose() => stream.Dispose();
    }
}
