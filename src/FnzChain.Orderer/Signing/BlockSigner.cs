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
    /// <summary>Sets the block's <c>SIGNATURES</c> metadata (the block must have its five metadata slots).</summary>
    public void Sign(Block block, ulong lastConfigIndex)
    {
        ArgumentNullException.ThrowIfNull(block);
        var value = new OrdererBlockMetadata { LastConfig = new LastConfig { Index = lastConfigIndex } }.ToByteString();
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
}
