using System.Security.Cryptography;
using FnzChain.Crypto.Signatures;
using FnzChain.Ledger.Blocks;
using FnzChain.Protos.Common;
using Google.Protobuf;

namespace FnzChain.Orderer.Signing;

/// <summary>
/// Signs blocks as a Fabric orderer does: the <c>SIGNATURES</c> metadata holds an <c>OrdererBlockMetadata</c>
/// (index of the last config block) as its value and one signature over value ‖ signature header ‖ the header's
/// DER bytes, so the signature binds the block's position, data and config to the orderer's identity.
/// </summary>
public sealed class BlockSigner(ReadOnlyMemory<byte> serializedIdentity, EcdsaSigner signer)
{
    /// <summary>Fabric's <c>BlockMetadataIndex.ORDERER</c> (deprecated in 2.x; where 1.x's Kafka consenter kept its offsets).</summary>
    private const int OrdererSlot = 3;

    /// <summary>
    /// Sets the block's <c>SIGNATURES</c> metadata (the block must have its five metadata slots). A consenter's metadata
    /// goes, as in Fabric 2.x, into the signed <c>OrdererBlockMetadata.consenter_metadata</c>, and also, as Fabric 1.x's
    /// Kafka consenter wrote it, into the <c>ORDERER</c> slot as a <c>Metadata</c> value (for tools that read it there).
    /// </summary>
    public void Sign(Block block, ulong lastConfigIndex, ByteString? consenterMetadata = null)
    {
        ArgumentNullException.ThrowIfNull(block);
        consenterMetadata ??= ByteString.Empty;
        var value = new OrdererBlockMetadata { LastConfig = new LastConfig { Index = lastConfigIndex }, ConsenterMetadata = consenterMetadata }.ToByteString();
        if (!consenterMetadata.IsEmpty)
        {
            block.Metadata.Metadata[OrdererSlot] = new Metadata { Value = consenterMetadata }.ToByteString();
        }

        var signatureHeader = new SignatureHeader
        {
            Creator = ByteString.CopyFrom(serializedIdentity.Span),
            Nonce = ByteString.CopyFrom(RandomNumberGenerator.GetBytes(24)),
        }.ToByteString();
        var signature = signer.Sign(BlockHashing.SignedBytes(value, signatureHeader, block.Header));
        var metadata = new Metadata { Value = value };
        metadata.Signatures.Add(new MetadataSignature { SignatureHeader = signatureHeader, Signature = ByteString.CopyFrom(signature) });
        block.Metadata.Metadata[(int)BlockMetadataIndex.Signatures] = metadata.ToByteString();
    }

    /// <summary>The consenter metadata a block carries (in its signed <c>OrdererBlockMetadata</c>), empty when none or unreadable.</summary>
    public static ByteString ConsenterMetadataOf(Block block)
    {
        ArgumentNullException.ThrowIfNull(block);
        try
        {
            var signatures = block.Metadata?.Metadata.ElementAtOrDefault((int)BlockMetadataIndex.Signatures);
            return signatures is null || signatures.IsEmpty
                ? ByteString.Empty
                : OrdererBlockMetadata.Parser.ParseFrom(Metadata.Parser.ParseFrom(signatures).Value).ConsenterMetadata;
        }
        catch (InvalidProtocolBufferException)
        {
            return ByteString.Empty;
        }
    }
}
