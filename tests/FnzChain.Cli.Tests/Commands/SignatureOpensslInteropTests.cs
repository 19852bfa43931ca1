using FnzChain.Crypto.Keys;
using FnzChain.Crypto.Signatures;

namespace FnzChain.Cli.Tests.Commands;

/// <summary>Signatures cross between FnzChain and openssl in both directions.</summary>
public sealed class SignatureOpensslInteropTests : CryptoFixture
{
    private const string Peer = Org1 + "/peers/peer0.org1.example.com";

    [Test]
    public async Task A_FnzChain_signature_verifies_with_openssl_dgst()
    {
        await GenerateAsync();
        var data = Folder.File("proposal.bin");
        await File.WriteAllBytesAsync(data, "endorse: transfer 100 units"u8.ToArray());
        var certificate = $"{Peer}/msp/signcerts/peer0.org1.example.com-cert.pem";
        var pubkey = await OpensslAsync(WorkDir, "x509", "-pubkey", "-noout", "-in", certificate);
        await File.WriteAllTextAsync(Folder.File("pub.pem"), pubkey.StandardOutput);

        using (var identity = SigningIdentityFiles.Load(Folder.File(Peer)))
        {
            await File.WriteAllBytesAsync(Folder.File("proposal.sig"), identity.Signer.Sign(await File.ReadAllBytesAsync(data)));
        }

        var result = await OpensslAsync(WorkDir, "dgst", "-sha256", "-verify", "pub.pem", "-signature", "proposal.sig", "proposal.bin");

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(result.StandardOutput, Does.Contain("Verified OK"));
    }

    // openssl does not normalise S, so about half its signatures are high-S: those must be rejected as HighS
    // and accepted once normalised; the low ones must be accepted as they are. Sixteen signatures make seeing
    // both kinds very likely, but the test holds whichever kinds appear.
    [Test]
    public async Task Openssl_signatures_verify_with_EcdsaVerifier_when_low_S_and_are_rejected_as_HighS_otherwise()
    {
        await GenerateAsync();
        using var certificate = PemFiles.ReadCertificate(Folder.File($"{Peer}/msp/signcerts/peer0.org1.example.com-cert.pem"));
        using var verifier = EcdsaVerifier.FromCertificate(certificate);
        var data = "block 12 data hash"u8.ToArray();
        await File.WriteAllBytesAsync(Folder.File("block.bin"), data);
        var seen = new Dictionary<SignatureStatus, int>();

        for (var i = 0; i < 16; i++)
        {
            var result = await OpensslAsync(WorkDir, "dgst", "-sha256", "-sign", $"{Peer}/msp/keystore/priv_sk", "-out", "block.sig", "block.bin");
            Assert.That(result.ExitCode, Is.Zero, result.ToString());
            var signature = await File.ReadAllBytesAsync(Folder.File("block.sig"));

            var check = verifier.Verify(data, signature);
            seen[check.Status] = seen.GetValueOrDefault(check.Status) + 1;
            Assert.That(check.Status, Is.AnyOf(SignatureStatus.Valid, SignatureStatus.HighS), check.Reason);

            var normalized = new byte[EcdsaSignature.MaxDerSize];
            Assert.That(EcdsaSignature.TryNormalizeLowS(signature, normalized, out var written), Is.True);
            Assert.That(verifier.Verify(data, normalized.AsSpan(0, written)), Is.EqualTo(SignatureCheck.Valid));
        }

        TestContext.Out.WriteLine($"openssl signatures: {string.Join(", ", seen.Select(p => $"{p.Key}={p.Value}"))}");
    }
}
