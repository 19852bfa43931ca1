using System.Diagnostics;
using System.Runtime.CompilerServices;
using FnzChain.Identity.Channels;
using FnzChain.Identity.Policies;
using FnzChain.Ledger;
using FnzChain.Ledger.State;
using FnzChain.Peer.Chaincode;
using FnzChain.Protos.Ledger.Rwset;
using FnzChain.Node;
using FnzChain.Node.Tls;
using FnzChain.Node.Channels;
using FnzChain.Peer.Committer;
using FnzChain.Protos.Common;
using FnzChain.Protos.Orderer;
using FnzChain.Protos.Peer;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;
using Status = FnzChain.Protos.Common.Status;

namespace FnzChain.Peer.Channels;

/// <summary>
/// One channel on a peer: its ledger, its configuration, and the committer that pulls blocks from the channel's
/// orderers (Deliver, failing over between them with exponential back-off), checks each block's orderer
/// signature, validates its transactions (<see cref="TransactionValidator"/>) and commits it with the ledger's
/// MVCC checks. Config blocks replace the configuration once committed.
/// </summary>
public sealed partial class PeerChannel : INodeChannel
{
    private readonly LocalIdentity _local;
    private readonly NodeTls _tls;
    private readonly IReadOnlyList<string> _ordererOverrides;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private ChannelBundle _bundle;
    private TransactionValidator _validator;
    private Task? _puller;
    private PullFailures? _failures;
    private string? _halted;
    private PrivateData.Reconciler? _reconciler;

    private PeerChannel(ChannelLedger ledger, ChannelBundle bundle, LocalIdentity local, NodeTls tls, IReadOnlyList<string> ordererOverrides, ILogger logger)
    {
        _tls = tls;
        Ledger = ledger;
        _bundle = bundle;
        _validator = new TransactionValidator(bundle, local.OwnSignatures);
        _local = local;
        _ordererOverrides = ordererOverrides;
        _logger = logger;
    }

    public string ChannelId => Bundle.ChannelId;

    public ulong Height => Ledger.Height;

    public ChannelLedger Ledger { get; }

    public ChannelBundle Bundle => Volatile.Read(ref _bundle);

    public ulong? MaxEnvelopeBytes => Bundle.Config.Orderer?.BatchSize?.AbsoluteMaxBytes;

    /// <summary>
    /// Unhealthy when this node's storage failed a commit (committing has stopped; restart the peer once storage is
    /// fixed), while the public state database (CouchDB) fails to apply a committed block (retried until it does), or while pulling blocks has failed continuously for more than <see cref="UnhealthyAfter"/> (every
    /// orderer unreachable or refusing) and a failure is recent; a block received, or an open stream that stops
    /// failing, makes the channel healthy again.
    /// </summary>
    public string? HealthProblem
    {
        get
        {
            if (Volatile.Read(ref _halted) is { } halted)
            {
                return halted;
            }

            if (Ledger.StorageProblem is { } storage)
            {
                return storage; // CouchDB down: commits wait and resume by themselves
            }

            if (_stateDatabaseProblem?.Invoke() is { } stateDatabase)
            {
                return stateDatabase; // CouchDB down while no block is being committed
            }

            var failures = Volatile.Read(ref _failures);
            var now = DateTimeOffset.UtcNow;
            return failures is not null && now - failures.Since > UnhealthyAfter && now - failures.Last < UnhealthyAfter
                ? $"no blocks from any orderer since {failures.Since:u}: {failures.Reason}"
                : null;
        }
    }

    private static TimeSpan UnhealthyAfter => TimeSpan.FromSeconds(10);

    /// <summary>The endorsement policy of chaincode <paramref name="name"/> under the current configuration, or null when it is not defined.</summary>
    public IPolicy? EndorsementPolicy(string name) =>
        name == ChaincodeLifecycle.Namespace ? Bundle.FindPolicy(ChaincodeLifecycle.EndorsementPolicy)
        : Bundle.Chaincode(name) is { } definition
            ? Volatile.Read(ref _validator).EndorsementPolicyOf(definition)
            : null;

