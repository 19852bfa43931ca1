using FnzChain.Identity.Channels;
using FnzChain.Identity.Policies;
using FnzChain.Protos.Lifecycle;

namespace FnzChain.Peer.Gateway;

/// <summary>
/// Which organisations the gateway asks to endorse a transaction: the smallest sets of the channel's application
/// organisations whose peers can satisfy the chaincode's endorsement policy ("layouts", as Fabric's discovery
/// calls them), those with the gateway's own organisation first. A layout is tried at a time; when an
/// organisation's peer cannot be reached the next layout without it is tried.
/// </summary>
public static class EndorsementPlan
{
    /// <summary>Above this many application organisations the plan is not searched: every organisation endorses.</summary>
    public const int MaxOrganizationsSearched = 12;

    /// <summary>
    /// Minimal satisfying sets of <paramref name="organizations"/> (none is a superset of another), smallest first,
    /// sets with <paramref name="localMspId"/> before others of the same size. When no set of peers can satisfy
    /// <paramref name="policy"/> (it names exact identities or admin roles, say) or it is unknown, the single
    /// layout of every organisation: endorsing everywhere is then the best the gateway can do.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<ChannelOrganization>> Layouts(IPolicy? policy, IReadOnlyList<ChannelOrganization> organizations, string localMspId)
    {
        ArgumentNullException.ThrowIfNull(organizations);
        if (policy is null || organizations.Count == 0 || organizations.Count > MaxOrganizationsSearched)
        {
            return [organizations];
        }

        var layouts = new List<(int Mask, IReadOnlyList<ChannelOrganization> Orgs)>();
        var masks = Enumerable.Range(1, (1 << organizations.Count) - 1)
            .OrderBy(m => int.PopCount(m))
            .ThenBy(m => organizations.Select((o, i) => (o, i)).Any(x => (m & (1 << x.i)) != 0 && x.o.MspId == localMspId) ? 0 : 1)
            .ThenBy(m => m);
        foreach (var mask in masks)
        {
            if (layouts.Any(l => (l.Mask & mask) == l.Mask))
            {
                continue; // a superset of a layout already found
            }

            var members = organizations.Where((_, i) => (mask & (1 << i)) != 0).ToList();
            if (policy.IsSatisfiableBy(members.Select(o => o.MspId).ToHashSet(StringComparer.Ordinal)))
            {
                layouts.Add((mask, members));
            }
        }

        return layouts.Count == 0 ? [organizations] : layouts.Select(l => l.Orgs).ToList();
    }
}
