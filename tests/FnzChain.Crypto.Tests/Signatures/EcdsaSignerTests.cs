using System.Security.Cryptography;
using FnzChain.Crypto.Signatures;

namespace FnzChain.Crypto.Tests.Signatures;

public sealed class EcdsaSignerTests
{
    [Test]
    public void Sign_always_produces_low_S_signatures_the_verifier_accepts()
    {
        using var signer = EcdsaSigner.Generate();
        using var verifier = EcdsaVerifier.FromSubjectPublicKeyInfo(signer.ExportSubjectPublicKeyInfo());
        Span<byte> fixedSignature = stackalloc byte[EcdsaSignature.FixedSize];
        for (var i = 0; i < 2000; i++)
        {
            var message = BitConverter.GetBytes(i);
            var der = signer.Sign(message);

            Assert.That(EcdsaSignature.TryDecodeDer(der, fixedSignature).Status, Is.EqualTo(SignatureStatus.Valid), $"iteration {i}");
            Assert.That(EcdsaSignature.IsLowS(fixedSignature[P256.ScalarSize..]), Is.True, $"iteration {i}");
            Assert.That(verifier.Verify(message, der), Is.EqualTo(SignatureCheck.Valid), $"iteration {i}");
        }
    }

    [Test]
    public void Signatures_verify_with_the_platform_DER_verifier()
    {
        using var signer = EcdsaSigner.Generate();
        var message = "fund order 42"u8.ToArray();

        var der = signer.Sign(message);

        Assert.That(signer.Key.VerifyData(message, der, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence), Is.True);
    }

    [Test]
    public void SignDigest_matches_Sign_over_the_message()
    {
        using var signer = EcdsaSigner.Generate();
        using var verifier = EcdsaVerifier.FromSubjectPublicKeyInfo(signer.ExportSubjectPublicKeyInfo());
        var message = "settle"u8.ToArray();
        Span<byte> der = stackalloc byte[EcdsaSignature.MaxDerSize];

        var written = signer.SignDigest(SHA256.HashData(message), der);

        Assert.That(verifier.Verify(message, der[..written]).IsValid, Is.True);
    }

    [Test]
    public void Sign_is_safe_to_call_from_many_threads_on_one_instance()
    {
        using var signer = EcdsaSigner.Generate();
        using var verifier = EcdsaVerifier.FromSubjectPublicKeyInfo(signer.ExportSubjectPublicKeyInfo());
        var failures = 0;

        Parallel.For(0, 2000, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(4, Environment.ProcessorCount * 2) }, i =>
        {
            var message = BitConverter.GetBytes(i);
            if (!verifier.Verify(message, signer.Sign(message)).IsValid)
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

        var ex = Assert.Throws<CryptographicException>(() => EcdsaSigner.FromKey(key));

        Assert.That(ex!.Message, Does.Contain("P384").IgnoreCase.Or.Contain("secp384r1"));
        Assert.That(ex.Message, Does.Contain("P-256"));
    }

    [Test]
    public void ExportPkcs8_round_trips_to_a_signer_with_the_same_public_key()
    {
        using var signer = EcdsaSigner.Generate();
        var key = ECDsa.Create();
        key.ImportPkcs8PrivateKey(signer.ExportPkcs8(), out _);

        using var copy = EcdsaSigner.FromKey(key);

        Assert.That(copy.ExportSubjectPublicKeyInfo(), Is.EqualTo(signer.ExportSubjectPublicKeyInfo()));
    }
}
