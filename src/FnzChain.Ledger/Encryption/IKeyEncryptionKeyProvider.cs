namespace FnzChain.Ledger.Encryption;

/// <summary>
/// The key store seam of encryption at rest: wraps and unwraps the data keys of a <see cref="Keyring"/> with a
/// key-encryption key (KEK) that never enters the data folder. <see cref="KeyEncryptionKeyFile"/> keeps the KEK in a
/// file; a KMS or HSM implements the same two calls with its own API (the context is its encryption context).
/// </summary>
public interface IKeyEncryptionKeyProvider
{
    /// <summary>Names the key in errors: <c>the key-encryption key in /etc/fnzchain/kek</c>.</summary>
    string Description { get; }

    /// <summary>Encrypts and authenticates <paramref name="dataKey"/>, bound to <paramref name="context"/>.</summary>
    ValueTask<byte[]> WrapAsync(ReadOnlyMemory<byte> dataKey, ReadOnlyMemory<byte> context, CancellationToken cancellationToken = default);

    /// <summary>The data key <paramref name="wrapped"/> holds, or null when this key (or this context) did not wrap it.</summary>
    ValueTask<byte[]?> UnwrapAsync(ReadOnlyMemory<byte> wrapped, ReadOnlyMemory<byte> context, CancellationToken cancellationToken = default);
}

/// <summary>Encryption at rest cannot start: a bad key file, the wrong key, a keyring or ledger that does not match the configuration. One line naming the file.</summary>
public sealed class EncryptionAtRestException : LedgerException
{
    public EncryptionAtRestException(string message)
        : base(message)
    {
    }

    public EncryptionAtRestException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
