using System.Collections.Concurrent;
using FnzChain.Identity.Channels;
using FnzChain.Ledger.State;
using FnzChain.Node;
using FnzChain.Peer.Chaincode;
using FnzChain.Peer.Channels;
using FnzChain.Protos.Lifecycle;
using FnzChain.Protos.PrivateData;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;

namespace FnzChain.Peer.PrivateData;

/// <summary>
/// Fills in private data this member peer is missing (it was down during endorsement, or a push failed): for each
/// key whose hash is committed but whose plaintext is not held here, it asks the anchor peers of the collection's
/// other member organisations (<c>PrivateData.Pull</c>, by key hash and value hash) and stores what matches the
/// hashed state. Missing entries come from commits and, at start, from a scan of the member collections; an entry
/// no longer current (overwritten, deleted, purged) is dropped. Retries every few seconds until satisfied.
/// </summary>
public sealed partial class Reconciler : IAsyncDisposable
{
    private readonly PeerChannel _channel;
    private readonly LocalIdentity _local;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<(string Ns, string Collection, string KeyHash), byte[]> _missing = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly SemaphoreSlim _wake = new(0);
    private readonly Task _loop;

    public Reconciler(PeerChannel channel, LocalIdentity local, ILogger logger)
    {
        _channel = channel;
        _local = local;
        _logger = logger;
        _loop = Task.Run(() => RunAsync(_stopping.Token));
    }

    /// <summary>Entries waiting for plaintext.</summary>
    public int Pending => _missing.Count;

    /// <summary>Interval between attempts while something is missing.</summary>
    public static TimeSpan RetryInterval { get; } = TimeSpan.FromSeconds(2);

    public void Enqueue(string ns, string collection, string keyHash, ReadOnlyMemory<byte> valueHash)
    {
        _missing[(ns, collection, keyHash)] = valueHash.ToArray();
        _wake.Release();
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _stopping.Dispose();
        _wake.Dispose();
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await ScanAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogFailed(_logger, _channel.ChannelId, $"start-up scan: {e.Message}");
        }

        while (!cancellationToken.IsCancellationRequested)
        {
            await _wake.WaitAsync(RetryInterval, cancellationToken).ConfigureAwait(false);
            if (_missing.IsEmpty)
            {
                continue;
            }

            foreach (var group in _missing.Keys.GroupBy(k => (k.Ns, k.Collection)).ToList())
            {
                try
                {
                    await ReconcileAsync(group.Key.Ns, group.Key.Collection, group.Select(k => k.KeyHash).ToList(), cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogFailed(_logger, _channel.ChannelId, $"{group.Key.Ns}/{group.Key.Collection}: {e.Message}");
                }
            }
        }
    }

    /// <summary>Finds, in every collection this peer's organisation is a member of, hashed keys without plaintext here.</summary>
    private async Task ScanAsync(CancellationToken cancellationToken)
    {
        var state = _channel.Ledger.State;
        foreach (var definition in _channel.Bundle.Chaincodes)
        {
            foreach (var (collection, (_, members)) in CollectionAccess.Compile(definition))
            {
                if (!members.IsSatisfiableBy(new HashSet<string>(StringComparer.Ordinal) { _local.MspId }))
                {
                    continue;
                }

                string? bookmark = null;
                do
                {
                    var page = await state.GetStateRangeAsync(PrivateNamespaces.Hashed(definition.Name, collection), string.Empty, string.Empty, 1000, bookmark, cancellationToken).ConfigureAwait(false);
                    foreach (var entry in page.Results)
                    {
                        if (await state.GetStateAsync(PrivateNamespaces.KeyIndex(definition.Name, collection), entry.Key, cancellationToken).ConfigureAwait(false) is null)
                        {
                            Enqueue(definition.Name, collection, entry.Key, entry.Value.Value);
                        }
                    }

                    bookmark = page.Bookmark;
                }
                while (bookmark.Length > 0);
            }
        }
    }

    private async Task ReconcileAsync(string ns, string collection, List<string> keyHashes, CancellationToken cancellationToken)
    {
        // Drop what is no longer current: the hashed state moved on (overwritten, deleted, purged).
        var state = _channel.Ledger.State;
        var wanted = new List<(string KeyHash, byte[] ValueHash)>();
        foreach (var keyHash in keyHashes)
        {
            var valueHash = _missing.GetValueOrDefault((ns, collection, keyHash));
            var hashed = await state.GetStateAsync(PrivateNamespaces.Hashed(ns, collection), keyHash, cancellationToken).ConfigureAwait(false);
            var held = await state.GetStateAsync(PrivateNamespaces.KeyIndex(ns, collection), keyHash, cancellationToken).ConfigureAwait(false);
            if (valueHash is null || hashed is null || !hashed.Value.Span.SequenceEqual(valueHash) || held is not null)
            {
                _missing.TryRemove((ns, collection, keyHash), out _);
                continue;
            }

            wanted.Add((keyHash, valueHash));
        }

        if (wanted.Count == 0)
        {
            return;
        }

        var definition = _channel.Bundle.Chaincode(ns);
        var members = definition is null ? null : CollectionAccess.Compile(definition).GetValueOrDefault(collection).Members;
        var sources = _channel.Bundle.Config.Organizations
            .Where(o => o.IsApplication && o.MspId != _local.MspId && o.AnchorPeers.Count > 0)
            .Where(o => members?.IsSatisfiableBy(new HashSet<string>(StringComparer.Ordinal) { o.MspId }) == true)
            .Select(o => o.AnchorPeers[0]);
        foreach (var address in sources)
        {
            var pull = new PrivateDataPull { Timestamp = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow), ChannelId = _channel.ChannelId, Namespace = ns, Collection = collection };
            pull.Keys.AddRange(wanted.Select(w => new KeyHashRequest { KeyHash = ByteString.CopyFrom(Convert.FromHexString(w.KeyHash)), ValueHash = ByteString.CopyFrom(w.ValueHash) }));
            PrivateDataPullResult result;
            try
            {
                using var grpc = _channel.Connect(address);
                result = await new Protos.PrivateData.PrivateData.PrivateDataClient(grpc)
                    .PullAsync(PeerMessages.Sign(pull, _local), deadline: DateTime.UtcNow.AddSeconds(30), cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (RpcException e)
            {
                LogFailed(_logger, _channel.ChannelId, $"{ns}/{collection} from {address}: {e.StatusCode} {e.Status.Detail}");
                continue;
            }

            var stored = await _channel.Ledger.ReconcilePrivateAsync(ns, collection, result.Entries.Select(e => (e.Key, (ReadOnlyMemory<byte>)e.Value.Memory)), cancellationToken).ConfigureAwait(false);
            foreach (var entry in result.Entries)
            {
                _missing.TryRemove((ns, collection, PrivateNamespaces.HashKey(PrivateNamespaces.HashOf(entry.Key))), out _);
            }

            if (stored > 0)
            {
                LogReconciled(_logger, _channel.ChannelId, ns, collection, stored, address);
            }

            wanted = wanted.Where(w => _missing.ContainsKey((ns, collection, w.KeyHash))).ToList();
            if (wanted.Count == 0)
            {
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Channel {Channel}: reconciled {Count} private key(s) of {Namespace}/{Collection} from {Source}")]
    private static partial void LogReconciled(ILogger logger, string channel, string @namespace, string collection, int count, string source);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Channel {Channel}: private data reconciliation: {Reason}")]
    private static partial void LogFailed(ILogger logger, string channel, string reason);
}