    /// <summary>
    /// What endorsements of a transaction of chaincode <paramref name="name"/> writing <paramref name="writtenCollections"/>
    /// (and public keys when <paramref name="writesPublic"/>) must satisfy under the current configuration, or null
    /// when the chaincode is not defined or a policy cannot be resolved.
    /// </summary>
    public IPolicy? RequiredEndorsementPolicy(string name, IReadOnlyCollection<string> writtenCollections, bool writesPublic) =>
        name == ChaincodeLifecycle.Namespace ? Bundle.FindPolicy(ChaincodeLifecycle.EndorsementPolicy)
        : Bundle.Chaincode(name) is { } definition
            ? Volatile.Read(ref _validator).RequiredPolicy(definition, writtenCollections, writesPublic)
            : null;

    public static async Task<PeerChannel> OpenAsync(
        string folder, Block? genesis, LocalIdentity local, NodeTls tls, IReadOnlyList<string> ordererOverrides, LedgerOptions ledgerOptions, ILogger logger, CancellationToken cancellationToken)
    {
        PeerChannel? opened = null;
        ledgerOptions = ledgerOptions with
        {
            // The peer's bundle once open; while the ledger replays blocks at open, the definitions in the state being
            // replayed (those in force before the block; a local read, and only during replay after a crash).
            // (The genesis block, committed into an empty ledger, holds no private data.)
            PrivateDataLifetimes = async (ledger, cancellation) => opened is not null ? opened.Lifetimes()
                : ledger.Height == 0 ? (_, _) => 0
                : CollectionAccess.BlockToLiveOf(await LifecycleContract.LoadAsync(ledger.State, cancellation).ConfigureAwait(false)),
        };
        var ledger = await ChannelLedger.OpenAsync(folder, ledgerOptions, cancellationToken).ConfigureAwait(false);
        try
        {
            if (ledger.Height == 0)
            {
                if (genesis is null)
                {
                    throw new ChannelConfigException($"ledger {folder} has no blocks and no genesis block was given");
                }

                await ledger.CommitAsync(genesis, [TxValidationCode.Valid], cancellationToken).ConfigureAwait(false);
            }

            var definitions = await LifecycleContract.LoadAsync(ledger.State, cancellationToken).ConfigureAwait(false);
            var channel = opened = new PeerChannel(ledger, LastConfig(ledger).WithChaincodes(definitions), local, tls, ordererOverrides, logger);
            channel._reconciler = new PrivateData.Reconciler(channel, local, logger);
            channel._puller = Task.Run(() => channel.PullAsync(channel._stopping.Token), CancellationToken.None);
            return channel;
        }
        catch
        {
            ledger.Dispose();
            throw;
        }
    }

    private LifetimesOf? _lifetimes;

    /// <summary>The collections' block-to-live under the current bundle, rebuilt only when a config block replaced it.</summary>
    private Ledger.Private.BlockToLive Lifetimes()
    {
        var bundle = Bundle;
        var cached = Volatile.Read(ref _lifetimes);
        if (cached is null || cached.Bundle != bundle)
        {
            cached = new LifetimesOf(bundle, CollectionAccess.BlockToLiveOf(bundle));
            Volatile.Write(ref _lifetimes, cached);
        }

        return cached.Lifetimes;
    }

    private sealed record LifetimesOf(ChannelBundle Bundle, Ledger.Private.BlockToLive Lifetimes);

    /// <summary>True when a collection of chaincode <paramref name="name"/> has an endorsement policy of its own (the gateway then checks what a transaction wrote).</summary>
    public bool HasCollectionEndorsementPolicies(string name) =>
        Bundle.Chaincode(name)?.Collections?.Config
            .Any(c => c.StaticCollectionConfig?.EndorsementPolicy is { TypeCase: not Protos.Peer.ApplicationPolicy.TypeOneofCase.None }) == true;

    /// <summary>The configuration in force for the ledger's next block: its last config block's.</summary>
    private static ChannelBundle LastConfig(ChannelLedger ledger)
    {
        var lastConfig = ConfigBlock.LastConfigIndex(ledger.Blocks.GetBlock(ledger.Height - 1)!);
        return ChannelBundle.Create(ConfigBlock.ReadConfig(ledger.Blocks.GetBlock(lastConfig)!));
    }

