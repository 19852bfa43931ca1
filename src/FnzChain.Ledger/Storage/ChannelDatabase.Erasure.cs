using RocksDbSharp;

namespace FnzChain.Ledger.Storage;

/// <summary>An inclusive range of encoded keys of one column family, for erasure.</summary>
internal readonly record struct StorageRange(byte[] Start, byte[] End);

internal sealed partial class ChannelDatabase
{
    /// <summary>
    /// Removes every stored copy of deleted keys in <paramref name="stateRanges"/> (state column family) and
    /// <paramref name="privateDataRanges"/> (private data store) from the files: flushes all column families (the
    /// WAL segments holding old writes then become obsolete and are deleted), then compacts each range through the
    /// bottommost level so older versions and tombstones go. The transient store is compacted whole.
    /// </summary>
    public void Erase(IReadOnlyList<StorageRange> stateRanges, IReadOnlyList<StorageRange>? privateDataRanges = null)
    {
        ArgumentNullException.ThrowIfNull(stateRanges);
        var native = Native.Instance;
        var flush = native.rocksdb_flushoptions_create();
        try
        {
            native.rocksdb_flushoptions_set_wait(flush, 1);
            foreach (var family in new[] { Db.GetDefaultColumnFamily(), Db.GetColumnFamily(ColumnFamilyNames.PrivateHashState) }.Concat(_columns))
            {
                native.rocksdb_flush_cf(Db.Handle, flush, family.Handle);
            }
        }
        finally
        {
            native.rocksdb_flushoptions_destroy(flush);
        }

        var compact = native.rocksdb_compactoptions_create();
        try
        {
            native.rocksdb_compactoptions_set_bottommost_level_compaction(compact, 2); // kForce: rewrite the bottommost level too
            foreach (var (start, end) in stateRanges)
            {
                native.rocksdb_compact_range_cf_opt(Db.Handle, State.Handle, compact, start, (UIntPtr)start.Length, end, (UIntPtr)end.Length);
            }

            foreach (var (start, end) in privateDataRanges ?? [])
            {
                native.rocksdb_compact_range_cf_opt(Db.Handle, PrivateData.Handle, compact, start, (UIntPtr)start.Length, end, (UIntPtr)end.Length);
            }

            // The transient store is small and short-lived: compact all of it, so removed copies go too.
            native.rocksdb_compact_range_cf_opt(Db.Handle, Transient.Handle, compact, (byte[]?)null, UIntPtr.Zero, (byte[]?)null, UIntPtr.Zero);
        }
        finally
        {
            native.rocksdb_compactoptions_destroy(compact);
        }
    }
}
