using FnzChain.Chaincode;
using FnzChain.TransferAgency.Access;
using FnzChain.TransferAgency.Agreements;
using FnzChain.TransferAgency.State;

namespace FnzChain.TransferAgency;

/// <summary>Agreements: the SHA-256 of a signed document and its parties' verified signatures over that hash.</summary>
public sealed partial class TransferAgencyContract
{
    /// <summary>
    /// Registers a document's SHA-256 (64 hex digits) with at least one signature over it; each signature is verified
    /// against its certificate. Transfer agent or distributor.
    /// </summary>
    public async Task<Agreement> RegisterAgreement(string agreementId, string documentSha256, string title, List<AgreementSignature> signatures)
    {
        var caller = await AuthoriseAsync(nameof(RegisterAgreement), Role.TransferAgent, Role.Distributor);
        agreementId = Text.Id(agreementId, "agreement id");
        if (await State.ExistsAsync(Keys.Of(Keys.Agreement, agreementId)))
        {
            throw new ChaincodeException($"agreement {agreementId} already exists", 409);
        }

        var hash = DocumentHash(documentSha256);
        Check(signatures is { Count: > 0 }, "an agreement needs at least one signature over the document hash");
        var signers = new List<AgreementSigner>();
        foreach (var signature in signatures!)
        {
            AddSigner(signers, SignatureVerifier.Verify(signature, hash, Stub.Timestamp));
        }

        var agreement = new Agreement
        {
            AgreementId = agreementId,
            DocumentSha256 = Convert.ToHexStringLower(hash),
            Title = Text.Required(title, "agreement title"),
            RegisteredBy = caller.Id,
            RegisteredAt = Stub.Timestamp,
            Signers = signers,
        };
        await State.WriteAsync(Keys.Of(Keys.Agreement, agreementId), agreement);
        Emit("AgreementRegistered", agreement);
        return agreement;
    }

    /// <summary>Adds a further party's signature over the registered hash. Transfer agent or distributor.</summary>
    public async Task<Agreement> SignAgreement(string agreementId, AgreementSignature signature)
    {
        await AuthoriseAsync(nameof(SignAgreement), Role.TransferAgent, Role.Distributor);
        ArgumentNullException.ThrowIfNull(signature);
        var agreement = await AgreementAsync(agreementId);
        var signers = agreement.Signers.ToList();
        AddSigner(signers, SignatureVerifier.Verify(signature, Convert.FromHexString(agreement.DocumentSha256), Stub.Timestamp));
        agreement = agreement with { Signers = signers };
        await State.WriteAsync(Keys.Of(Keys.Agreement, agreementId), agreement);
        Emit("AgreementSigned", new { agreementId, signer = signers[^1] });
        return agreement;
    }

    /// <summary>Whether <paramref name="documentSha256"/> is the registered document's hash, and who signed it (any caller with a role).</summary>
    public async Task<AgreementVerification> VerifyAgreement(string agreementId, string documentSha256)
    {
        await AuthoriseAnyRoleAsync(nameof(VerifyAgreement));
        var agreement = await AgreementAsync(agreementId);
        var matches = string.Equals(Convert.ToHexStringLower(DocumentHash(documentSha256)), agreement.DocumentSha256, StringComparison.Ordinal);
        return new AgreementVerification(agreementId, matches, agreement.DocumentSha256, agreement.Signers);
    }

    private async Task<Agreement> AgreementAsync(string agreementId) =>
        await State.ReadAsync<Agreement>(Keys.Of(Keys.Agreement, agreementId)) ?? throw new ChaincodeException($"agreement {agreementId} does not exist", 404);

    private static byte[] DocumentHash(string hex) =>
        hex is { Length: 64 } && hex.All(char.IsAsciiHexDigit)
            ? Convert.FromHexString(hex)
            : throw new ChaincodeException("the document hash must be a SHA-256: 64 hexadecimal digits", 400);

    private static void AddSigner(List<AgreementSigner> signers, AgreementSigner signer)
    {
        if (signers.Any(s => s.CertificateSha256 == signer.CertificateSha256))
        {
            throw new ChaincodeException($"{signer.Subject} has already signed this agreement", 409);
        }

        signers.Add(signer);
    }
}