    public async ValueTask DisposeAsync()
    {
        DetachRuntime();
        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await IndexingDone.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        if (_puller is not null)
        {
            try
            {
                await _puller.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
            catch (CommitHaltedException)
            {
                // Logged, and reported by HealthProblem, when it happened.
            }
        }

        if (_reconciler is not null)
        {
            await _reconciler.DisposeAsync().ConfigureAwait(false);
        }

        Ledger.Dispose();
        _stopping.Dispose();
    }

    /// <summary>The orderer addresses to pull from: the node's overrides, else the channel configuration's.</summary>
    private IReadOnlyList<string> Orderers() =>
        _ordererOverrides.Count > 0
            ? _ordererOverrides
            : Bundle.Config.Orderer.Endpoints.Select(e => e.Address).ToList();

    /// <summary>
    /// Pulls blocks until the channel closes, failing over to the next orderer after each failure. The wait before the
    /// next attempt doubles with each failure in a row (from <see cref="PullRetryDelay"/> up to
    /// <see cref="PullRetryMaxDelay"/>, with jitter) and starts short again once a stream has proved good — it
    /// delivered a block, or stayed open longer than the longest wait — so each outage is recovered from quickly.
    /// </summary>
    private async Task PullAsync(CancellationToken cancellationToken)
    {
        var failuresInARow = 0;
        var attempt = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            var orderers = Orderers();
            var address = orderers[attempt++ % orderers.Count]; // fail over to the next orderer on every retry
            var opened = Stopwatch.GetTimestamp();
            var delivered = new StrongBox<bool>();
            string reason;
            try
            {
                await PullFromAsync(address, delivered, cancellationToken).ConfigureAwait(false);
                reason = $"orderer {address} ended the Deliver stream";
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (CommitHaltedException)
            {
                throw; // the ledger cannot store blocks: pulling again would not help (HealthProblem says why)
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                reason = e.Message.Contains(address, StringComparison.Ordinal) ? e.Message : $"orderer {address}: {e.Message}";
            }

            if (delivered.Value || Stopwatch.GetElapsedTime(opened) > PullRetryMaxDelay)
            {
                failuresInARow = 0;
            }

            failuresInARow++;
            var now = DateTimeOffset.UtcNow;
            Volatile.Write(ref _failures, new PullFailures(Volatile.Read(ref _failures)?.Since ?? now, now, reason));
            LogPullFailed(_logger, ChannelId, failuresInARow, reason);
            await Task.Delay(PullRetryWait(failuresInARow), cancellationToken).ConfigureAwait(false);
        }
    }

    private static TimeSpan PullRetryDelay => TimeSpan.FromMilliseconds(200);

    private static TimeSpan PullRetryMaxDelay => TimeSpan.FromSeconds(5);

    /// <summary>The wait after the <paramref name="failuresInARow"/>th failure in a row: exponential, capped, between half and all of it.</summary>
    private static TimeSpan PullRetryWait(int failuresInARow)
    {
        var exponential = PullRetryDelay.TotalMilliseconds * Math.Pow(2, Math.Min(failuresInARow - 1, 16));
        var capped = Math.Min(exponential, PullRetryMaxDelay.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(capped * (0.5 + (Random.Shared.NextDouble() / 2)));
    }

    private async Task PullFromAsync(string address, StrongBox<bool> delivered, CancellationToken cancellationToken)
    {
        var tls = _tls.Outbound();
        using var channel = Connect(address, tls);
        using var call = new AtomicBroadcast.AtomicBroadcastClient(channel).Deliver(cancellationToken: cancellationToken);
        var seek = new SeekInfo
        {
            Start = new SeekPosition { Specified = new SeekSpecified { Number = Ledger.Height } },
            Stop = new SeekPosition { Specified = new SeekSpecified { Number = ulong.MaxValue } },
            Behavior = SeekInfo.Types.SeekBehavior.BlockUntilReady,
        };
        await call.RequestStream.WriteAsync(_local.SignEnvelope(ChannelId, HeaderType.DeliverSeekInfo, seek.ToByteString(), tls.CertificateHash), cancellationToken).ConfigureAwait(false);
        while (await call.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false))
        {
            var response = call.ResponseStream.Current;
            if (response.TypeCase == FnzChain.Protos.Orderer.DeliverResponse.TypeOneofCase.Status)
            {
                throw new RpcException(new Grpc.Core.Status(StatusCode.Unavailable, $"orderer {address} ended Deliver with {response.Status}"));
            }

            await CommitAsync(response.Block, address, cancellationToken).ConfigureAwait(false);
            delivered.Value = true;
            Volatile.Write(ref _failures, null);
        }
    }

    /// <summary>A connection to another node (an orderer, another organisation's peer) with this peer's TLS settings as they are now.</summary>
    internal GrpcChannel Connect(string address) => Connect(address, _tls.Outbound());

    private static GrpcChannel Connect(string address, Client.Connections.ClientTls tls) =>
        Client.Connections.GrpcConnections.Open(address, tls, maxReceiveMessageBytes: 256 * 1024 * 1024, maxSendMessageBytes: 256 * 1024 * 1024);

    private async Task CommitAsync(Block block, string orderer, CancellationToken cancellationToken)
    {
        if (block.Header is null || block.Header.Number != Ledger.Height)
        {
            throw new InvalidOperationException($"orderer {orderer} sent block {block.Header?.Number}, expected {Ledger.Height}");
        }

        var bundle = Bundle;
        if (BlockVerifier.Check(block, bundle) is { } problem)
        {
            throw new InvalidOperationException($"orderer {orderer}: {problem}");
        }

        if (ConfigBlock.IsConfigBlock(block))
        {
            var (next, sequence) = NextConfiguration(block, bundle);
            await CommitToLedgerAsync(block.Header.Number, () => Ledger.CommitAsync(block, [next is null ? TxValidationCode.InvalidConfigTransaction : TxValidationCode.Valid], cancellationToken)).ConfigureAwait(false);
            if (next is not null)
            {
                Volatile.Write(ref _bundle, next);
                _validator = new TransactionValidator(next, _local.OwnSignatures);
                LogConfigApplied(_logger, ChannelId, block.Header.Number, sequence);
            }

            return;
        }

        var started = Stopwatch.GetTimestamp();
        var (codes, reasons) = _validator.Validate(block);
        var prepared = ChannelLedger.Prepare(block);
        var privateData = PrivateDataFor(prepared, bundle);
        var result = await CommitToLedgerAsync(block.Header.Number, () => Ledger.CommitAsync(prepared, codes, privateData, cancellationToken)).ConfigureAwait(false);
        AfterPrivateCommit(prepared, result, bundle, privateData);
        ApplyDefinitions(prepared, result, bundle);
        var channelTag = new KeyValuePair<string, object?>("channel", ChannelId);
        PeerMetrics.BlockCommitSeconds.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, channelTag);
        PeerMetrics.Blocks.Add(1, channelTag);
        foreach (var group in result.Codes.GroupBy(c => c))
        {
            PeerMetrics.Transactions.Add(group.Count(), channelTag, new KeyValuePair<string, object?>("code", group.Key.ToString()));
        }

        for (var i = 0; i < result.Codes.Count; i++)
        {
            if (result.Codes[i] != TxValidationCode.Valid)
            {
                LogInvalidTransaction(_logger, ChannelId, block.Header.Number, i, result.Codes[i], reasons[i] ?? result.Reasons[i] ?? string.Empty);
            }
        }
    }

