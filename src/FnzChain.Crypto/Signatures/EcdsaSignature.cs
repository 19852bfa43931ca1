namespace FnzChain.Crypto.Signatures;

/// <summary>
/// The DER form of an ECDSA P-256 signature, <c>SEQUENCE { INTEGER r, INTEGER s }</c>, as Fabric puts it on the
/// wire. Decoding is strict (minimal lengths, minimal integers, no trailing bytes) and the canonical form is
/// low-S: of the two valid signatures (r, s) and (r, n - s), only the one with s &lt;= n/2 is accepted, so a
/// signature cannot be altered into a second valid one (signature malleability).
/// </summary>
public static class EcdsaSignature
{
    /// <summary>Largest DER signature for P-256: 2 + 2 * (2 + 33).</summary>
    public const int MaxDerSize = 72;

    /// <summary>Size of the fixed-width r ‖ s form (IEEE P1363) that platform APIs use.</summary>
    public const int FixedSize = 2 * P256.ScalarSize;

    /// <summary>
    /// Decodes a DER signature into its fixed-width r ‖ s form (64 bytes), checking it is canonical DER,
    /// that 0 &lt; r, s &lt; n, and that s is low.
    /// </summary>
    public static SignatureCheck TryDecodeDer(ReadOnlySpan<byte> der, Span<byte> fixedDestination)
    {
        if (fixedDestination.Length < FixedSize)
        {
            throw new ArgumentException($"destination must hold {FixedSize} bytes", nameof(fixedDestination));
        }

        if (der.Length < 8 || der.Length > MaxDerSize)
        {
            return SignatureCheck.Malformed($"signature is {der.Length} bytes; a DER P-256 signature has 8 to {MaxDerSize}");
        }

        if (der[0] != 0x30)
        {
            return SignatureCheck.Malformed("signature does not start with a DER SEQUENCE");
        }

        // Short-form length only: a P-256 signature body is at most 70 bytes.
        if (der[1] != der.Length - 2)
        {
            return SignatureCheck.Malformed($"DER SEQUENCE length {der[1]} does not match the {der.Length - 2} bytes that follow");
        }

        var rest = der[2..];
        if (!TryReadInteger(ref rest, "r", fixedDestination[..P256.ScalarSize], out var rError))
        {
            return SignatureCheck.Malformed(rError);
        }

        if (!TryReadInteger(ref rest, "s", fixedDestination.Slice(P256.ScalarSize, P256.ScalarSize), out var sError))
        {
            return SignatureCheck.Malformed(sError);
        }

        if (!rest.IsEmpty)
        {
            return SignatureCheck.Malformed($"{rest.Length} trailing bytes after the DER signature");
        }

        if (!IsLowS(fixedDestination.Slice(P256.ScalarSize, P256.ScalarSize)))
        {
            return SignatureCheck.HighS();
        }

        return SignatureCheck.Valid;
    }

    /// <summary>Encodes a fixed-width r ‖ s signature as DER, replacing s by n - s when s is high.</summary>
    public static int EncodeDerLowS(ReadOnlySpan<byte> fixedSignature, Span<byte> destination)
    {
        if (fixedSignature.Length != FixedSize)
        {
            throw new ArgumentException($"a P-256 signature in r‖s form is {FixedSize} bytes", nameof(fixedSignature));
        }

        Span<byte> s = stackalloc byte[P256.ScalarSize];
        fixedSignature.Slice(P256.ScalarSize).CopyTo(s);
        if (!IsLowS(s))
        {
            NegateModOrder(s);
        }

        var r = TrimLeadingZeros(fixedSignature[..P256.ScalarSize]);
        var sTrimmed = TrimLeadingZeros(s);
        var rLength = r.Length + (r[0] >= 0x80 ? 1 : 0);
        var sLength = sTrimmed.Length + (sTrimmed[0] >= 0x80 ? 1 : 0);
        var total = 2 + 2 + rLength + 2 + sLength;
        if (destination.Length < total)
        {
            throw new ArgumentException($"destination must hold {total} bytes", nameof(destination));
        }

        var position = 0;
        destination[position++] = 0x30;
        destination[position++] = (byte)(total - 2);
        position += WriteInteger(r, rLength, destination[position..]);
        position += WriteInteger(sTrimmed, sLength, destination[position..]);
        return position;
    }

