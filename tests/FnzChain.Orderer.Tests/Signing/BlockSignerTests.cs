using FnzChain.Crypto.Keys;
using FnzChain.Identity.Msp;
using FnzChain.Ledger.Blocks;
using FnzChain.Orderer.Signing;
using FnzChain.Protos.Common;
using FnzChain.Tests.Shared;
using Google.Protobuf;

namespace FnzChain.Orderer.Tests.Signing;

/// <summary>Where a consenter's metadata goes in a block: signed, in OrdererBlockMetadata (Fabric 2.x), and in the ORDERER slot (Fabric 1.x's Kafka).</summary>
public sealed class BlockSignerTests
{
    private TwoOrgCrypto _crypto = null!;

    [OneTimeSetUp]
    public void SetUp() => _crypto = new TwoOrgCrypto("fnzchain-blocksigner-");

    [OneTimeTearDown]
    public void TearDown() => _crypto.Dispose();

    [Test]
    public void Consenter_metadata_is_signed_with_the_last_config_and_read_back()
    {
        using var orderer = SigningIdentityFiles.Load(_crypto.Msp("example.com", "orderers/orderer.example.com"));
        var signer = new BlockSigner(MspRegistry.Serialize("OrdererMSP", orderer.Certificate), orderer.Signer);
        var block = BlockFactory.Create(7, new byte[32], [ByteString.CopyFromUtf8("tx")]);
        var offsets = ByteString.CopyFromUtf8("last offset 41");

        signer.Sign(block, 3, offsets);

        var signatures = Metadata.Parser.ParseFrom(block.Metadata.Metadata[(int)BlockMetadataIndex.Signatures]);
        var value = OrdererBlockMetadata.Parser.ParseFrom(signatures.Value);
        Assert.Multiple(() =>
        {
            Assert.That(value.LastConfig.Index, Is.EqualTo(3UL));
            Assert.That(value.ConsenterMetadata, Is.EqualTo(offsets));
            Assert.That(BlockSigner.ConsenterMetadataOf(block), Is.EqualTo(offsets));
            Assert.That(Metadata.Parser.ParseFrom(block.Metadata.Metadata[3]).Value, Is.EqualTo(offsets), "the ORDERER slot, as Fabric 1.x's Kafka consenter wrote it");
        });
    }

    [Test]
    public void A_block_without_consenter_metadata_reads_back_empty()
    {
        using var orderer = SigningIdentityFiles.Load(_crypto.Msp("example.com", "orderers/orderer.example.com"));
        var block = BlockFactory.Create(1, new byte[32], [ByteString.CopyFromUtf8("tx")]);

        new BlockSigner(MspRegistry.Serialize("OrdererMSP", orderer.Certificate), orderer.Signer).Sign(block, 0);

        Assert.That(BlockSigner.ConsenterMetadataOf(block).IsEmpty, Is.True);
        Assert.That(block.Metadata.Metadata[3].IsEmpty, Is.True);
        Assert.That(BlockSigner.ConsenterMetadataOf(new Block()).IsEmpty, Is.True, "a block with no metadata at all");
    }
}
