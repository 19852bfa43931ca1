using FnzChain.Ledger.State;
using FnzChain.Peer.Chaincode;
using Microsoft.Extensions.Logging;

namespace FnzChain.Peer.Channels;

public sealed partial class PeerChannel
{
    private ChaincodeRuntime? _runtime;
    private Func<string?>? _stateDatabaseProblem;

    /// <summary>A node-wide check of the public state database (CouchDB answering), reported by <see cref="HealthProblem"/>.</summary>
    internal void AttachStateDatabaseHealth(Func<string?> problem) => _stateDatabaseProblem = problem;
    private Task _indexing = Task.CompletedTask;
    private readonly Lock _indexingGate = new();

    /// <summary>
    /// Deploys the CouchDB indexes a chaincode's installed package ships once it is both defined on the channel and
    /// installed on this peer, whichever comes last (as Fabric does): at open, after a block changes definitions, and
    /// when a package is installed. Only the public-state indexes are needed: private data collections are answered by
    /// the peer itself (decision 0017). On a RocksDB peer nothing happens. Runs in the background, in order; a bad
    /// definition or CouchDB refusing it is logged in one line naming the file, and does not stop commits.
    /// </summary>
    internal void AttachRuntime(ChaincodeRuntime runtime)
    {
        _runtime = runtime;
        runtime.PackageInstalled += OnPackageInstalled;
        DeployIndexes(Bundle.Chaincodes);
    }

    /// <summary>Completes when every index deployment scheduled so far has run (tests).</summary>
    internal Task IndexingDone
    {
        get
        {
            lock (_indexingGate)
            {
                return _indexing;
            }
        }
    }

    private void DetachRuntime()
    {
        if (_runtime is not null)
        {
            _runtime.PackageInstalled -= OnPackageInstalled;
        }
    }

    private void OnPackageInstalled(string packageId) => DeployIndexes(Bundle.Chaincodes.Where(c => c.PackageId == packageId));

    private void DeployIndexes(IEnumerable<Protos.Lifecycle.ChaincodeDefinition> definitions)
    {
        if (_runtime is not { } runtime)
        {
            return;
        }

        var work = definitions
            .Select(d => (d.Name, Indexes: runtime.IndexesOf(d.PackageId).Where(i => i.Collection is null).ToList()))
            .Where(w => w.Indexes.Count > 0)
            .ToList();
        if (work.Count == 0)
        {
            return;
        }

        lock (_indexingGate)
        {
            _indexing = _indexing.ContinueWith(_ => DeployAsync(work), TaskScheduler.Default).Unwrap();
        }
    }

    private async Task DeployAsync(List<(string Name, List<PackagedIndex> Indexes)> work)
    {
        foreach (var (name, indexes) in work)
        {
            try
            {
                if (await Ledger.DeployIndexesAsync(name, [.. indexes.Select(i => new StateIndexDefinition(i.Path, i.Json))], _stopping.Token).ConfigureAwait(false))
                {
                    LogIndexesDeployed(_logger, ChannelId, name, indexes.Count, string.Join(", ", indexes.Select(i => Path.GetFileName(i.Path))));
                }
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                if (!_stopping.IsCancellationRequested)
                {
                    LogIndexesFailed(_logger, ChannelId, name, e.Message.ReplaceLineEndings(" "));
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Channel {Channel}: deployed {Count} CouchDB index definition(s) of chaincode {Chaincode}: {Files}")]
    private static partial void LogIndexesDeployed(ILogger logger, string channel, string chaincode, int count, string files);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Channel {Channel}: the CouchDB indexes of chaincode {Chaincode} were not deployed: {Reason}")]
    private static partial void LogIndexesFailed(ILogger logger, string channel, string chaincode, string reason);
}
