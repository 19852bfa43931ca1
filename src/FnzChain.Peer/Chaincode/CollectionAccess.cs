using FnzChain.Chaincode;
using FnzChain.Identity.Channels;
using FnzChain.Identity.Msp;
using FnzChain.Ledger.Private;
using FnzChain.Identity.Policies;
using FnzChain.Protos.Lifecycle;
using FnzChain.Protos.Ledger.Rwset;
using FnzChain.Protos.Peer;

namespace FnzChain.Peer.Chaincode;

/// <summary>
/// Which private data collections a chaincode has (from its definition) and who may use them during one
/// simulation: plaintext can only be read on a peer of a member organisation; <c>memberOnlyRead</c> /
/// <c>memberOnlyWrite</c> also require the transaction's creator to belong to one. Refusals are
/// <see cref="ChaincodeException"/>s naming the collection and the organisation.
/// </summary>
internal sealed class CollectionAccess(ChaincodeDefinition definition, string peerMspId, ValidatedIdentity creator)
{
    private readonly Dictionary<string, (StaticCollectionConfig Config, IPolicy Members)> _collections = Compile(definition);

    /// <summary>The collections of <paramref name="definition"/> with their member policies; a policy that does not compile admits nobody.</summary>
    public static Dictionary<string, (StaticCollectionConfig Config, IPolicy Members)> Compile(ChaincodeDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var result = new Dictionary<string, (StaticCollectionConfig, IPolicy)>(StringComparer.Ordinal);
        foreach (var config in definition.Collections?.Config.Select(c => c.StaticCollectionConfig).Where(c => c is not null) ?? [])
        {
            result[config!.Name] = (config, SignaturePolicyEvaluator.Compile(config.MemberOrgsPolicy?.SignaturePolicy ?? new Protos.Common.SignaturePolicyEnvelope()));
        }

        return result;
    }

    /// <summary>The block-to-live of every collection of every chaincode defined in <paramref name="bundle"/> (unknown: 0, forever).</summary>
    public static BlockToLive BlockToLiveOf(ChannelBundle bundle)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        return BlockToLiveOf(bundle.Chaincodes);
    }

    /// <summary>The block-to-live of every collection of <paramref name="definitions"/> (unknown: 0, forever).</summary>
    public static BlockToLive BlockToLiveOf(IEnumerable<ChaincodeDefinition> definitions)
    {
        ArgumentNullException.ThrowIfNull(definitions);
        var lifetimes = new Dictionary<(string, string), ulong>();
        foreach (var definition in definitions)
        {
            foreach (var config in definition.Collections?.Config.Select(c => c.StaticCollectionConfig).Where(c => c is { BlockToLive: > 0 }) ?? [])
            {
                lifetimes[(definition.Name, config!.Name)] = config.BlockToLive;
            }
        }

        return (chaincode, collection) => lifetimes.GetValueOrDefault((chaincode, collection));
    }

    /// <summary>
    /// The part of <paramref name="data"/> in collections <paramref name="mspId"/>'s organisation is a member of,
    /// per chaincode (<paramref name="definitionOf"/> null: unknown chaincode, nothing kept). What a peer may store.
    /// </summary>
    public static TxPvtReadWriteSet MemberPart(TxPvtReadWriteSet data, Func<string, ChaincodeDefinition?> definitionOf, string mspId)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(definitionOf);
        var member = new TxPvtReadWriteSet { DataModel = data.DataModel };
        var self = new HashSet<string>(StringComparer.Ordinal) { mspId };
        foreach (var ns in data.NsPvtRwset)
        {
            var collections = definitionOf(ns.Namespace) is { } definition ? Compile(definition) : null;
            var kept = new NsPvtReadWriteSet { Namespace = ns.Namespace };
            kept.CollectionPvtRwset.AddRange(ns.CollectionPvtRwset.Where(c =>
                collections is not null && collections.TryGetValue(c.CollectionName, out var found) && found.Members.IsSatisfiableBy(self)));
            if (kept.CollectionPvtRwset.Count > 0)
            {
                member.NsPvtRwset.Add(kept);
            }
        }

        return member;
    }

    /// <summary>True when <paramref name="mspId"/>'s organisation is a member of <paramref name="collection"/>.</summary>
    public bool IsMember(string collection, string mspId) =>
        _collections.TryGetValue(collection, out var found) && found.Members.IsSatisfiableBy(new HashSet<string>(StringComparer.Ordinal) { mspId });

    public StaticCollectionConfig CheckRead(string collection)
    {
        var config = Require(collection);
        if (!IsMember(collection, peerMspId))
        {
            throw new ChaincodeException($"this peer's organisation {peerMspId} is not a member of collection {collection}: its private data is not held here", 403);
        }

        if (config.MemberOnlyRead && !IsMember(collection, creator.MspId))
        {
            throw new ChaincodeException($"collection {collection} is member-only for reads and the creator's organisation {creator.MspId} is not a member", 403);
        }

        return config;
    }

    public StaticCollectionConfig CheckWrite(string collection)
    {
        var config = Require(collection);
        if (config.MemberOnlyWrite && !IsMember(collection, creator.MspId))
        {
            throw new ChaincodeException($"collection {collection} is member-only for writes and the creator's organisation {creator.MspId} is not a member", 403);
        }

        return config;
    }

    public StaticCollectionConfig Require(string collection) =>
        _collections.TryGetValue(collection, out var found)
            ? found.Config
            : throw new ChaincodeException($"collection \"{collection}\" is not defined for chaincode {definition.Name}", 404);
}
