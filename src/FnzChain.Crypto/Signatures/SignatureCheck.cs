namespace FnzChain.Crypto.Signatures;

/// <summary>Why a signature was or was not accepted.</summary>
public enum SignatureStatus
{
    Valid,
    Malformed,
    HighS,
    Mismatch,
}

/// <summary>The outcome of checking one signature, with a one-line reason when it failed.</summary>
public readonly record struct SignatureCheck(SignatureStatus Status, string Reason)
{
    public static SignatureCheck Valid => new(SignatureStatus.Valid, string.Empty);

    public bool IsValid => Status == SignatureStatus.Valid;

    public static SignatureCheck Malformed(string reason) => new(SignatureStatus.Malformed, reason);

    public static SignatureCheck HighS() =>
        new(SignatureStatus.HighS, "signature has a high S value (not canonical low-S); Fabric-compatible signatures must be low-S");

    public static SignatureCheck Mismatch() =>
        new(SignatureStatus.Mismatch, "signature does not match the signed bytes and the signer's public key");
}
