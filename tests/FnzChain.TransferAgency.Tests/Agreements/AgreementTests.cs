using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using FnzChain.Chaincode;
using FnzChain.TransferAgency.Agreements;
using static FnzChain.TransferAgency.Tests.TransferAgencyLedger;

namespace FnzChain.TransferAgency.Tests.Agreements;

/// <summary>Agreements: a document's SHA-256 with signatures verified against the signers' certificates.</summary>
public sealed class AgreementTests
{
    private static readonly byte[] Document = Encoding.UTF8.GetBytes("Distribution agreement between TA Ltd and Distributor One, 2 March 2026");
    private static readonly string DocumentHash = Convert.ToHexStringLower(SHA256.HashData(Document));

    [Test]
    public async Task An_agreement_registers_signatures_over_the_document_hash_and_verifies_it()
    {
        var ledger = await new TransferAgencyLedger().WithFundAndAccountsAsync();
        using var ta = Signer("CN=Head of TA, O=TA Ltd");
        using var distributor = Signer("CN=COO, O=Distributor One");

        await ledger.OkAsync(Ta, "RegisterAgreement", "AGR-1", DocumentHash, "Distribution agreement", Signatures(Sign(ta, DocumentHash)));
        await ledger.OkAsync(Distributor1, "SignAgreement", "AGR-1", JsonSerializer.Serialize(Sign(distributor, DocumentHash), ContractDispatcher.Json));
        var verified = await ledger.OkAsync<AgreementVerification>(Distributor2, "VerifyAgreement", "AGR-1", DocumentHash);
        var tampered = await ledger.OkAsync<AgreementVerification>(Distributor2, "VerifyAgreement", "AGR-1", Convert.ToHexStringLower(SHA256.HashData([.. Document, 0x20])));

        Assert.That((verified.Matches, tampered.Matches), Is.EqualTo((true, false)));
        Assert.That(verified.Signers.Select(s => s.Subject), Is.EqualTo(new[] { "CN=Head of TA, O=TA Ltd", "CN=COO, O=Distributor One" }));
    }

    [Test]
    public async Task A_signature_over_another_document_is_refused()
    {
        var ledger = await new TransferAgencyLedger().WithFundAndAccountsAsync();
        using var ta = Signer("CN=Head of TA, O=TA Ltd");
        var otherHash = Convert.ToHexStringLower(SHA256.HashData("another document"u8));

        var refused = await ledger.InvokeAsync(Ta, "RegisterAgreement", "AGR-1", DocumentHash, "Distribution agreement", Signatures(Sign(ta, otherHash)));

        Assert.That((refused.Status, refused.Message), Is.EqualTo((400, "the signature of CN=Head of TA, O=TA Ltd is not over this document hash")));
    }

    [Test]
    public async Task The_same_signer_cannot_sign_twice()
    {
        var ledger = await new TransferAgencyLedger().WithFundAndAccountsAsync();
        using var ta = Signer("CN=Head of TA, O=TA Ltd");
        await ledger.OkAsync(Ta, "RegisterAgreement", "AGR-1", DocumentHash, "Distribution agreement", Signatures(Sign(ta, DocumentHash)));

        var refused = await ledger.InvokeAsync(Ta, "SignAgreement", "AGR-1", JsonSerializer.Serialize(Sign(ta, DocumentHash), ContractDispatcher.Json));

        Assert.That(refused.Message, Is.EqualTo("CN=Head of TA, O=TA Ltd has already signed this agreement"));
    }

    [TestCase("abc", "the document hash must be a SHA-256: 64 hexadecimal digits")]
    public async Task A_malformed_hash_is_refused(string hash, string message)
    {
        var ledger = await new TransferAgencyLedger().WithFundAndAccountsAsync();

        var refused = await ledger.InvokeAsync(Ta, "RegisterAgreement", "AGR-1", hash, "Distribution agreement", "[]");

        Assert.That(refused.Message, Is.EqualTo(message));
    }

    [Test]
    public async Task An_agreement_needs_a_signature()
    {
        var ledger = await new TransferAgencyLedger().WithFundAndAccountsAsync();

        var refused = await ledger.InvokeAsync(Ta, "RegisterAgreement", "AGR-1", DocumentHash, "Distribution agreement", "[]");

        Assert.That(refused.Message, Is.EqualTo("an agreement needs at least one signature over the document hash"));
    }

    private static string Signatures(params AgreementSignature[] signatures) => JsonSerializer.Serialize(signatures, ContractDispatcher.Json);

    private static AgreementSignature Sign((ECDsa Key, X509Certificate2 Certificate) signer, string hashHex) =>
        new(signer.Certificate.ExportCertificatePem(), Convert.ToBase64String(signer.Key.SignHash(Convert.FromHexString(hashHex), DSASignatureFormat.Rfc3279DerSequence)));

    private static SignerKey Signer(string subject)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var certificate = new CertificateRequest(subject, key, HashAlgorithmName.SHA256).CreateSelfSigned(DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddYears(100));
        return new SignerKey(key, certificate);
    }

    private sealed record SignerKey(ECDsa Key, X509Certificate2 Certificate) : IDisposable
    {
        public static implicit operator (ECDsa, X509Certificate2)(SignerKey signer) => (signer.Key, signer.Certificate);

        public void Dispose()
        {
            Key.Dispose();
            Certificate.Dispose();
        }
    }
}
