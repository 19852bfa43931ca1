using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using FnzChain.Crypto.Pki;
using FnzChain.Crypto.Signatures;
using FnzChain.Identity.Msp;
using FnzChain.Identity.Policies;

namespace FnzChain.Identity.Tests;

/// <summary>A settable clock for validity-period tests.</summary>
internal sealed class ManualTime(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}

/// <summary>An identity issued for a test: its serialized bytes and a signer for its key.</summary>
internal sealed record TestIdentity(string MspId, X509Certificate2 Certificate, byte[] Serialized, EcdsaSigner Signer)
{
    public SignedData Sign(byte[] data) => new(Serialized, data, Signer.Sign(data));
}

/// <summary>
/// CAs for Org1MSP, Org2MSP and Org3MSP (plus an outsider CA no MSP trusts) made with the project's own
/// <see cref="CertificateAuthority"/>, and identities with any node OU issued on demand.
/// </summary>
internal sealed class TestPki
{
    public static readonly DateTimeOffset Epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly Dictionary<string, CertificateAuthority> _cas = new();

    public TestPki(params string[] mspIds)
    {
        var time = new ManualTime(Epoch);
        foreach (var mspId in mspIds.Append("OutsiderMSP"))
        {
            _cas[mspId] = CertificateAuthority.CreateRoot(new CertificateSubject($"ca.{mspId.ToLowerInvariant()}") { Organization = mspId }, time: time);
        }
    }

    public CertificateAuthority Ca(string mspId) => _cas[mspId];

    public MspDefinition Definition(string mspId, params byte[][] crls) =>
        new() { MspId = mspId, RootCertificates = [Ca(mspId).Certificate], Crls = crls };

    public MspRegistry Registry(ManualTime? time = null, params string[] mspIds) =>
        new(mspIds.Select(id => Definition(id)), time ?? new ManualTime(Epoch.AddDays(1)));

    /// <summary>An identity of <paramref name="mspId"/> with node OU <paramref name="ou"/>, issued by <paramref name="issuerMspId"/>'s CA.</summary>
    public TestIdentity Issue(string mspId, string? ou, string? issuerMspId = null, TimeSpan? validity = null, string? name = null)
    {
        var signer = EcdsaSigner.Generate();
        var subject = new CertificateSubject(name ?? $"{ou ?? "nobody"}-{Guid.NewGuid():N}") { Organization = mspId, OrganizationalUnit = ou };
        var certificate = Ca(issuerMspId ?? mspId).IssueSigningCertificate(subject, signer.ExportSubjectPublicKeyInfo(), validity);
        return new TestIdentity(mspId, certificate, MspRegistry.Serialize(mspId, certificate), signer);
    }

    /// <summary>An identity with a P-384 key, signed by <paramref name="mspId"/>'s CA (which only a hand-built request can do).</summary>
    public X509Certificate2 IssueP384(string mspId)
    {
        var ca = Ca(mspId);
        using var caKey = ECDsa.Create();
        caKey.ImportPkcs8PrivateKey(ca.ExportPkcs8(), out _);
        using var caWithKey = ca.Certificate.CopyWithPrivateKey(caKey);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var request = new CertificateRequest($"CN=p384, OU=client, O={mspId}", key, HashAlgorithmName.SHA256);
        return request.Create(caWithKey, Epoch, Epoch.AddYears(1), [1, 2, 3, 4]);
    }
}
