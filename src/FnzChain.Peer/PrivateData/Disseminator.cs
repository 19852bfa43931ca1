using FnzChain.Identity.Channels;
using FnzChain.Node;
using FnzChain.Peer.Chaincode;
using FnzChain.Peer.Channels;
using FnzChain.Peer.Gateway;
using FnzChain.Protos.Lifecycle;
using FnzChain.Protos.Ledger.Rwset;
using FnzChain.Protos.PrivateData;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace FnzChain.Peer.PrivateData;

/// <summary>
/// At endorsement, sends a transaction's private write sets to peers of the collections' other member
/// organisations (their first anchor peer), each receiving only the collections its organisation is a member of:
/// up to <c>maxPeerCount</c> peers per collection, and the endorsement fails unless at least
/// <c>requiredPeerCount</c> of them acknowledged — so the data survives this peer.
/// </summary>
public sealed class Disseminator(Connections connections, LocalIdentity local, TimeProvider time)
{
    /// <summary>Null when every collection reached its required peers; otherwise why not (collection, counts, each failure).</summary>
    public async Task<string?> PushAsync(PeerChannel channel, string txId, TxPvtReadWriteSet data, ChaincodeDefinition definition, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(channel);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(definition);
        var collections = CollectionAccess.Compile(definition);
        var others = channel.Bundle.Config.Organizations
            .Where(o => o.IsApplication && o.MspId != local.MspId)
            .ToList();
        var written = data.NsPvtRwset.Where(n => n.Namespace == definition.Name).SelectMany(n => n.CollectionPvtRwset).Select(c => c.CollectionName).Distinct().ToList();
        var plan = written.ToDictionary(
            c => c,
            c => others
                .Where(o => collections.TryGetValue(c, out var found) && found.Members.IsSatisfiableBy(new HashSet<string>(StringComparer.Ordinal) { o.MspId }))
                .Take(Math.Max(0, collections.GetValueOrDefault(c).Config?.MaximumPeerCount ?? 0))
                .ToList());
        var targets = plan.Values.SelectMany(o => o).DistinctBy(o => o.MspId).ToList();
        var outcomes = await Task.WhenAll(targets.Select(async org =>
        {
            var payload = CollectionAccess.MemberPart(data, cc => cc == definition.Name ? definition : null, org.MspId);
            if (org.AnchorPeers.Count == 0)
            {
                return (org.MspId, Error: (string?)$"organisation {org.Name} has no anchor peer");
            }

            var address = org.AnchorPeers[0];
            var push = new PrivateDataPush { Timestamp = Timestamp.FromDateTimeOffset(time.GetUtcNow()), ChannelId = channel.ChannelId, TxId = txId, PrivateData = payload };
            try
            {
                await new Protos.PrivateData.PrivateData.PrivateDataClient(connections.To(address))
                    .PushAsync(PeerMessages.Sign(push, local), deadline: DateTime.UtcNow.AddSeconds(10), cancellationToken: cancellationToken).ConfigureAwait(false);
                return (org.MspId, Error: (string?)null);
            }
            catch (RpcException e)
            {
                return (org.MspId, Error: (string?)$"{org.MspId} at {address}: {e.StatusCode} {e.Status.Detail}");
            }
        })).ConfigureAwait(false);
        var delivered = outcomes.Where(o => o.Error is null).Select(o => o.MspId).ToHashSet(StringComparer.Ordinal);
        foreach (var (collection, orgs) in plan)
        {
            var required = collections.GetValueOrDefault(collection).Config?.RequiredPeerCount ?? 0;
            var reached = orgs.Count(o => delivered.Contains(o.MspId));
            if (reached < required)
            {
                var errors = outcomes.Where(o => o.Error is not null && orgs.Any(g => g.MspId == o.MspId)).Select(o => o.Error);
                return $"collection {collection} needs its private data on {required} other peer(s) before endorsement, but reached {reached} of {orgs.Count} (maxPeerCount {collections[collection].Config.MaximumPeerCount}){(errors.Any() ? ": " + string.Join("; ", errors) : string.Empty)}";
            }
        }

        return null;
    }
}
