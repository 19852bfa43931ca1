using FnzChain.Identity.Channels;
using FnzChain.Identity.Policies;
using FnzChain.Node.Audit;
using FnzChain.Peer.Channels;
using FnzChain.Peer.Chaincode;
using FnzChain.Protos.Gateway;
using FnzChain.Protos.Ledger.Rwset;
using FnzChain.Protos.Ledger.Rwset.Kvrwset;
using FnzChain.Protos.Peer;
using Google.Protobuf;
using Grpc.Core;

namespace FnzChain.Peer.Gateway;

/// <summary>
/// Where a proposal carrying transient data may go when the client lets the gateway choose (decision 0024). Transient
/// data is what a client keeps off the ledger — an investor's personal data on its way into a private data
/// collection — and every endorser's chaincode sees it in plaintext. So, as Fabric's gateway does: this peer endorses
/// first (none of this organisation's peers on the channel: refused, the client must name the organisations); the
/// collections that endorsement read or wrote decide who else may see the proposal — only organisations that are
/// members of all of them; the plan is made among those alone, and when they cannot satisfy the policy the
/// transaction needs, the gateway refuses rather than widen the circle.
/// </summary>
public sealed partial class GatewayService
{
    /// <summary>Fabric's own words, so that clients written for Fabric recognise the refusal.</summary>
    internal const string NoLocalEndorser = "no endorsers found in the gateway's organization; retry specifying endorsing organization(s) to protect transient data";

    /// <summary>True when the proposal's payload carries a transient map with at least one entry.</summary>
    private static bool HasTransientData(SignedProposal signed)
    {
        try
        {
            return ChaincodeProposalPayload.Parser.ParseFrom(Proposal.Parser.ParseFrom(signed.ProposalBytes).Payload).TransientMap.Count > 0;
        }
        catch (InvalidProtocolBufferException)
        {
            return false; // the endorser refuses it, naming the field; no other peer is asked
        }
    }

    /// <summary>
    /// Endorses on this peer, then returns the organisations the proposal may also go to (this one and the members of
    /// every collection the endorsement used), this peer's response, and the policy the endorsements must satisfy.
    /// </summary>
    private async Task<(List<ChannelOrganization> Recipients, ProposalResponse EndorsedHere, IPolicy? Policy)> TransientDataRecipientsAsync(
        ServerCallContext context, EndorseRequest request, PeerChannel channel, List<ChannelOrganization> applicationOrgs, string? localMsp, SignedProposal signed, AuditEntry? audit)
    {
        var local = applicationOrgs.FirstOrDefault(o => o.MspId == endorser.LocalMspId)
            ?? throw Fail(context, StatusCode.FailedPrecondition, NoLocalEndorser, []);
        var here = (await EndorseOnAsync([local], localMsp, signed, audit, context.CancellationToken).ConfigureAwait(false))[0];
        if ((here.Error ?? FailureOf(here.Response!)?.Message ?? (here.Response!.Endorsement is null ? "the proposal response carries no endorsement" : null)) is { } error)
        {
            throw Fail(context, StatusCode.Aborted, $"failed to endorse transaction {request.TransactionId}: {here.MspId}: {error}", [Detail(here.Address, here.MspId, error)]);
        }

        List<(string Namespace, string Collection)> used;
        string chaincode;
        List<string> written;
        bool writesPublic;
        try
        {
            used = CollectionsUsed(here.Response!, out chaincode, out written, out writesPublic);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw Fail(context, StatusCode.Internal, $"this peer's endorsement of transaction {request.TransactionId} does not parse: {e.Message}", []);
        }

        var recipients = applicationOrgs
            .Where(o => o.MspId == local.MspId || used.All(c => IsCollectionMember(channel, c.Namespace, c.Collection, o.MspId)))
            .ToList();
        var policy = used.Count == 0 || chaincode.Length == 0 ? channel.EndorsementPolicy(chaincode)
            : channel.RequiredEndorsementPolicy(chaincode, written, writesPublic) ?? channel.EndorsementPolicy(chaincode);
        if (used.Count > 0 && policy is not null && !policy.IsSatisfiableBy(recipients.Select(o => o.MspId).ToHashSet(StringComparer.Ordinal)))
        {
            var members = string.Join(", ", recipients.Select(o => o.MspId));
            var collections = string.Join(", ", used.Select(c => $"{c.Namespace}/{c.Collection}"));
            throw Fail(context, StatusCode.FailedPrecondition,
                $"transaction {request.TransactionId} carries transient data, which the gateway sends only to members of the collections it uses ({collections}): "
                + $"{members} cannot satisfy the endorsement policy of chaincode {chaincode}; name the endorsing organizations to send it to others", []);
        }

        return (recipients, here.Response!, policy);
    }

    /// <summary>
    /// The collections whose hashed read/write sets an endorsement carries (reads or writes, any namespace), and, for
    /// the invoked chaincode's namespace, which collections it wrote and whether it wrote public keys.
    /// </summary>
    private static List<(string Namespace, string Collection)> CollectionsUsed(ProposalResponse response, out string chaincode, out List<string> written, out bool writesPublic)
    {
        var used = new List<(string, string)>();
        written = [];
        writesPublic = false;
        var action = ChaincodeAction.Parser.ParseFrom(ProposalResponsePayload.Parser.ParseFrom(response.Payload).Extension);
        chaincode = action.ChaincodeId?.Name ?? string.Empty;
        foreach (var ns in TxReadWriteSet.Parser.ParseFrom(action.Results).NsRwset)
        {
            foreach (var collection in ns.CollectionHashedRwset)
            {
                used.Add((ns.Namespace, collection.CollectionName));
                if (ns.Namespace == chaincode && HashedRWSet.Parser.ParseFrom(collection.HashedRwset) is { } hashed && (hashed.HashedWrites.Count > 0 || hashed.MetadataWrites.Count > 0))
                {
                    written.Add(collection.CollectionName);
                }
            }

            if (ns.Namespace == chaincode && KVRWSet.Parser.ParseFrom(ns.Rwset) is { } kv && (kv.Writes.Count > 0 || kv.MetadataWrites.Count > 0))
            {
                writesPublic = true;
            }
        }

        return used;
    }

    /// <summary>True when <paramref name="mspId"/>'s organisation is a member of collection <paramref name="collection"/> of chaincode <paramref name="chaincode"/>; an unknown one has no members.</summary>
    private static bool IsCollectionMember(PeerChannel channel, string chaincode, string collection, string mspId) =>
        channel.Bundle.Chaincode(chaincode) is { } definition
        && CollectionAccess.Compile(definition).TryGetValue(collection, out var found)
        && found.Members.IsSatisfiableBy(new HashSet<string>(StringComparer.Ordinal) { mspId });
}
