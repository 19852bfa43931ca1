using System.Security.Cryptography.X509Certificates;
using System.Text.Json;

namespace FnzChain.Chaincode;

/// <summary>The submitter of a transaction: MSP id, certificate, organisational units and Fabric CA attributes.</summary>
public sealed class ClientIdentity
{
    /// <summary>The extension Fabric CA writes enrollment attributes into: <c>{"attrs":{"name":"value"}}</c>.</summary>
    public const string AttributesExtensionOid = "1.2.3.4.5.6.7.8.1";

    private readonly Dictionary<string, string> _attributes;

    /// <summary>An identity from its MSP id and X.509 certificate.</summary>
    public ClientIdentity(string mspId, X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        MspId = mspId;
        Certificate = certificate;
        OrganizationalUnits = certificate.SubjectName.EnumerateRelativeDistinguishedNames()
            .Where(rdn => rdn.GetSingleElementType().Value == "2.5.4.11")
            .Select(rdn => rdn.GetSingleElementValue() ?? string.Empty)
            .ToList();
        _attributes = ReadAttributes(certificate);
    }

    /// <summary>The MSP (organisation) that issued the identity.</summary>
    public string MspId { get; }

    /// <summary>The X.509 certificate the transaction was signed with.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The certificate's subject, e.g. <c>CN=User1@org1.example.com, OU=client, …</c>.</summary>
    public string Subject => Certificate.Subject;

    /// <summary>A stable id for the identity: <c>x509::subject::issuer</c>, as Fabric's client identity library builds it.</summary>
    public string Id => $"x509::{Certificate.Subject}::{Certificate.Issuer}";

    /// <summary>The certificate subject's organisational units (node OUs such as "client", "admin").</summary>
    public IReadOnlyList<string> OrganizationalUnits { get; }

    /// <summary>The value of a Fabric CA attribute, or null.</summary>
    public string? GetAttribute(string name) => _attributes.GetValueOrDefault(name);

    /// <summary>True when the identity carries organisational unit <paramref name="ou"/> (e.g. "admin", "client").</summary>
    public bool HasOrganizationalUnit(string ou) => OrganizationalUnits.Contains(ou, StringComparer.Ordinal);

    private static Dictionary<string, string> ReadAttributes(X509Certificate2 certificate)
    {
        var extension = certificate.Extensions.FirstOrDefault(e => e.Oid?.Value == AttributesExtensionOid);
        if (extension is null)
        {
            return [];
        }

        try
        {
            using var json = JsonDocument.Parse(extension.RawData);
            return json.RootElement.TryGetProperty("attrs", out var attrs) && attrs.ValueKind == JsonValueKind.Object
                ? attrs.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.ToString(), StringComparer.Ordinal)
                : [];
        }
        catch (JsonException)
        {
            return [];
        }
    }
}
