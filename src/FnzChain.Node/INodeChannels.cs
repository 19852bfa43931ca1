using FnzChain.Protos.Common;

namespace FnzChain.Node;

/// <summary>The channels a node serves, as channel participation sees them (the seam between <see cref="NodeAdminService"/> and orderers or peers).</summary>
public interface INodeChannels
{
    /// <summary>Joins a channel from its genesis block; <see cref="Identity.Channels.ChannelConfigException"/> or <see cref="FormatException"/> for a bad block, <see cref="InvalidOperationException"/> when already joined.</summary>
    Task<(string ChannelId, ulong Height)> JoinAsync(Block genesis, CancellationToken cancellationToken);

    /// <summary>Every channel with its height, by id.</summary>
    IReadOnlyList<(string ChannelId, ulong Height)> List();

    /// <summary>The largest AbsoluteMaxBytes of the node's channels now (the largest envelope any of them orders), or null with no channels.</summary>
    ulong? LargestEnvelopeBytes { get; }
}
