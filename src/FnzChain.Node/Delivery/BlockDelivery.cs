using FnzChain.Identity.Channels;
using FnzChain.Identity.Policies;
using FnzChain.Node.Audit;
using FnzChain.Ledger.Blocks;
using FnzChain.Node.Channels;
using FnzChain.Node.Tls;
using FnzChain.Protos.Common;
using FnzChain.Protos.Orderer;
using FnzChain.Protos.Peer;
using Google.Protobuf;

namespace FnzChain.Node.Delivery;

/// <summary>A channel as Deliver sees it: who may read (its current bundle, which config blocks replace) and its blocks.</summary>
public sealed record DeliverSource(Func<ChannelBundle> Bundle, BlockStore Blocks);

/// <summary>
/// Serves one Deliver request (orderer's <c>AtomicBroadcast.Deliver</c>, peer's <c>Deliver</c>): a signed
/// <c>DELIVER_SEEK_INFO</c> envelope whose creator must satisfy the channel's Readers policy; blocks from start to
/// stop, waiting for those not yet committed (<c>BLOCK_UNTIL_READY</c>) or failing at the first missing one
/// (<c>FAIL_IF_NOT_READY</c>). When a config block changes the channel's configuration while a stream is open, the
/// requester is checked against the new Readers policy before the next block, and a requester no longer
/// allowed (organisation removed, certificate revoked) gets <c>FORBIDDEN</c>. Returns the status that ends the
/// request, with a reason.
/// </summary>
public static class BlockDelivery
{
    public static async Task<(Status Status, string Info)> ServeAsync(
        Envelope request,
        Func<string, DeliverSource?> findChannel,
        Func<Block, SeekInfo, CancellationToken, Task> send,
        CancellationToken cancellationToken,
        byte[]? requiredTlsCertHash = null,
        AuditEntry? audit = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(findChannel);
        ArgumentNullException.ThrowIfNull(send);
        SignedEnvelope parsed;
        SeekInfo seek;
        try
        {
            parsed = SignedEnvelope.Parse(request);
            seek = SeekInfo.Parser.ParseFrom(parsed.Payload.Data);
        }
        catch (Exception e) when (e is FormatException or InvalidProtocolBufferException)
        {
            return (Status.BadRequest, e.Message);
        }

        audit?.Describe(parsed.ChannelId, parsed.TxId);

        // Fabric's binding under mutual TLS (common/deliver's BindingInspector, checked with the channel header, before
        // the channel is looked up): the signed request names the TLS certificate of the connection it may be used on,
        // so a captured request cannot be replayed on another connection. Fabric answers BAD_REQUEST.
        if (requiredTlsCertHash is not null && TlsBinding.Problem(parsed.ChannelHeader, requiredTlsCertHash) is { } binding)
        {
            return (Status.BadRequest, binding);
        }

        if (findChannel(parsed.ChannelId) is not { } channel)
        {
            return (Status.NotFound, $"channel \"{parsed.ChannelId}\" does not exist on this node");
        }

        if (audit?.IdentityLockout(parsed.SignatureHeader.Creator.Span) is { } locked)
        {
            throw locked; // ends the stream with RESOURCE_EXHAUSTED and its retry-after
        }

        var checkedAgainst = channel.Bundle();
        var signers = SignatureSet.Validate([parsed.SignedData], checkedAgainst.Msps);
        audit?.Signers(signers);
        var readers = checkedAgainst.Evaluate(ChannelBundle.Readers, signers);
        if (!readers.IsSatisfied)
        {
            return (Status.Forbidden, readers.Reason);
        }

        var blocks = channel.Blocks;
        var height = blocks.Height;
        if (Position(seek.Start, height, isStart: true) is not { } start)
        {
            return (Status.BadRequest, "seek info has no valid start position");
        }

        if (Position(seek.Stop, height, isStart: false) is not { } stop || stop < start)
        {
            return (Status.BadRequest, $"seek info stop must be a position at or after the start ({start})");
        }

        for (var number = start; number <= stop; number++)
        {
            if (number >= blocks.Height)
            {
                if (seek.Behavior == SeekInfo.Types.SeekBehavior.FailIfNotReady)
                {
                    return (Status.NotFound, $"block {number} of channel {parsed.ChannelId} does not exist yet (height {blocks.Height})");
                }

                await blocks.WaitForHeightAsync(number + 1, cancellationToken).ConfigureAwait(false);
            }

            var block = blocks.GetBlock(number)!;
            // A config block is judged by the configuration it carries (the node may not have applied it yet).
            var current = ConfigurationOf(block) ?? channel.Bundle();
            if (current.Config.Sequence > checkedAgainst.Config.Sequence)
            {
                readers = current.Evaluate(ChannelBundle.Readers, [parsed.SignedData]);
                if (!readers.IsSatisfied)
                {
                    return (Status.Forbidden, $"no longer a reader of channel {parsed.ChannelId} after a configuration change: {readers.Reason}");
                }

                checkedAgainst = current;
            }

            await send(block, seek, cancellationToken).ConfigureAwait(false);
            if (number == ulong.MaxValue)
            {
                break;
            }
        }

        return (Status.Success, string.Empty);
    }

    /// <summary>The configuration a valid config block carries, or null for other blocks (and config blocks a peer marked invalid).</summary>
    private static ChannelBundle? ConfigurationOf(Block block)
    {
        if (!ConfigBlock.IsConfigBlock(block))
        {
            return null;
        }

        var metadata = block.Metadata?.Metadata;
        var filter = metadata is { Count: > (int)BlockMetadataIndex.TransactionsFilter } ? metadata[(int)BlockMetadataIndex.TransactionsFilter] : ByteString.Empty;
        if (!filter.IsEmpty && filter[0] is not ((byte)TxValidationCode.Valid or (byte)TxValidationCode.NotValidated))
        {
            return null;
        }

        try
        {
            return ChannelBundle.Create(ConfigBlock.ReadConfig(block));
        }
        catch (Exception e) when (e is ChannelConfigException or FormatException or InvalidProtocolBufferException)
        {
            return null;
        }
    }

    /// <summary>The block as <c>HEADER_WITH_SIG</c> content asks for it: header and metadata, no data.</summary>
    public static Block ForContentType(Block block, SeekInfo seek) =>
        seek.ContentType == SeekInfo.Types.SeekContentType.HeaderWithSig
            ? new Block { Header = block.Header, Metadata = block.Metadata, Data = new BlockData() }
            : block;

    private static ulong? Position(SeekPosition? position, ulong height, bool isStart) => position?.TypeCase switch
    {
        SeekPosition.TypeOneofCase.Oldest => 0,
        SeekPosition.TypeOneofCase.Newest => height == 0 ? 0 : height - 1,
        SeekPosition.TypeOneofCase.Specified => position.Specified.Number,
        SeekPosition.TypeOneofCase.NextCommit when isStart => height,
        _ => null,
    };
}
