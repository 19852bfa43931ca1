using FnzChain.Crypto.Signatures;

namespace FnzChain.Crypto.Tests.Signatures;

/// <summary>Strict DER decoding: every non-canonical variant of a valid signature is Malformed, never Mismatch.</summary>
public sealed class EcdsaSignatureDerTests
{
    private static readonly byte[] s_message = "block 7"u8.ToArray();

    private static IEnumerable<TestCaseData> MalformedVariants()
    {
        using var signer = EcdsaSigner.Generate();
        var der = signer.Sign(s_message);
        var (r, s) = Split(der);

        yield return Case("bad SEQUENCE tag", Replace(der, 0, 0x31), "SEQUENCE");
        yield return Case("SEQUENCE length too long", Replace(der, 1, (byte)(der[1] + 1)), "length");
        yield return Case("SEQUENCE length too short", Replace(der, 1, (byte)(der[1] - 1)), "length");
        yield return Case("r not an INTEGER", Replace(der, 2, 0x04), "INTEGER");
        yield return Case("r length runs past the end", Encode([0x02, (byte)(r.Length + 40), .. r], Integer(s)), "length");
        yield return Case("non-minimal r (extra leading zero)", Encode([0x02, 0x02, 0x00, 0x01], Integer(s)), "minimal");
        yield return Case("negative r", Encode([0x02, 0x01, 0x80], Integer(s)), "negative");
        yield return Case("trailing bytes", [.. der, 0x00], "length");
        yield return Case("trailing bytes inside the SEQUENCE", Encode(Integer(r), Integer(s), [0x00]), "trailing");
        yield return Case("r = 0", Encode([0x02, 0x01, 0x00], Integer(s)), "range");
        yield return Case("r = n", Encode(Integer(P256.Order.ToArray()), Integer(s)), "range");
        yield return Case("r > n", Encode(Integer([.. Enumerable.Repeat((byte)0xFF, 32)]), Integer(s)), "range");
        yield return Case("r wider than 256 bits", Encode([0x02, 0x21, 0x01, .. new byte[32]], Integer(s)), "256 bits");
        yield return Case("s missing", Encode(Integer(r)), "INTEGER");
        yield return Case("truncated", der[..^5], "length");
        yield return Case("empty", [], "0 bytes");
        yield return Case("too long", [.. der, .. new byte[80]], "bytes");
    }

    [TestCaseSource(nameof(MalformedVariants))]
    public void TryDecodeDer_rejects_malformed_signatures(byte[] der, string reasonFragment)
    {
        using var signer = EcdsaSigner.Generate();
        using var verifier = EcdsaVerifier.FromSubjectPublicKeyInfo(signer.ExportSubjectPublicKeyInfo());

        var check = verifier.Verify(s_message, der);

        Assert.That(check.Status, Is.EqualTo(SignatureStatus.Malformed));
        Assert.That(check.Reason, Does.Contain(reasonFragment).IgnoreCase);
    }

    [Test]
    public void EncodeDerLowS_of_a_high_S_value_gives_n_minus_s()
    {
        using var signer = EcdsaSigner.Generate();
        var der = signer.Sign(s_message);
        Span<byte> fixedSignature = stackalloc byte[EcdsaSignature.FixedSize];
        EcdsaSignature.TryDecodeDer(der, fixedSignature);
        var low = new System.Numerics.BigInteger(fixedSignature[32..], isUnsigned: true, isBigEndian: true);
        var n = new System.Numerics.BigInteger(P256.Order, isUnsigned: true, isBigEndian: true);

        var twin = EcdsaSignature.Flip(der);
        EcdsaSignature.TryDecodeDer(twin, fixedSignature);
        var high = new System.Numerics.BigInteger(fixedSignature[32..], isUnsigned: true, isBigEndian: true);

        Assert.That(high, Is.EqualTo(n - low));
        Assert.That(EcdsaSignature.Flip(twin), Is.EqualTo(der));
    }

    private static TestCaseData Case(string name, byte[] der, string reason) => new TestCaseData(der, reason).SetName($"TryDecodeDer_rejects_{name.Replace(' ', '_')}");

    private static byte[] Replace(byte[] der, int index, byte value)
    {
        var copy = (byte[])der.Clone();
        copy[index] = value;
        return copy;
    }

    private static byte[] Encode(params byte[][] parts)
    {
        var body = parts.SelectMany(p => p).ToArray();
        return [0x30, (byte)body.Length, .. body];
    }

    private static byte[] Integer(byte[] magnitude)
    {
        var trimmed = magnitude.SkipWhile(b => b == 0).ToArray();
        byte[] value = trimmed.Length == 0 ? [0] : trimmed[0] >= 0x80 ? [0, .. trimmed] : trimmed;
        return [0x02, (byte)value.Length, .. value];
    }

    private static (byte[] R, byte[] S) Split(byte[] der)
    {
        var rLength = der[3];
        var r = der.AsSpan(4, rLength).ToArray();
        var sLength = der[5 + rLength];
        var s = der.AsSpan(6 + rLength, sLength).ToArray();
        return (r.SkipWhile(b => b == 0).ToArray(), s.SkipWhile(b => b == 0).ToArray());
    }
}
