using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using FnzChain.Crypto.Signatures;
using Org.BouncyCastle.X509;
using BcCertificate = Org.BouncyCastle.X509.X509Certificate;

namespace FnzChain.Identity.Msp;

/// <summary>
/// One organisation's MSP: decides whether a certificate is a valid identity of it (chain to its CAs, validity
/// period, revocation by its CRLs, a P-256 key, a node-OU role). Built once per definition; immutable and safe
/// to share. Certificates are validated here; caching of validated identities is the registry's job.
/// </summary>
public sealed class MemberServiceProvider
{
    private const string OrganizationalUnitOid = "2.5.4.11";

    private readonly X509Certificate2Collection _roots = [];
    private readonly X509Certificate2Collection _intermediates = [];

    // Revoked serial numbers (lower-case hex, no leading zeros) per issuing CA (subject DER as hex).
    private readonly FrozenDictionary<string, FrozenSet<string>> _revokedByIssuer;

    public MemberServiceProvider(MspDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        Definition = definition;
        foreach (var root in definition.RootCertificates)
        {
            EnsureCa(root, "root CA");
            if (!root.SubjectName.RawData.AsSpan().SequenceEqual(root.IssuerName.RawData) || !IsSignedBy(root, root))
            {
                throw new MspException($"{MspId}: root CA '{root.Subject}' is not self-signed");
            }

            _roots.Add(root);
        }

        foreach (var intermediate in definition.IntermediateCertificates)
        {
            EnsureCa(intermediate, "intermediate CA");
            _intermediates.Add(intermediate);
        }

        _revokedByIssuer = LoadCrls(definition.Crls);
    }

    public MspDefinition Definition { get; }

    public string MspId => Definition.MspId;

    /// <summary>
    /// Validates <paramref name="certificate"/> as an identity of this MSP at time <paramref name="now"/>. Total: a
    /// certificate that .NET cannot read in full (a corrupt validity date, a malformed extension or name, an
    /// unsupported key) is refused with a reason like any other, never an exception — identities come from the
    /// network, and a validator that throws would stop a peer on a block.
    /// </summary>
    public IdentityResult Validate(X509Certificate2 certificate, byte[] serialized, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        try
        {
            return ValidateCore(certificate, serialized, now);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return IdentityResult.Invalid($"{NameOf(certificate)} of {MspId} cannot be read: {OneLine(e)}", IdentityRejection.Malformed);
        }
    }

    private IdentityResult ValidateCore(X509Certificate2 certificate, byte[] serialized, DateTimeOffset now)
    {
        var name = NameOf(certificate);
        if (IsCa(certificate))
        {
            return IdentityResult.Invalid($"{name} is a CA certificate and cannot be used as an identity of {MspId}", IdentityRejection.Untrusted);
        }

        var periodError = CheckValidityPeriod(certificate, now);
        if (periodError is not null)
        {
            return IdentityResult.Invalid(periodError, IdentityRejection.OutsideValidity);
        }

        var issuer = BuildChain(certificate, now, out var chainError, out var chainRejection);
        if (issuer is null)
        {
            return IdentityResult.Invalid(chainError, chainRejection);
        }

        if (IsRevoked(issuer, certificate))
        {
            return IdentityResult.Invalid($"{name} (serial 0x{SerialHex(certificate.SerialNumberBytes.Span)}) is revoked by {MspId}'s CRL", IdentityRejection.Revoked);
        }

        var organizationalUnits = OrganizationalUnitsOf(certificate);
        var roles = MspRoles.Member;
        if (Definition.NodeOusEnabled)
        {
            var nodeRoles = organizationalUnits.Select(NodeOus.RoleOf).Where(r => r != MspRoles.None).Distinct().ToList();
            if (nodeRoles.Count != 1)
            {
                var found = nodeRoles.Count == 0 ? "none" : string.Join(", ", nodeRoles);
                return IdentityResult.Invalid(
                    $"{name} must carry exactly one node OU (client, peer, admin or orderer) to be an identity of {MspId}; found {found}", IdentityRejection.NotAnIdentity);
            }

            roles |= nodeRoles[0];
        }

        EcdsaVerifier verifier;
        try
        {
            verifier = EcdsaVerifier.FromCertificate(certificate);
        }
        catch (CryptographicException ex)
        {
            return IdentityResult.Invalid($"{name}: {ex.Message}", IdentityRejection.NotAnIdentity);
        }

        return IdentityResult.Valid(new ValidatedIdentity(MspId, certificate, serialized, roles, organizationalUnits, verifier));
    }

    /// <summary>"certificate 'subject'", or "certificate (serial …)" when even the subject cannot be read.</summary>
    private static string NameOf(X509Certificate2 certificate)
    {
        try
        {
            return $"certificate '{certificate.Subject}'";
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return "certificate (unreadable subject)";
        }
    }

    /// <summary>An exception as one line: its type and first line of message (a reason, not a trace).</summary>
    internal static string OneLine(Exception e)
    {
        var message = e.Message.ReplaceLineEndings(" ").Trim();
        return message.Length > 200 ? $"{e.GetType().Name}: {message[..200]}…" : $"{e.GetType().Name}: {message}";
    }

    /// <summary>Null when <paramref name="certificate"/> is inside its validity period at <paramref name="now"/>.</summary>
    internal static string? CheckValidityPeriod(X509Certificate2 certificate, DateTimeOffset now)
    {
        var notBefore = new DateTimeOffset(certificate.NotBefore.ToUniversalTime());
        var notAfter = new DateTimeOffset(certificate.NotAfter.ToUniversalTime());
        if (now < notBefore)
        {
            return $"certificate '{certificate.Subject}' is not valid before {notBefore.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}";
        }

        if (now > notAfter)
        {
            return $"certificate '{certificate.Subject}' expired at {notAfter.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}";
        }

        return null;
    }

