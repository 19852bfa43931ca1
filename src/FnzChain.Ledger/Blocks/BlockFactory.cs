using FnzChain.Protos.Common;
using Google.Protobuf;

namespace FnzChain.Ledger.Blocks;

/// <summary>Builds blocks as an orderer cuts them: header chained to the previous block, data hash over the envelopes.</summary>
public static class BlockFactory
{
    /// <summary>Block <paramref name="number"/> holding <paramref name="envelopes"/> (serialized <c>common.Envelope</c>s), with empty metadata slots.</summary>
    public static Block Create(ulong number, ReadOnlyMemory<byte> previousHash, IEnumerable<ByteString> envelopes)
    {
        ArgumentNullException.ThrowIfNull(envelopes);
        var data = new BlockData();
        data.Data.AddRange(envelopes);
        var block = new Block
        {
            Header = new BlockHeader
            {
                Number = number,
                PreviousHash = ByteString.CopyFrom(previousHash.Span),
                DataHash = ByteString.CopyFrom(BlockHashing.DataHash(data)),
            },
            Data = data,
            Metadata = new BlockMetadata(),
        };
        for (var i = 0; i <= (int)BlockMetadataIndex.CommitHash; i++)
        {
            block.Metadata.Metadata.Add(ByteString.Empty);
        }

        return block;
    }
}
