using System.Runtime.CompilerServices;
using FnzChain.Ledger.Storage;
using FnzChain.Protos.Common;
using FnzChain.Protos.Peer;

namespace FnzChain.Ledger.Blocks;

/// <summary>
/// The blocks of one channel: append-only segment files (<see cref="BlockFiles"/>) indexed in the channel
/// database (<see cref="BlockIndex"/>). Reads by number and tx id, and iteration from any height that waits for
/// blocks not yet committed (what Deliver serves). Blocks are added only by <see cref="ChannelLedger"/>.
/// </summary>
/// <remarks>Reads are thread-safe and may run while a block is being committed; they see only published blocks.</remarks>
public sealed class BlockStore : IDisposable
{
    private readonly BlockFiles _files;
    private readonly BlockIndex _index;
    private readonly Lock _gate = new();
    private ulong _height;
    private byte[] _lastHeaderHash = [];
    private TaskCompletionSource _grown = NewSignal();

    internal BlockStore(BlockFiles files, BlockIndex index)
    {
        _files = files;
        _index = index;
    }

    /// <summary>Number of committed blocks; the next block's number.</summary>
    public ulong Height
    {
        get
        {
            lock (_gate)
            {
                return _height;
            }
        }
    }

    /// <summary>Header hash of the last committed block (the next block's previous hash); empty before the genesis block.</summary>
    public ReadOnlyMemory<byte> LastBlockHash
    {
        get
        {
            lock (_gate)
            {
                return _lastHeaderHash;
            }
        }
    }

    internal BlockFiles Files => _files;

    internal BlockIndex Index => _index;

    /// <summary>The serialized block <paramref name="number"/> as stored (with its validation metadata), or null past the height.</summary>
    public byte[]? GetBlockBytes(ulong number)
    {
        if (number >= Height)
        {
            return null;
        }

        var location = _index.GetBlockLocation(number)
            ?? throw new LedgerCorruptedException($"block {number} is below the height {Height} but missing from the index");
        return _files.Read(location, number);
    }

    /// <summary>Block <paramref name="number"/>, or null when it is not committed yet.</summary>
    public Block? GetBlock(ulong number)
    {
        var bytes = GetBlockBytes(number);
        return bytes is null ? null : Block.Parser.ParseFrom(bytes);
    }

    /// <summary>Where a transaction was committed and with which validation code; null for an unknown tx id.</summary>
    public TxLocation? GetTxLocation(string txId)
    {
        ArgumentNullException.ThrowIfNull(txId);
        if (txId.Length == 0)
        {
            return null;
        }

        var location = _index.GetTx(txId);
        return location is { } found && found.BlockNumber < Height ? found : null;
    }

    /// <summary>The block that holds a transaction, or null for an unknown tx id.</summary>
    public Block? GetBlockByTxId(string txId) => GetTxLocation(txId) is { } location ? GetBlock(location.BlockNumber) : null;

    /// <summary>A committed transaction's envelope and validation code (Fabric's <c>ProcessedTransaction</c>), or null.</summary>
    public ProcessedTransaction? GetTransaction(string txId)
    {
        if (GetTxLocation(txId) is not { } location || GetBlock(location.BlockNumber) is not { } block)
        {
            return null;
        }

        return new ProcessedTransaction
        {
            TransactionEnvelope = Envelope.Parser.ParseFrom(block.Data.Data[location.TxIndex]),
            ValidationCode = (int)location.Code,
        };
    }

    /// <summary>Completes when the store holds at least <paramref name="height"/> blocks.</summary>
    public async Task WaitForHeightAsync(ulong height, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            Task grown;
            lock (_gate)
            {
                if (_height >= height)
                {
                    return;
                }

                grown = _grown.Task;
            }

            await grown.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Blocks from <paramref name="start"/> on, waiting for each one that is not committed yet; ends only when cancelled.</summary>
    public async IAsyncEnumerable<Block> ReadFromAsync(ulong start, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        for (var number = start; ; number++)
        {
            await WaitForHeightAsync(number + 1, cancellationToken).ConfigureAwait(false);
            yield return GetBlock(number)!;
        }
    }

    public void Dispose()
    {
        _files.Dispose();
        lock (_gate)
        {
            _grown.TrySetException(new ObjectDisposedException(nameof(BlockStore)));
        }
    }

    /// <summary>Writes a block's record to the segment files. Neither durable (see <see cref="FlushAppended"/>) nor visible yet.</summary>
    internal BlockLocation Append(ReadOnlyMemory<byte> block) => _files.Append(block);

    /// <summary>fsyncs the appended record when the ledger is synced.</summary>
    internal void FlushAppended() => _files.FlushAppended();

    /// <summary>Drops a record appended for a block whose commit then failed, so the files end at the last committed block.</summary>
    internal void UndoAppend(BlockLocation location) => _files.Truncate(location.File, location.Offset);

    /// <summary>Adds the index entries of a block (its location, its new tx ids, the checkpoint) to the commit batch.</summary>
    internal static void AddToBatch(StorageBatch batch, ulong number, BlockLocation location, IReadOnlyList<(string TxId, TxLocation Location)> indexedTxs)
    {
        BlockIndex.AddBlock(batch, number, location);
        foreach (var (txId, txLocation) in indexedTxs)
        {
            BlockIndex.AddTx(batch, txId, txLocation);
        }

        BlockIndex.SetCheckpoint(batch, new BlockStoreCheckpoint(number + 1, location.File, location.End));
    }

    /// <summary>Makes block <paramref name="number"/> visible to readers and wakes those waiting for it.</summary>
    internal void Publish(ulong number, byte[] headerHash)
    {
        TaskCompletionSource grown;
        lock (_gate)
        {
            _height = number + 1;
            _lastHeaderHash = headerHash;
            grown = _grown;
            _grown = NewSignal();
        }

        grown.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
