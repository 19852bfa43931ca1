namespace FnzChain.TransferAgency.Agreements;

/// <summary>A party's signature as submitted: its X.509 certificate (PEM) and its signature over the document's SHA-256 (base64).</summary>
public sealed record AgreementSignature(string CertificatePem, string Signature);

/// <summary>A verified signer as recorded: who, with which certificate, when.</summary>
public sealed record AgreementSigner(string Subject, string Issuer, string CertificateSha256, string Algorithm, DateTimeOffset SignedAt);

/// <summary>A registered document: its SHA-256 and the parties who signed that hash.</summary>
public sealed record Agreement
{
    public required string AgreementId { get; init; }
    public required string DocumentSha256 { get; init; }
    public required string Title { get; init; }
    public required string RegisteredBy { get; init; }
    public required DateTimeOffset RegisteredAt { get; init; }
    public required IReadOnlyList<AgreementSigner> Signers { get; init; }
}

/// <summary>The answer of <c>VerifyAgreement</c>.</summary>
public sealed record AgreementVerification(string AgreementId, bool Matches, string RegisteredSha256, IReadOnlyList<AgreementSigner> Signers);