    private X509Certificate2? BuildChain(X509Certificate2 certificate, DateTimeOffset now, out string error, out IdentityRejection rejection)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_roots);
        chain.ChainPolicy.ExtraStore.AddRange(_intermediates);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.ChainPolicy.VerificationTime = now.UtcDateTime;
        if (chain.Build(certificate) && chain.ChainElements.Count >= 2)
        {
            error = string.Empty;
            rejection = IdentityRejection.None;
            return chain.ChainElements[1].Certificate;
        }

        var statuses = chain.ChainStatus.Select(s => s.Status).ToHashSet();
        var untrusted = statuses.Contains(X509ChainStatusFlags.UntrustedRoot) || statuses.Contains(X509ChainStatusFlags.PartialChain) || chain.ChainElements.Count < 2;
        rejection = !untrusted && statuses.Contains(X509ChainStatusFlags.NotTimeValid) ? IdentityRejection.OutsideValidity : IdentityRejection.Untrusted;
        error = untrusted
            ? $"certificate '{certificate.Subject}' is not issued by any CA of {MspId}"
            : statuses.Contains(X509ChainStatusFlags.NotTimeValid)
                ? $"certificate '{certificate.Subject}' chains to a CA of {MspId} that is outside its validity period"
                : $"certificate '{certificate.Subject}' does not validate against {MspId}: {string.Join(", ", statuses)}";
        return null;
    }

    private bool IsRevoked(X509Certificate2 issuer, X509Certificate2 certificate) =>
        _revokedByIssuer.TryGetValue(Convert.ToHexString(issuer.SubjectName.RawData), out var serials)
        && serials.Contains(SerialHex(certificate.SerialNumberBytes.Span));

    private FrozenDictionary<string, FrozenSet<string>> LoadCrls(IReadOnlyList<byte[]> crls)
    {
        var cas = _roots.Concat(_intermediates).Select(ca => (Ca: ca, Bc: new X509CertificateParser().ReadCertificate(ca.RawData))).ToList();
        var revoked = new Dictionary<string, HashSet<string>>();
        for (var i = 0; i < crls.Count; i++)
        {
            X509Crl crl;
            try
            {
                crl = new X509CrlParser().ReadCrl(crls[i]) ?? throw new MspException($"{MspId}: CRL #{i + 1} is empty");
            }
            catch (Exception ex) when (ex is not MspException)
            {
                throw new MspException($"{MspId}: CRL #{i + 1} is not a valid X.509 CRL: {ex.Message}", ex);
            }

            var signer = cas.FirstOrDefault(ca => ca.Bc.SubjectDN.Equivalent(crl.IssuerDN) && VerifiesCrl(crl, ca.Bc));
            if (signer.Ca is null)
            {
                throw new MspException($"{MspId}: CRL #{i + 1} (issuer '{crl.IssuerDN}') is not signed by any CA of {MspId}");
            }

            var key = Convert.ToHexString(signer.Ca.SubjectName.RawData);
            if (!revoked.TryGetValue(key, out var serials))
            {
                revoked[key] = serials = [];
            }

            foreach (var entry in crl.GetRevokedCertificates() ?? new HashSet<X509CrlEntry>())
            {
                serials.Add(entry.SerialNumber.ToString(16).TrimStart('0'));
            }
        }

        return revoked.ToFrozenDictionary(p => p.Key, p => p.Value.ToFrozenSet());
    }

    private static bool VerifiesCrl(X509Crl crl, BcCertificate ca)
    {
        try
        {
            crl.Verify(ca.GetPublicKey());
            return true;
        }
        catch (Exception ex) when (ex is Org.BouncyCastle.Security.InvalidKeyException or Org.BouncyCastle.Security.Certificates.CrlException or Org.BouncyCastle.Security.SignatureException)
        {
            return false;
        }
    }

    private void EnsureCa(X509Certificate2 certificate, string what)
    {
        if (!IsCa(certificate))
        {
            throw new MspException($"{MspId}: {what} '{certificate.Subject}' is not a CA certificate (basic constraints CA=false or missing)");
        }
    }

    private static bool IsCa(X509Certificate2 certificate) =>
        certificate.Extensions.OfType<X509BasicConstraintsExtension>().Any(e => e.CertificateAuthority);

    private static bool IsSignedBy(X509Certificate2 certificate, X509Certificate2 issuer)
    {
        var bcCert = new X509CertificateParser().ReadCertificate(certificate.RawData);
        var bcIssuer = new X509CertificateParser().ReadCertificate(issuer.RawData);
        return bcCert.IsSignatureValid(bcIssuer.GetPublicKey());
    }

    internal static List<string> OrganizationalUnitsOf(X509Certificate2 certificate)
    {
        var units = new List<string>();
        foreach (var rdn in certificate.SubjectName.EnumerateRelativeDistinguishedNames())
        {
            if (!rdn.HasMultipleElements && rdn.GetSingleElementType().Value == OrganizationalUnitOid && rdn.GetSingleElementValue() is { } value)
            {
                units.Add(value);
            }
        }

        return units;
    }

    private static string SerialHex(ReadOnlySpan<byte> serialBigEndian) =>
        Convert.ToHexStringLower(serialBigEndian).TrimStart('0');
}
