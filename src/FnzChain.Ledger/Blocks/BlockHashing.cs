using System.Formats.Asn1;
using System.Numerics;
using System.Security.Cryptography;
using FnzChain.Protos.Common;
using Google.Protobuf;

namespace FnzChain.Ledger.Blocks;

/// <summary>
/// The hashes that chain blocks, computed as Fabric v2.5 computes them (<c>protoutil.BlockHeaderHash</c> and
/// <c>ComputeBlockDataHash</c>), so blocks we cut verify in Fabric tools and theirs in ours.
/// </summary>
public static class BlockHashing
{
    /// <summary>SHA-256 of the header's DER encoding: SEQUENCE { INTEGER number, OCTET STRING previous_hash, OCTET STRING data_hash }.</summary>
    public static byte[] HeaderHash(BlockHeader header) => SHA256.HashData(HeaderBytes(header));

    /// <summary>The DER bytes the header hash is taken over (Go's <c>asn1.Marshal</c> of number, previous hash, data hash).</summary>
    public static byte[] HeaderBytes(BlockHeader header)
    {
        ArgumentNullException.ThrowIfNull(header);
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteInteger(new BigInteger(header.Number));
            writer.WriteOctetString(header.PreviousHash.Span);
            writer.WriteOctetString(header.DataHash.Span);
        }

        return writer.Encode();
    }

    /// <summary>SHA-256 over the concatenation of every data entry (the serialized envelopes), with no separators.</summary>
    public static byte[] DataHash(BlockData? data)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        if (data is not null)
        {
            foreach (var entry in data.Data)
            {
                hash.AppendData(entry.Span);
            }
        }

        return hash.GetHashAndReset();
    }

    /// <summary>What an orderer's block signature covers (Fabric): metadata value ‖ signature header ‖ the header's DER bytes.</summary>
    public static byte[] SignedBytes(ByteString value, ByteString signatureHeader, BlockHeader header)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(signatureHeader);
        return [.. value.Span, .. signatureHeader.Span, .. HeaderBytes(header)];
    }

    /// <summary>Lower-case hex of the first bytes of a hash, for messages.</summary>
    public static string Short(ReadOnlySpan<byte> hash) =>
        hash.IsEmpty ? "(empty)" : Convert.ToHexStringLower(hash[..Math.Min(8, hash.Length)]) + (hash.Length > 8 ? "…" : string.Empty);

    /// <summary>Lower-case hex of a whole hash.</summary>
    public static string Hex(ByteString hash) => Convert.ToHexStringLower(hash.Span);
}