    /// <summary>
    /// After commit: chaincode definitions the block's valid <c>_lifecycle</c> transactions wrote take effect for the
    /// next block (as Fabric's lifecycle cache is updated after a block commits). The validator checked each one, so
    /// they parse; one that does not (it cannot happen, but the block is already committed) is logged and skipped.
    /// </summary>
    private void ApplyDefinitions(PreparedBlock prepared, BlockCommitResult result, ChannelBundle bundle)
    {
        Dictionary<string, Protos.Lifecycle.ChaincodeDefinition>? changed = null;
        foreach (var tx in prepared.Transactions)
        {
            if (result.Codes[tx.Index] != TxValidationCode.Valid)
            {
                continue;
            }

            foreach (var write in tx.ReadWriteSets.Where(ns => ns.Namespace == ChaincodeLifecycle.Namespace && ns.Collection is null).SelectMany(ns => ns.ReadWriteSet.Writes))
            {
                try
                {
                    var definition = ChaincodeLifecycle.ParseDefinition(write.Value.Span, $"definition {write.Key}");
                    (changed ??= new(StringComparer.Ordinal))[definition.Name] = definition;
                }
                catch (FormatException e)
                {
                    LogUnreadableDefinition(_logger, ChannelId, result.BlockNumber, e.Message);
                }
            }
        }

        if (changed is null)
        {
            return;
        }

        var next = bundle.WithChaincodes(bundle.Chaincodes.Where(c => !changed.ContainsKey(c.Name)).Concat(changed.Values));
        Volatile.Write(ref _bundle, next);
        _validator = new TransactionValidator(next, _local.OwnSignatures);
        foreach (var definition in changed.Values)
        {
            LogDefinitionApplied(_logger, ChannelId, result.BlockNumber, definition.Name, definition.Sequence, definition.Version);
        }

        DeployIndexes(changed.Values);
    }

