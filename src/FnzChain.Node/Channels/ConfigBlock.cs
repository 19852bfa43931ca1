using System.Security.Cryptography;
using FnzChain.Ledger.Blocks;
using FnzChain.Identity.Channels;
using FnzChain.Protos.Common;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace FnzChain.Node.Channels;

/// <summary>
/// Config blocks as Fabric writes them: a block holding exactly one CONFIG envelope whose data is a
/// <c>common.ConfigEnvelope { config: common.Config { sequence, channel_group }, last_update }</c>; the channel id is
/// the envelope's (Fabric's <c>Config</c> does not carry it).
/// </summary>
public static class ConfigBlock
{
    /// <summary>Block 0 of a channel: its first configuration, unsigned (nobody is a member before it exists).</summary>
    public static Block CreateGenesis(string channelId, Config config, DateTimeOffset timestamp)
    {
        ArgumentNullException.ThrowIfNull(config);
        var envelope = new Envelope
        {
            Payload = new Payload
            {
                Header = new Header
                {
                    ChannelHeader = new ChannelHeader
                    {
                        Type = (int)HeaderType.Config,
                        ChannelId = channelId,
                        TxId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)),
                        Timestamp = Timestamp.FromDateTimeOffset(timestamp),
                    }.ToByteString(),
                    SignatureHeader = new SignatureHeader().ToByteString(),
                },
                Data = new ConfigEnvelope { Config = config }.ToByteString(),
            }.ToByteString(),
        };
        return BlockFactory.Create(0, ReadOnlyMemory<byte>.Empty, [envelope.ToByteString()]);
    }

    /// <summary>The configuration a config block carries, read; a <see cref="FormatException"/> says what is wrong.</summary>
    public static ChannelConfig ReadConfig(Block block)
    {
        var (channelId, envelope) = ReadEnvelope(block);
        try
        {
            return ChannelConfig.Read(channelId, envelope.Config);
        }
        catch (ChannelConfigException e)
        {
            throw new FormatException($"block {block.Header?.Number ?? 0}: {e.Message}", e);
        }
    }

    /// <summary>The channel id and <c>common.ConfigEnvelope</c> of a config block; a <see cref="FormatException"/> says what is wrong.</summary>
    public static (string ChannelId, ConfigEnvelope Envelope) ReadEnvelope(Block block)
    {
        ArgumentNullException.ThrowIfNull(block);
        var number = block.Header?.Number ?? 0;
        if (block.Data is null || block.Data.Data.Count != 1)
        {
            throw new FormatException($"block {number} is not a config block: it has {block.Data?.Data.Count ?? 0} envelopes, a config block has 1");
        }

        try
        {
            var payload = Payload.Parser.ParseFrom(Envelope.Parser.ParseFrom(block.Data.Data[0]).Payload);
            var header = ChannelHeader.Parser.ParseFrom(payload.Header?.ChannelHeader ?? ByteString.Empty);
            if (header.Type != (int)HeaderType.Config)
            {
                throw new FormatException($"block {number} is not a config block: its envelope has type {header.Type}");
            }

            var envelope = ConfigEnvelope.Parser.ParseFrom(payload.Data);
            if (envelope.Config?.ChannelGroup is null)
            {
                throw new FormatException($"block {number}: its config envelope has no config or no channel_group");
            }

            return (header.ChannelId, envelope);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new FormatException($"block {number} is not a config block: {e.Message}", e);
        }
    }

    /// <summary>The number of the last config block, from a block's signature metadata (blocks without it, like the genesis block: 0).</summary>
    public static ulong LastConfigIndex(Block block)
    {
        ArgumentNullException.ThrowIfNull(block);
        var signatures = block.Metadata?.Metadata.ElementAtOrDefault((int)BlockMetadataIndex.Signatures);
        if (signatures is null || signatures.IsEmpty)
        {
            return 0;
        }

        return OrdererBlockMetadata.Parser.ParseFrom(Metadata.Parser.ParseFrom(signatures).Value).LastConfig?.Index ?? 0;
    }

    /// <summary>True when the block's single envelope is of type CONFIG.</summary>
    public static bool IsConfigBlock(Block block)
    {
        try
        {
            _ = ReadConfig(block);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
