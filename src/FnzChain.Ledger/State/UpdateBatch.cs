namespace FnzChain.Ledger.State;

/// <summary>Identifies the transaction behind a write, for history (<c>GetHistoryForKey</c>).</summary>
public readonly record struct TxInfo(string TxId, DateTimeOffset Timestamp);

/// <summary>One put or delete of a block, in commit order.</summary>
public readonly record struct StateWrite(
    string Namespace,
    string Key,
    ReadOnlyMemory<byte> Value,
    ReadOnlyMemory<byte> Metadata,
    bool IsDelete,
    Version Version,
    TxInfo Tx);

/// <summary>
/// The writes of the valid transactions of one block, applied atomically with the block's savepoint by
/// <see cref="IStateDatabase.ApplyUpdatesAsync"/>. Writes are kept in order: when two transactions write the
/// same key, the later one wins in state and both appear in history. Keys are validated as they are added, so
/// a bad key is reported by the write that carries it. Value and metadata memory is not copied; it must stay
/// unchanged until the batch is applied.
/// </summary>
public sealed class UpdateBatch
{
    private readonly List<StateWrite> _writes;

    public UpdateBatch(int capacity = 0) => _writes = new List<StateWrite>(capacity);

    public IReadOnlyList<StateWrite> Writes => _writes;

    public int Count => _writes.Count;

    public UpdateBatch Put(string ns, string key, ReadOnlyMemory<byte> value, Version version, TxInfo tx, ReadOnlyMemory<byte> metadata = default)
    {
        StateLimits.ValidateKey(ns, key);
        ArgumentNullException.ThrowIfNull(tx.TxId);
        _writes.Add(new StateWrite(ns, key, value, metadata, IsDelete: false, version, tx));
        return this;
    }

    public UpdateBatch Delete(string ns, string key, Version version, TxInfo tx)
    {
        StateLimits.ValidateKey(ns, key);
        ArgumentNullException.ThrowIfNull(tx.TxId);
        _writes.Add(new StateWrite(ns, key, default, default, IsDelete: true, version, tx));
        return this;
    }
}
