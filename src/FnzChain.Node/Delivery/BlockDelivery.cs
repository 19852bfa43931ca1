using FnzChain.Identity.Channels;
using FnzChain.Ledger.Blocks;
using FnzChain.Protos.Common;
using FnzChain.Protos.Orderer;
using Google.Protobuf;

namespace FnzChain.Node.Delivery;

/// <summary>A channel as Deliver sees it: who may read (its bundle) and its blocks.</summary>
public sealed record DeliverSource(ChannelBundle Bundle, BlockStore Blocks);

/// <summary>
/// Serves one Deliver request (orderer's <c>AtomicBroadcast.Deliver</c>, peer's <c>Deliver</c>): a signed
/// <c>DELIVER_SEEK_INFO</c> envelope whose creator must satisfy the channel's Readers policy; blocks from start to
/// stop, waiting for those not yet committed (<c>BLOCK_UNTIL_READY</c>) or failing at the first missing one
/// (<c>FAIL_IF_NOT_READY</c>). Returns the status that ends the request, with a reason.
/// </summary>
public static class BlockDelivery
{
    public static async Task<(Status Status, string Info)> ServeAsync(
        Envelope request,
        Func<string, DeliverSource?> findChannel,
        Func<Block, SeekInfo, CancellationToken, Task> send,
        CancellationToken cancellationToken)
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

        if (findChannel(parsed.ChannelId) is not { } channel)
        {
            return (Status.NotFound, $"channel \"{parsed.ChannelId}\" does not exist on this node");
        }

        var readers = channel.Bundle.Evaluate(ChannelBundle.Readers, [parsed.SignedData]);
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

            await send(blocks.GetBlock(number)!, seek, cancellationToken).ConfigureAwait(false);
            if (number == ulong.MaxValue)
            {
                break;
            }
        }

        return (Status.Success, string.Empty);
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
