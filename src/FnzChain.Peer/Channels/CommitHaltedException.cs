namespace FnzChain.Peer.Channels;

/// <summary>
/// This node's storage failed to commit a block: the channel's committer stops (retrying cannot help and might
/// harm) and the channel reports the reason as its health problem until the peer is restarted.
/// </summary>
public sealed class CommitHaltedException(string message, Exception innerException) : Exception(message, innerException);
