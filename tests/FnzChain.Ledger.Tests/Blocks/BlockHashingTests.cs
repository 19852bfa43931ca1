using FnzChain.Ledger.Blocks;
using FnzChain.Protos.Common;
using Google.Protobuf;

namespace FnzChain.Ledger.Tests.Blocks;

public sealed class BlockHashingTests
{
    [Test]
    public void Header_bytes_are_the_der_sequence_fabric_hashes()
    {
        var header = new BlockHeader { Number = 1, PreviousHash = ByteString.CopyFrom(1, 2), DataHash = ByteString.CopyFrom(3) };

        Assert.That(BlockHashing.HeaderBytes(header), Is.EqualTo(new byte[] { 0x30, 0x0a, 0x02, 0x01, 0x01, 0x04, 0x02, 0x01, 0x02, 0x04, 0x01, 0x03 }));
    }

    [TestCase(0UL, new byte[] { 0x02, 0x01, 0x00 })]
    [TestCase(127UL, new byte[] { 0x02, 0x01, 0x7f })]
    [TestCase(128UL, new byte[] { 0x02, 0x02, 0x00, 0x80 })]
    [TestCase(ulong.MaxValue, new byte[] { 0x02, 0x09, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff })]
    public void Header_number_is_a_minimal_positive_der_integer(ulong number, byte[] integer)
    {
        var bytes = BlockHashing.HeaderBytes(new BlockHeader { Number = number });

        Assert.That(bytes[2..^4], Is.EqualTo(integer));
        Assert.That(bytes[^4..], Is.EqualTo(new byte[] { 0x04, 0x00, 0x04, 0x00 }), "empty hashes are empty octet strings");
    }

    [Test]
    public void Data_hash_is_sha256_of_the_concatenated_envelopes()
    {
        var data = new BlockData();
        data.Data.Add(ByteString.CopyFromUtf8("ab"));
        data.Data.Add(ByteString.CopyFromUtf8("c"));

        Assert.That(BlockHashing.DataHash(data), Is.EqualTo(System.Security.Cryptography.SHA256.HashData("abc"u8)));
    }
}
