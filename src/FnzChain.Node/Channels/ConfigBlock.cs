using System.Security.Cryptography;
using FnzChain.Ledger.Blocks;
using FnzChain.Protos.Common;
using FnzChain.Protos.Config;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
// FnzChain's own config messages until issue 14 moves channel config to Fabric's (same names in FnzChain.Protos.Common).
using ConfigEnvelope = FnzChain.Protos.Config.ConfigEnvelope;

namespace FnzChain.Node.Channels;

/// <summary>Config blocks: a block holding exactly one CONFIG envelope whose data is a <c>fnzchain.config.ConfigEnvelope</c>.</summary>
public static class ConfigBlock
{
    /// <summary>Block 0 of a channel: its first configuration, unsigned (nobody is a member before it exists).</summary>
    public static Block CreateGenesis(ChannelConfig config, DateTimeOffset timestamp)
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
                        ChannelId = config.ChannelId,
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

    /// <summary>The configuration a config block carries; a <see cref="FormatException"/> says what is wrong.</summary>
    public static ChannelConfig ReadConfig(Block block)
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

            var config = ConfigEnvelope.Parser.ParseFrom(payload.Data).Config
                ?? throw new FormatException($"block {number}: config envelope has no config");
            if (config.ChannelId != header.ChannelId)
            {
                throw new FormatException($"block {number}: config is for channel {config.ChannelId} but the envelope says {header.ChannelId}");
            }

            return config;
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
