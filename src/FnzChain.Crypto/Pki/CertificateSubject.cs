using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;

namespace FnzChain.Crypto.Pki;

/// <summary>
/// The distinguished name of an issued certificate, with the attributes Fabric's cryptogen uses. Attributes are
/// encoded in Go's order (C, ST, L, O, OU, CN) so subjects look like those of cryptogen-made certificates.
/// </summary>
public sealed record CertificateSubject(string CommonName)
{
    public string? Organization { get; init; }

    /// <summary>The Fabric node OU: <c>peer</c>, <c>orderer</c>, <c>admin</c> or <c>client</c>; none for CAs.</summary>
    public string? OrganizationalUnit { get; init; }

    public string? Locality { get; init; }

    public string? Province { get; init; }

    public string? Country { get; init; }

    internal X509Name ToX509Name()
    {
        var oids = new List<DerObjectIdentifier>();
        var values = new List<string>();
        Add(X509Name.C, Country);
        Add(X509Name.ST, Province);
        Add(X509Name.L, Locality);
        Add(X509Name.O, Organization);
        Add(X509Name.OU, OrganizationalUnit);
        Add(X509Name.CN, CommonName);
        return new X509Name(oids, values);

        void Add(DerObjectIdentifier oid, string? value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                oids.Add(oid);
                values.Add(value);
            }
        }
    }
}
