using System.Buffers;
using FnzChain.Ledger.Encryption;
using RocksDbSharp;

namespace FnzChain.Ledger.Storage;

/// <summary>
/// The writes of one commit to the channel database, applied atomically by <see cref="ChannelDatabase.Write"/>:
/// a block's index entries, state, history, private data store and savepoints travel together, so after a crash
/// either all of them are there or none. Stores outside <c>Storage/</c> stage into it by column, never touching
/// RocksDB types. Not thread-safe; dispose it after the write.
/// </summary>
internal sealed class StorageBatch : IDisposable
{
    private readonly ColumnFamilyHandle[] _columns;
    private readonly AtRestCipher? _cipher;
    private byte[]? _sealed; // pooled buffer the values are encrypted into, when encryption is on

    internal StorageBatch(ColumnFamilyHandle[] columns, AtRestCipher? cipher)
    {
        _columns = columns;
        _cipher = cipher;
        Native = new WriteBatch();
    }

    /// <summary>The RocksDB batch, for <see cref="ChannelDatabase.Write"/>.</summary>
    internal WriteBatch Native { get; }

    /// <summary>Stages a put; with encryption on, the value is encrypted (bound to its column and key) before RocksDB copies it into the batch.</summary>
    public void Put(StorageColumn column, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        if (_cipher is null)
        {
            Native.Put(key, value, _columns[(int)column]);
            return;
        }

        var size = value.Length + AtRestCipher.Overhead;
        if (_sealed is null || _sealed.Length < size)
        {
            if (_sealed is not null)
            {
                ArrayPool<byte>.Shared.Return(_sealed);
            }

            _sealed = ArrayPool<byte>.Shared.Rent(Math.Max(size, 1024));
        }

        var length = _cipher.Encrypt((AtRestDomain)column, key, value, _sealed);
        Native.Put(key, _sealed.AsSpan(0, length), _columns[(int)column]);
    }

    public void Delete(StorageColumn column, ReadOnlySpan<byte> key) => Native.Delete(key, _columns[(int)column]);

    public void Dispose()
    {
        Native.Dispose();
        if (_sealed is not null)
        {
            ArrayPool<byte>.Shared.Return(_sealed);
            _sealed = null;
        }
    }
}