    /// <summary>
    /// Rewrites a strictly valid DER signature into its low-S twin (unchanged when already low). Other tools
    /// (openssl, Go before Fabric's normalisation) emit high S half of the time; this is how to make their
    /// signatures acceptable. Returns false, with <paramref name="written"/> 0, when the DER is malformed.
    /// </summary>
    public static bool TryNormalizeLowS(ReadOnlySpan<byte> der, Span<byte> destination, out int written)
    {
        Span<byte> fixedSignature = stackalloc byte[FixedSize];
        var decoded = TryDecodeDer(der, fixedSignature);
        if (decoded.Status is not (SignatureStatus.Valid or SignatureStatus.HighS))
        {
            written = 0;
            return false;
        }

        written = EncodeDerLowS(fixedSignature, destination);
        return true;
    }

    /// <summary>The twin (r, n - s) of a signature: valid for the same message, opposite S half. For tests and tools.</summary>
    public static byte[] Flip(ReadOnlySpan<byte> der)
    {
        Span<byte> fixedSignature = stackalloc byte[FixedSize];
        var decoded = TryDecodeDer(der, fixedSignature);
        if (decoded.Status is not (SignatureStatus.Valid or SignatureStatus.HighS))
        {
            throw new ArgumentException(decoded.Reason, nameof(der));
        }

        NegateModOrder(fixedSignature[P256.ScalarSize..]);
        var r = TrimLeadingZeros(fixedSignature[..P256.ScalarSize]);
        var s = TrimLeadingZeros(fixedSignature[P256.ScalarSize..]);
        var rLength = r.Length + (r[0] >= 0x80 ? 1 : 0);
        var sLength = s.Length + (s[0] >= 0x80 ? 1 : 0);
        var result = new byte[2 + 2 + rLength + 2 + sLength];
        result[0] = 0x30;
        result[1] = (byte)(result.Length - 2);
        var position = 2 + WriteInteger(r, rLength, result.AsSpan(2));
        WriteInteger(s, sLength, result.AsSpan(position));
        return result;
    }

    /// <summary>True when the big-endian scalar s is at most n/2.</summary>
    public static bool IsLowS(ReadOnlySpan<byte> s) => s.SequenceCompareTo(P256.HalfOrder) <= 0;

    private static bool TryReadInteger(ref ReadOnlySpan<byte> input, string name, Span<byte> fixedDestination, out string error)
    {
        error = string.Empty;
        if (input.Length < 3 || input[0] != 0x02)
        {
            error = $"DER signature: {name} is not an INTEGER";
            return false;
        }

        int length = input[1];
        if (length == 0 || length > P256.ScalarSize + 1 || input.Length < 2 + length)
        {
            error = $"DER signature: {name} has an invalid length {length}";
            return false;
        }

        var value = input.Slice(2, length);
        if ((value[0] & 0x80) != 0)
        {
            error = $"DER signature: {name} is negative";
            return false;
        }

        if (value.Length > 1 && value[0] == 0 && (value[1] & 0x80) == 0)
        {
            error = $"DER signature: {name} is not minimally encoded";
            return false;
        }

        var magnitude = value[0] == 0 ? value[1..] : value;
        if (magnitude.Length > P256.ScalarSize)
        {
            error = $"DER signature: {name} is wider than 256 bits";
            return false;
        }

        fixedDestination.Clear();
        magnitude.CopyTo(fixedDestination[(P256.ScalarSize - magnitude.Length)..]);
        if (fixedDestination.IndexOfAnyExcept((byte)0) < 0 || fixedDestination.SequenceCompareTo(P256.Order) >= 0)
        {
            error = $"DER signature: {name} is not in the range 1..n-1";
            return false;
        }

        input = input[(2 + length)..];
        return true;
    }

    private static int WriteInteger(ReadOnlySpan<byte> magnitude, int encodedLength, Span<byte> destination)
    {
        destination[0] = 0x02;
        destination[1] = (byte)encodedLength;
        var offset = 2;
        if (encodedLength > magnitude.Length)
        {
            destination[offset++] = 0;
        }

        magnitude.CopyTo(destination[offset..]);
        return offset + magnitude.Length;
    }

    private static ReadOnlySpan<byte> TrimLeadingZeros(ReadOnlySpan<byte> value)
    {
        var first = value.IndexOfAnyExcept((byte)0);
        return first < 0 ? value[^1..] : value[first..];
    }

    // s := n - s, big-endian with borrow: no BigInteger, so signing does not allocate for the half of
    // signatures that come out high.
    private static void NegateModOrder(Span<byte> s)
    {
        var order = P256.Order;
        var borrow = 0;
        for (var i = P256.ScalarSize - 1; i >= 0; i--)
        {
            var difference = order[i] - s[i] - borrow;
            borrow = difference < 0 ? 1 : 0;
            s[i] = (byte)(difference + (borrow << 8));
        }
    }
}