    /// <summary>
    /// The configuration a config block moves the channel to, or null when the block's configuration is not a valid
    /// successor of <paramref name="current"/> (it is then committed as INVALID_CONFIG_TRANSACTION). Never throws:
    /// whatever the block holds, the peer commits it and carries on.
    /// </summary>
    private (ChannelBundle? Next, ulong Sequence) NextConfiguration(Block block, ChannelBundle current)
    {
        try
        {
            var config = ConfigBlock.ReadConfig(block);
            if (config.Sequence != current.Config.Sequence + 1)
            {
                LogInvalidConfig(_logger, ChannelId, block.Header.Number, $"sequence {config.Sequence} does not follow {current.Config.Sequence}");
                return (null, config.Sequence);
            }

            return (ChannelBundle.Create(config).WithChaincodes(current.Chaincodes), config.Sequence);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogInvalidConfig(_logger, ChannelId, block.Header.Number, $"{e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}");
            return (null, 0);
        }
    }

    /// <summary>
    /// Runs the ledger's commit of block <paramref name="number"/>. A block the ledger rejects (out of sequence, wrong
    /// data hash, too large) is the orderer's fault: the exception goes back to the puller, which tries another
    /// orderer. Any other failure is this node's storage failing: committing stops for the channel — retrying the
    /// same block would only fail again, or worse — and <see cref="HealthProblem"/> says why until the peer restarts.
    /// </summary>
    private async Task<T> CommitToLedgerAsync<T>(ulong number, Func<Task<T>> commit)
    {
        try
        {
            return await commit().ConfigureAwait(false);
        }
        catch (Exception e) when (e is not (BlockRejectedException or OperationCanceledException))
        {
            var reason = $"committing block {number} failed in this node's storage ({e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}); commits of channel {ChannelId} are stopped until the peer restarts";
            Volatile.Write(ref _halted, reason);
            LogCommitHalted(_logger, e, ChannelId, number, reason);
            throw new CommitHaltedException(reason, e);
        }
    }

    /// <summary>
    /// The private write sets this peer holds for the block's transactions (from its transient store), limited to
    /// the collections its organisation is a member of: a non-member never stores plaintext, even by accident.
    /// </summary>
    private Dictionary<int, TxPvtReadWriteSet>? PrivateDataFor(PreparedBlock prepared, ChannelBundle bundle)
    {
        Dictionary<int, TxPvtReadWriteSet>? result = null;
        foreach (var tx in prepared.Transactions)
        {
            if (!tx.IsEndorserTransaction || Ledger.Transient.Get(tx.TxId) is not { } stored)
            {
                continue;
            }

            var member = CollectionAccess.MemberPart(stored, cc => bundle.Chaincode(cc), _local.MspId);
            (result ??= [])[tx.Index] = member;
        }

        return result;
    }

