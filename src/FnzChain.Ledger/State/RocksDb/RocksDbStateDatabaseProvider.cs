using FnzChain.Ledger.Storage;

namespace FnzChain.Ledger.State.RocksDb;

/// <summary>
/// Opens the public state of a ledger in RocksDB: by default in the channel's own database
/// (<see cref="ChannelDatabase"/>), where a block's state joins the batch that also carries its index, history and
/// private data — one atomic write per block; or in a folder of its own (<see cref="InFolder"/>), a separate database
/// the ledger then applies after the channel batch and replays after a crash, like any external state database.
/// </summary>
public sealed class RocksDbStateDatabaseProvider : IStateDatabaseProvider
{
    private readonly string? _folder;
    private readonly StorageOptions? _options;

    private RocksDbStateDatabaseProvider(string? folder, StorageOptions? options)
    {
        _folder = folder;
        _options = options;
    }

    /// <summary>The default: public state in the channel's RocksDB database, written in the block's one batch.</summary>
    public static RocksDbStateDatabaseProvider ChannelDatabase { get; } = new(null, null);

    /// <summary>Public state in a RocksDB database of its own in <paramref name="folder"/> (relative: under the ledger folder).</summary>
    public static RocksDbStateDatabaseProvider InFolder(string folder, StorageOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        return new(folder, options);
    }

    public ValueTask<IStateDatabase> OpenAsync(StateDatabaseContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        cancellationToken.ThrowIfCancellationRequested();
        IStateDatabase database = _folder is null
            ? OpenOnChannel(context.ChannelDatabase)
            : RocksDbStateDatabase.Open(
                Path.Combine(context.LedgerPath, _folder),
                // Encrypted like the channel database it belongs to, whatever else its options say.
                _options is null ? context.ChannelDatabase.Options : _options with { Encryption = _options.Encryption ?? context.ChannelDatabase.Encryption });
        return new(database);
    }

    /// <summary>The RocksDB state inside a channel database (not owning it): what the ledger keeps private-derived namespaces in.</summary>
    internal static IChannelBatchStateDatabase OpenOnChannel(ChannelDatabase database) => new RocksDbStateDatabase(database, ownsDatabase: false);
}
