using System.Security.Cryptography.X509Certificates;
using FnzChain.Crypto.Keys;

namespace FnzChain.Identity.Msp;

/// <summary>
/// What a channel knows of one organisation's MSP: its id, the CAs whose certificates it accepts, the CRLs of
/// those CAs, and whether roles come from node OUs. Loaded from a cryptogen-style <c>msp</c> folder or,
/// later, from channel configuration.
/// </summary>
public sealed record MspDefinition
{
    public required string MspId { get; init; }

    public required IReadOnlyList<X509Certificate2> RootCertificates { get; init; }

    public IReadOnlyList<X509Certificate2> IntermediateCertificates { get; init; } = [];

    /// <summary>DER-encoded CRLs, each signed by one of the root or intermediate CAs.</summary>
    public IReadOnlyList<byte[]> Crls { get; init; } = [];

    public IReadOnlyList<X509Certificate2> TlsRootCertificates { get; init; } = [];

    public IReadOnlyList<X509Certificate2> TlsIntermediateCertificates { get; init; } = [];

    /// <summary>When true (cryptogen's default), every identity must carry one of the node OUs.</summary>
    public bool NodeOusEnabled { get; init; } = true;

    /// <summary>
    /// Loads <paramref name="mspFolder"/> laid out as Fabric's cryptogen writes it: <c>cacerts/</c> (required),
    /// <c>intermediatecerts/</c>, <c>crls/</c>, <c>tlscacerts/</c>, <c>tlsintermediatecerts/</c> (optional).
    /// Each bad file fails with a one-line message naming it.
    /// </summary>
    public static MspDefinition LoadFolder(string mspFolder, string mspId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(mspId);
        if (!Directory.Exists(mspFolder))
        {
            throw new MspException($"MSP folder {mspFolder} does not exist");
        }

        var roots = ReadCertificates(Path.Combine(mspFolder, "cacerts"));
        if (roots.Count == 0)
        {
            throw new MspException($"MSP folder {mspFolder} has no CA certificate in cacerts/");
        }

        return new MspDefinition
        {
            MspId = mspId,
            RootCertificates = roots,
            IntermediateCertificates = ReadCertificates(Path.Combine(mspFolder, "intermediatecerts")),
            Crls = PemFilesIn(Path.Combine(mspFolder, "crls")).Select(PemFiles.ReadCrl).ToList(),
            TlsRootCertificates = ReadCertificates(Path.Combine(mspFolder, "tlscacerts")),
            TlsIntermediateCertificates = ReadCertificates(Path.Combine(mspFolder, "tlsintermediatecerts")),
        };
    }

    private static List<X509Certificate2> ReadCertificates(string folder) =>
        PemFilesIn(folder).SelectMany(PemFiles.ReadCertificates).ToList();

    private static IEnumerable<string> PemFilesIn(string folder) =>
        Directory.Exists(folder)
            ? Directory.EnumerateFiles(folder).Where(f => !Path.GetFileName(f).StartsWith('.')).Order(StringComparer.Ordinal)
            : [];
}
