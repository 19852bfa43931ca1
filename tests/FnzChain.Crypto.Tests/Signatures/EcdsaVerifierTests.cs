using System.Security.Cryptography;
using FnzChain.Crypto.Signatures;

namespace FnzChain.Crypto.Tests.Signatures;

public sealed class EcdsaVerifierTests
{
    private static readonly byte[] s_message = "transfer 100 units of fund A to investor 7"u8.ToArray();

    private EcdsaSigner _signer = null!;
    private EcdsaVerifier _verifier = null!;
    private byte[] _signature = null!;

    [SetUp]
    public void SetUp()
    {
        _signer = EcdsaSigner.Generate();
        _verifier = EcdsaVerifier.FromSubjectPublicKeyInfo(_signer.ExportSubjectPublicKeyInfo());
        _signature = _signer.Sign(s_message);
    }

    [TearDown]
    public void TearDown()
    {
        _signer.Dispose();
        _verifier.Dispose();
    }

    [Test]
    public void Verify_accepts_a_low_S_signature()
    {
        Assert.That(_verifier.Verify(s_message, _signature), Is.EqualTo(SignatureCheck.Valid));
    }

    [Test]
    public void Verify_rejects_the_high_S_twin_as_HighS()
    {
        var twin = EcdsaSignature.Flip(_signature);

        // The twin is a mathematically valid ECDSA signature: only the low-S rule rejects it.
        Assert.That(_signer.Key.VerifyData(s_message, twin, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence), Is.True);
        Assert.That(_verifier.Verify(s_message, twin).Status, Is.EqualTo(SignatureStatus.HighS));
    }

    [Test]
    public void TryNormalizeLowS_turns_the_high_S_twin_back_into_the_original()
    {
        var twin = EcdsaSignature.Flip(_signature);
        Span<byte> normalized = stackalloc byte[EcdsaSignature.MaxDerSize];

        Assert.That(EcdsaSignature.TryNormalizeLowS(twin, normalized, out var written), Is.True);
        Assert.That(normalized[..written].ToArray(), Is.EqualTo(_signature));
    }

    [Test]
    public void Verify_rejects_a_signature_over_other_bytes_as_Mismatch()
    {
        var check = _verifier.Verify("transfer 999 units"u8, _signature);

        Assert.That(check.Status, Is.EqualTo(SignatureStatus.Mismatch));
        Assert.That(check.Reason, Is.Not.Empty);
    }

    [Test]
    public void Verify_rejects_a_signature_from_another_key_as_Mismatch()
    {
        using var other = EcdsaSigner.Generate();

        Assert.That(_verifier.Verify(s_message, other.Sign(s_message)).Status, Is.EqualTo(SignatureStatus.Mismatch));
    }

    [Test]
    public void VerifyDigest_accepts_the_signature_over_the_digest()
    {
        Assert.That(_verifier.VerifyDigest(SHA256.HashData(s_message), _signature).IsValid, Is.True);
    }

    [Test]
    public void Verify_is_safe_to_call_from_many_threads_on_one_instance()
    {
        var messages = Enumerable.Range(0, 64).Select(i => BitConverter.GetBytes(i)).ToArray();
        var signatures = messages.Select(m => _signer.Sign(m)).ToArray();
        var failures = 0;

        Parallel.For(0, 4000, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(4, Environment.ProcessorCount * 2) }, i =>
        {
            var index = i % messages.Length;
            if (!_verifier.Verify(messages[index], signatures[index]).IsValid
                || _verifier.Verify(messages[(index + 1) % messages.Length], signatures[index]).Status != SignatureStatus.Mismatch)
            {
                Interlocked.Increment(ref failures);
            }
        });

        Assert.That(failures, Is.Zero);
    }

    [Test]
    public void FromKey_rejects_a_P384_key_naming_the_curve()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);

        var ex = Assert.Throws<CryptographicException>(() => EcdsaVerifier.FromKey(key));

        Assert.That(ex!.Message, Does.Contain("P384").IgnoreCase.Or.Contain("secp384r1"));
    }

    [Test]
    public void FromSubjectPublicKeyInfo_rejects_a_P384_key_naming_the_curve()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);

        var ex = Assert.Throws<CryptographicException>(() => EcdsaVerifier.FromSubjectPublicKeyInfo(key.ExportSubjectPublicKeyInfo()));

        Assert.That(ex!.Message, Does.Contain("P384").IgnoreCase.Or.Contain("secp384r1"));
    }

    [Test]
    public void FromSubjectPublicKeyInfo_rejects_bytes_that_are_not_a_key()
    {
        Assert.Throws<CryptographicException>(() => EcdsaVerifier.FromSubjectPublicKeyInfo([0x30, 0x03, 0x02, 0x01, 0x01]));
    }
}