    /// <summary>After commit: the block's transient entries go, copies of purged keys go, and missing private data of member collections is reported.</summary>
    private void AfterPrivateCommit(PreparedBlock prepared, BlockCommitResult result, ChannelBundle bundle, Dictionary<int, TxPvtReadWriteSet>? privateData)
    {
        var endorserTxs = prepared.Transactions.Where(t => t.IsEndorserTransaction).ToList();
        if (privateData is { Count: > 0 })
        {
            // Only entries that exist: most blocks have none, and a write here costs a synced WAL append.
            Ledger.Transient.Remove(privateData.Keys.Select(i => prepared.Transactions[i].TxId));
        }

        foreach (var group in endorserTxs
            .Where(t => result.Codes[t.Index] == TxValidationCode.Valid)
            .SelectMany(t => t.PrivateDeletions.Where(d => d.IsPurge))
            .GroupBy(d => (d.Namespace, d.Collection)))
        {
            Ledger.Transient.RemoveWriting(group.Key.Namespace, group.Key.Collection, group.Select(d => d.KeyHash).ToHashSet(StringComparer.Ordinal));
        }

        foreach (var missing in result.MissingPrivateData)
        {
            var definition = bundle.Chaincode(missing.Namespace);
            var members = definition is null ? null : CollectionAccess.Compile(definition).GetValueOrDefault(missing.Collection).Members;
            if (members?.IsSatisfiableBy(new HashSet<string>(StringComparer.Ordinal) { _local.MspId }) == true)
            {
                LogMissingPrivateData(_logger, ChannelId, result.BlockNumber, missing.TxIndex, missing.Namespace, missing.Collection, missing.Reason);
                var hashed = prepared.Transactions[missing.TxIndex].ReadWriteSets
                    .FirstOrDefault(n => n.Namespace == PrivateNamespaces.Hashed(missing.Namespace, missing.Collection));
                foreach (var write in hashed?.ReadWriteSet.Writes.Where(w => !w.IsDelete) ?? [])
                {
                    _reconciler?.Enqueue(missing.Namespace, missing.Collection, write.Key, write.Value.Memory);
                }
            }
        }

        // Transient entries of transactions that never committed do not stay forever.
        if (result.BlockNumber % 100 == 0 && result.BlockNumber > TransientRetentionBlocks)
        {
            Ledger.Transient.RemoveOlderThan(result.BlockNumber - TransientRetentionBlocks);
        }
    }

    private const ulong TransientRetentionBlocks = 1000;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Channel {Channel}: block {Block} transaction {Index}: private data of {Namespace}/{Collection} is missing on this member peer ({Reason}); reconciling from other members")]
    private static partial void LogMissingPrivateData(ILogger logger, string channel, ulong block, int index, string @namespace, string collection, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Channel {Channel}: pulling blocks failed ({Failures} in a row): {Reason}")]
    private static partial void LogPullFailed(ILogger logger, string channel, int failures, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Channel {Channel}: block {Block} transaction {Index} is {Code}: {Reason}")]
    private static partial void LogInvalidTransaction(ILogger logger, string channel, ulong block, int index, TxValidationCode code, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Channel {Channel}: config block {Block} applied (sequence {Sequence})")]
    private static partial void LogConfigApplied(ILogger logger, string channel, ulong block, ulong sequence);

    [LoggerMessage(Level = LogLevel.Information, Message = "Channel {Channel}: block {Block} defined chaincode {Chaincode} (sequence {Sequence}, version {Version}); in force from the next block")]
    private static partial void LogDefinitionApplied(ILogger logger, string channel, ulong block, string chaincode, long sequence, string version);

    [LoggerMessage(Level = LogLevel.Error, Message = "Channel {Channel}: block {Block}: a valid _lifecycle write does not read back ({Reason}); skipped")]
    private static partial void LogUnreadableDefinition(ILogger logger, string channel, ulong block, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Channel {Channel}: config block {Block} is not valid: {Reason}")]
    private static partial void LogInvalidConfig(ILogger logger, string channel, ulong block, string reason);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Channel {Channel}: block {Block}: {Reason}")]
    private static partial void LogCommitHalted(ILogger logger, Exception exception, string channel, ulong block, string reason);

    private sealed record PullFailures(DateTimeOffset Since, DateTimeOffset Last, string Reason);
}
