using FnzChain.Ledger.Storage;
using Microsoft.Extensions.Logging;

namespace FnzChain.Ledger.State;

/// <summary>
/// Opens the database that holds a channel's PUBLIC world state (Fabric's <c>VersionedDBProvider</c>), chosen in
/// <see cref="LedgerOptions.StateDatabase"/>. Namespaces derived from private data collections never reach it: they
/// stay in the channel's RocksDB database on every peer (decision 0017). The default,
/// <see cref="RocksDb.RocksDbStateDatabaseProvider.ChannelDatabase"/>, keeps the public state there too.
/// </summary>
public interface IStateDatabaseProvider
{
    /// <summary>
    /// Opens (creating if needed) the public state database of the ledger described by <paramref name="context"/>.
    /// The ledger owns what it returns and disposes it when it closes.
    /// </summary>
    ValueTask<IStateDatabase> OpenAsync(StateDatabaseContext context, CancellationToken cancellationToken = default);
}

/// <summary>What a provider knows of the ledger it opens a state database for.</summary>
public sealed class StateDatabaseContext
{
    internal StateDatabaseContext(string ledgerPath, ChannelDatabase channelDatabase, ILogger logger)
    {
        LedgerPath = ledgerPath;
        ChannelDatabase = channelDatabase;
        Logger = logger;
    }

    /// <summary>The ledger folder (a database kept in a folder belongs under it).</summary>
    public string LedgerPath { get; }

    /// <summary>The channel the ledger belongs to: the ledger folder's name (nodes keep each channel in <c>channels/&lt;id&gt;</c>).</summary>
    public string ChannelId => Path.GetFileName(Path.TrimEndingDirectorySeparator(LedgerPath));

    public ILogger Logger { get; }

    /// <summary>The channel's RocksDB database, for a state database that joins its batches.</summary>
    internal ChannelDatabase ChannelDatabase { get; }
}
