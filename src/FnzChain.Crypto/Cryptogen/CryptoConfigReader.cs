using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace FnzChain.Crypto.Cryptogen;

/// <summary>
/// Strict reading of a crypto config JSON file: comments and trailing commas are refused, unknown properties
/// are refused, and every missing or invalid field is named by its path ("crypto config: peerOrgs[0].domain is
/// required").
/// </summary>
public static partial class CryptoConfigReader
{
    private const string Prefix = "crypto config";

    private static readonly JsonSerializerOptions s_options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        ReadCommentHandling = JsonCommentHandling.Disallow,
        AllowTrailingCommas = false,
        NumberHandling = JsonNumberHandling.Strict,
        MaxDepth = 16,
    };

    public static CryptoConfig ReadFile(string path)
    {
        string json;
        try
        {
            json = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new CryptoConfigException($"{Prefix}: file {path} not found", ex);
        }

        return Parse(json, path);
    }

    public static CryptoConfig Parse(string json, string source = "(text)")
    {
        Document? document;
        try
        {
            document = JsonSerializer.Deserialize<Document>(json, s_options);
        }
        catch (JsonException ex)
        {
            throw new CryptoConfigException($"{Prefix}: {source} is not valid: {Describe(ex)}", ex);
        }

        if (document is null)
        {
            throw new CryptoConfigException($"{Prefix}: {source} holds null, expected an object");
        }

        return Validate(document);
    }

    private static string Describe(JsonException ex)
    {
        var where = string.IsNullOrEmpty(ex.Path) ? "the document" : ex.Path.TrimStart('$', '.');
        if (where.Length == 0)
        {
            where = "the document";
        }

        var line = ex.LineNumber is { } l ? $" (line {l + 1})" : string.Empty;
        if (ex.Message.Contains("could not be mapped", StringComparison.Ordinal))
        {
            return $"unknown property {where}{line}";
        }

        if (ex.Message.Contains("could not be converted", StringComparison.Ordinal))
        {
            return $"{where} has the wrong JSON type{line}";
        }

        // A syntax error: System.Text.Json's first sentence says what it expected.
        var message = ex.Message.ReplaceLineEndings(" ");
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        message = (cut > 0 ? message[..cut] : message).Trim();
        return $"malformed JSON at {where}{line}: {message}";
    }

    private static CryptoConfig Validate(Document document)
    {
        var orderers = document.OrdererOrgs ?? [];
        var peers = document.PeerOrgs ?? [];
        if (orderers.Count == 0 && peers.Count == 0)
        {
            throw new CryptoConfigException($"{Prefix}: no ordererOrgs and no peerOrgs; nothing to generate");
        }

        var domains = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var ordererSpecs = new List<OrdererOrgSpec>();
        for (var i = 0; i < orderers.Count; i++)
        {
            var path = $"ordererOrgs[{i}]";
            var org = orderers[i] ?? throw Fail($"{path} is null");
            if (org.Peers is not null)
            {
                throw Fail($"{path}.peers is not a field of an orderer org (use hosts)");
            }

            var hosts = org.Hosts ?? throw Fail($"{path}.hosts is required");
            if (hosts.Count == 0)
            {
                throw Fail($"{path}.hosts must name at least one orderer host");
            }

            var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            for (var h = 0; h < hosts.Count; h++)
            {
                var host = hosts[h];
                if (string.IsNullOrEmpty(host) || !HostLabel().IsMatch(host))
                {
                    throw Fail($"{path}.hosts[{h}] '{host}' is not a host name (letters, digits, '-')");
                }

                if (!seen.Add(host))
                {
                    throw Fail($"{path}.hosts[{h}] '{host}' is listed twice");
                }
            }

            ordererSpecs.Add(Common(org, path, domains, new OrdererOrgSpec { Name = "", Domain = "", MspId = "", Hosts = [.. hosts] }));
        }

        var peerSpecs = new List<PeerOrgSpec>();
        for (var i = 0; i < peers.Count; i++)
        {
            var path = $"peerOrgs[{i}]";
            var org = peers[i] ?? throw Fail($"{path} is null");
            if (org.Hosts is not null)
            {
                throw Fail($"{path}.hosts is not a field of a peer org (use peers)");
            }

            var count = org.Peers ?? throw Fail($"{path}.peers is required");
            if (count is < 1 or > 100)
            {
                throw Fail($"{path}.peers is {count}; expected 1 to 100");
            }

            peerSpecs.Add(Common(org, path, domains, new PeerOrgSpec { Name = "", Domain = "", MspId = "", Peers = count }));
        }

        return new CryptoConfig { OrdererOrgs = ordererSpecs, PeerOrgs = peerSpecs };
    }

    private static T Common<T>(OrgDocument org, string path, HashSet<string> domains, T spec)
        where T : OrgSpec
    {
        var name = Required(org.Name, $"{path}.name");
        var domain = Required(org.Domain, $"{path}.domain").ToLowerInvariant();
        var mspId = Required(org.MspId, $"{path}.mspId");
        if (!Domain().IsMatch(domain))
        {
            throw Fail($"{path}.domain '{domain}' is not a DNS domain");
        }

        if (!domains.Add(domain))
        {
            throw Fail($"{path}.domain '{domain}' is used by another organisation");
        }

        if (!MspIdPattern().IsMatch(mspId))
        {
            throw Fail($"{path}.mspId '{mspId}' may hold only letters, digits, '.', '_' and '-'");
        }

        var users = org.Users ?? 0;
        if (users is < 0 or > 1000)
        {
            throw Fail($"{path}.users is {users}; expected 0 to 1000");
        }

        var namedUsers = new List<NamedUserSpec>();
        for (var u = 0; u < (org.NamedUsers?.Count ?? 0); u++)
        {
            var userPath = $"{path}.namedUsers[{u}]";
            var user = org.NamedUsers![u] ?? throw Fail($"{userPath} is null");
            var userName = Required(user.Name, $"{userPath}.name");
            if (!UserName().IsMatch(userName) || userName.Equals("Admin", StringComparison.OrdinalIgnoreCase) || namedUsers.Any(n => n.Name == userName))
            {
                throw Fail($"{userPath}.name '{userName}' must be letters, digits, '.', '_' or '-', not Admin, and unique in the organisation");
            }

            foreach (var (attribute, value) in user.Attributes ?? [])
            {
                if (string.IsNullOrWhiteSpace(attribute) || value is null)
                {
                    throw Fail($"{userPath}.attributes has an empty name or a null value");
                }
            }

            namedUsers.Add(new NamedUserSpec { Name = userName, Admin = user.Admin ?? false, Attributes = user.Attributes ?? [] });
        }

        return spec with
        {
            Name = name,
            Domain = domain,
            MspId = mspId,
            Users = users,
            NamedUsers = namedUsers,
            Country = Optional(org.Country, $"{path}.country"),
            Province = Optional(org.Province, $"{path}.province"),
            Locality = Optional(org.Locality, $"{path}.locality"),
            CaValidityDays = Days(org.CaValidityDays, $"{path}.caValidityDays"),
            LeafValidityDays = Days(org.LeafValidityDays, $"{path}.leafValidityDays"),
        };
    }

    private static string Required(string? value, string path) =>
        string.IsNullOrWhiteSpace(value) ? throw Fail($"{path} is required") : value.Trim();

    private static string? Optional(string? value, string path) =>
        value is not null && string.IsNullOrWhiteSpace(value) ? throw Fail($"{path} is empty; omit it or give a value") : value?.Trim();

    private static int? Days(int? days, string path) =>
        days is < 1 or > 36500 ? throw Fail($"{path} is {days}; expected 1 to 36500") : days;

    private static CryptoConfigException Fail(string problem) => new($"{Prefix}: {problem}");

    [GeneratedRegex(@"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$")]
    private static partial Regex Domain();

    [GeneratedRegex(@"^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")]
    private static partial Regex HostLabel();

    [GeneratedRegex(@"^[A-Za-z0-9._-]{1,128}$")]
    private static partial Regex MspIdPattern();

    // The wire shape: everything nullable so that a missing field is reported by its path, not by the serializer.
    private sealed record Document(List<OrgDocument?>? OrdererOrgs, List<OrgDocument?>? PeerOrgs);

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex UserName();

    private sealed record OrgDocument(
        string? Name,
        string? Domain,
        string? MspId,
        List<string>? Hosts,
        int? Peers,
        int? Users,
        string? Country,
        string? Province,
        string? Locality,
        int? CaValidityDays,
        int? LeafValidityDays,
        List<NamedUserDocument?>? NamedUsers = null);

    private sealed record NamedUserDocument(string? Name, bool? Admin, Dictionary<string, string>? Attributes);
}
