using FnzChain.Identity.Channels;
using FnzChain.Ledger.State;
using FnzChain.Node;
using FnzChain.Node.Channels;
using FnzChain.Peer.Channels;
using FnzChain.Protos.Admin;

namespace FnzChain.Peer.Chaincode;

/// <summary>What this peer holds of one private key: the evidence <c>fnzchain private status</c> tabulates per peer.</summary>
internal sealed class PrivateDataInspector(ChannelRegistry<PeerChannel> channels, LocalIdentity local) : IPrivateDataInspector
{
    public async Task<PrivateDataStatus> InspectAsync(PrivateDataStatusRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var channel = channels.Find(request.ChannelId) ?? throw new ArgumentException($"channel \"{request.ChannelId}\" is not joined by this peer");
        var definition = channel.Bundle.Chaincode(request.Chaincode)
            ?? throw new ArgumentException($"chaincode \"{request.Chaincode}\" is not defined on channel {request.ChannelId}");
        var collections = CollectionAccess.Compile(definition);
        if (!collections.TryGetValue(request.Collection, out var collection))
        {
            throw new ArgumentException($"collection \"{request.Collection}\" is not defined for chaincode {request.Chaincode}");
        }

        if (string.IsNullOrEmpty(request.Key))
        {
            throw new ArgumentException("the key is empty");
        }

        var keyHash = PrivateNamespaces.HashKey(PrivateNamespaces.HashOf(request.Key));
        var state = channel.Ledger.State;
        var plaintext = await state.GetStateAsync(PrivateNamespaces.Private(request.Chaincode, request.Collection), request.Key, cancellationToken).ConfigureAwait(false);
        var hashed = await state.GetStateAsync(PrivateNamespaces.Hashed(request.Chaincode, request.Collection), keyHash, cancellationToken).ConfigureAwait(false);
        return new PrivateDataStatus
        {
            MspId = local.MspId,
            Member = collection.Members.IsSatisfiableBy(new HashSet<string>(StringComparer.Ordinal) { local.MspId }),
            // Plaintext in private state, or any block's copy in the private data store.
            PlaintextHeld = plaintext is not null || channel.Ledger.PrivateData.CountHolding(request.Chaincode, request.Collection, keyHash) > 0,
            HashOnLedger = hashed is not null,
            TransientCopies = (uint)channel.Ledger.Transient.CountWriting(request.Chaincode, request.Collection, keyHash),
            ErasurePending = channel.Ledger.ErasurePending,
            Height = channel.Ledger.Height,
        };
    }
}
