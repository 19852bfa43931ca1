using FnzChain.Crypto.Signatures;
using FnzChain.Identity.Channels;
using FnzChain.Ledger.Blocks;
using FnzChain.Protos.Common;
using FnzChain.Protos.Lifecycle;
using Google.Protobuf;

namespace FnzChain.Peer.Committer;

/// <summary>
/// Checks that a block received from an orderer was signed by an orderer of the channel: a signature in its
/// <c>SIGNATURES</c> metadata, over value ‖ signature header ‖ header bytes, by a valid identity of an
/// organisation with the orderer role (Fabric's BlockValidation policy, "ANY orderer org Writers").
/// </summary>
public static class BlockVerifier
{
    /// <summary>Null when the block is signed by an orderer of the channel; otherwise why not.</summary>
    public static string? Check(Block block, ChannelBundle bundle)
    {
        ArgumentNullException.ThrowIfNull(block);
        ArgumentNullException.ThrowIfNull(bundle);
        var bytes = block.Metadata?.Metadata.ElementAtOrDefault((int)BlockMetadataIndex.Signatures);
        if (bytes is null || bytes.IsEmpty)
        {
            return $"block {block.Header?.Number} carries no orderer signature";
        }

        Metadata metadata;
        try
        {
            metadata = Metadata.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            return $"block {block.Header?.Number} signature metadata does not parse: {e.Message}";
        }

        var reasons = new List<string>();
        foreach (var signature in metadata.Signatures)
        {
            try
            {
                var header = SignatureHeader.Parser.ParseFrom(signature.SignatureHeader);
                var identity = bundle.Msps.Deserialize(header.Creator.Span);
                if (!identity.IsValid)
                {
                    reasons.Add(identity.Error);
                    continue;
                }

                if (bundle.OrganizationOf(identity.Identity!.MspId)?.IsOrderer != true)
                {
                    reasons.Add($"{identity.Identity} is not of an orderer organisation");
                    continue;
                }

                var check = identity.Identity.Verify(BlockHashing.SignedBytes(metadata.Value, signature.SignatureHeader, block.Header), signature.Signature.Span);
                if (check.Status == SignatureStatus.Valid)
                {
                    return null;
                }

                reasons.Add(check.Reason);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                reasons.Add($"{e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}");
            }
        }

        return $"block {block.Header?.Number} has no valid orderer signature ({(reasons.Count == 0 ? "none" : string.Join("; ", reasons))})";
    }
}
