using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using FnzChain.Ledger.State.RocksDb;
using FnzChain.Ledger.Storage;
using FnzChain.Protos.Peer;

namespace FnzChain.Ledger.Blocks;

/// <summary>The block store's position: how many blocks are indexed and where the next one goes.</summary>
internal readonly record struct BlockStoreCheckpoint(ulong Height, int File, long EndOffset);

/// <summary>
/// The block-store index in the channel database's <c>index</c> column family. Entries are added to the write
/// batch that commits the block's state, so index and state move together.
/// </summary>
/// <remarks>
/// Keys: <c>'b' ‖ block number (8 B big-endian)</c> → file (4 B) ‖ offset (8 B) ‖ length (4 B), little-endian;
/// <c>'t' ‖ tx id (UTF-8)</c> → varint block ‖ varint tx index ‖ validation code (1 B);
/// <c>'c'</c> → the checkpoint: height (8 B) ‖ file (4 B) ‖ end offset (8 B);
/// <c>'m'</c> → whether tx ids are indexed (1 B: 1 yes, 0 no — an orderer's ledger), written when the ledger is
/// created; absent in a ledger created before it existed (which indexes).
/// The first occurrence of a tx id is the one indexed: later ones are duplicates.
/// </remarks>
internal sealed class BlockIndex(ChannelDatabase database)
{
    private const byte BlockPrefix = (byte)'b';
    private const byte TxPrefix = (byte)'t';
    private static readonly byte[] CheckpointKey = "c"u8.ToArray();
    private static readonly byte[] TxIndexingKey = "m"u8.ToArray();

    /// <summary>Whether this ledger indexes tx ids, or null when it does not say (a new ledger, or one older than the setting).</summary>
    public bool? ReadTxIndexing()
    {
        var stored = database.Get(StorageColumn.Index, TxIndexingKey);
        return stored switch
        {
            null => null,
            [1] => true,
            [0] => false,
            _ => throw new LedgerCorruptedException($"block index tx-indexing marker has {stored.Length} bytes, expected 1 (0 or 1)"),
        };
    }

    public static void SetTxIndexing(StorageBatch batch, bool indexed) =>
        batch.Put(StorageColumn.Index, TxIndexingKey, [indexed ? (byte)1 : (byte)0]);

    public BlockStoreCheckpoint? ReadCheckpoint()
    {
        var stored = database.Get(StorageColumn.Index, CheckpointKey);
        if (stored is null)
        {
            return null;
        }

        if (stored.Length != 20)
        {
            throw new LedgerCorruptedException($"block index checkpoint has {stored.Length} bytes, expected 20");
        }

        return new BlockStoreCheckpoint(
            BinaryPrimitives.ReadUInt64LittleEndian(stored),
            BinaryPrimitives.ReadInt32LittleEndian(stored.AsSpan(8)),
            BinaryPrimitives.ReadInt64LittleEndian(stored.AsSpan(12)));
    }

    public BlockLocation? GetBlockLocation(ulong number)
    {
        Span<byte> key = stackalloc byte[9];
        BlockKey(number, key);
        var stored = database.Get(StorageColumn.Index, key);
        if (stored is null)
        {
            return null;
        }

        if (stored.Length != 16)
        {
            throw new LedgerCorruptedException($"index entry of block {number} has {stored.Length} bytes, expected 16");
        }

        return new BlockLocation(
            BinaryPrimitives.ReadInt32LittleEndian(stored),
            BinaryPrimitives.ReadInt64LittleEndian(stored.AsSpan(4)),
            BinaryPrimitives.ReadInt32LittleEndian(stored.AsSpan(12)));
    }

    public TxLocation? GetTx(string txId)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(1 + Encoding.UTF8.GetMaxByteCount(txId.Length));
        try
        {
            var length = TxKey(txId, buffer);
            var stored = database.Get(StorageColumn.Index, buffer.AsSpan(0, length));
            if (stored is null)
            {
                return null;
            }

            var offset = 0;
            var block = Varint.Read(stored, ref offset);
            var tx = Varint.Read(stored, ref offset);
            if (offset != stored.Length - 1 || tx > int.MaxValue)
            {
                throw new LedgerCorruptedException($"index entry of tx {txId} is malformed");
            }

            return new TxLocation(block, (int)tx, (TxValidationCode)stored[^1]);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public static void AddBlock(StorageBatch batch, ulong number, BlockLocation location)
    {
        Span<byte> key = stackalloc byte[9];
        BlockKey(number, key);
        Span<byte> value = stackalloc byte[16];
        BinaryPrimitives.WriteInt32LittleEndian(value, location.File);
        BinaryPrimitives.WriteInt64LittleEndian(value[4..], location.Offset);
        BinaryPrimitives.WriteInt32LittleEndian(value[12..], location.Length);
        batch.Put(StorageColumn.Index, key, value);
    }

    public static void AddTx(StorageBatch batch, string txId, TxLocation location)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(1 + Encoding.UTF8.GetMaxByteCount(txId.Length));
        try
        {
            var keyLength = TxKey(txId, buffer);
            Span<byte> value = stackalloc byte[(2 * Varint.MaxLength) + 1];
            var valueLength = Varint.Write(value, location.BlockNumber);
            valueLength += Varint.Write(value[valueLength..], (ulong)location.TxIndex);
            value[valueLength++] = (byte)location.Code;
            batch.Put(StorageColumn.Index, buffer.AsSpan(0, keyLength), value[..valueLength]);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public static void SetCheckpoint(StorageBatch batch, BlockStoreCheckpoint checkpoint)
    {
        Span<byte> value = stackalloc byte[20];
        BinaryPrimitives.WriteUInt64LittleEndian(value, checkpoint.Height);
        BinaryPrimitives.WriteInt32LittleEndian(value[8..], checkpoint.File);
        BinaryPrimitives.WriteInt64LittleEndian(value[12..], checkpoint.EndOffset);
        batch.Put(StorageColumn.Index, CheckpointKey, value);
    }

    private static void BlockKey(ulong number, Span<byte> key)
    {
        key[0] = BlockPrefix;
        BinaryPrimitives.WriteUInt64BigEndian(key[1..], number);
    }

    private static int TxKey(string txId, Span<byte> destination)
    {
        destination[0] = TxPrefix;
        return 1 + Encoding.UTF8.GetBytes(txId, destination[1..]);
    }
}
