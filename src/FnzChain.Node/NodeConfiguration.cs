using System.Collections;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace FnzChain.Node;

/// <summary>
/// Reading node configuration files: JSON, camelCase, comments allowed, unknown fields refused, errors naming the
/// file and field. Environment variables <c>FNZCHAIN__field__subfield=value</c> override the file, in the .NET
/// way (<c>__</c> separates levels, names are case-insensitive, array elements are numbered from 0); an override
/// of a field the options do not have is refused like an unknown field in the file.
/// </summary>
public static class NodeConfiguration
{
    /// <summary>The prefix of environment variables that override configuration fields.</summary>
    public const string EnvironmentPrefix = "FNZCHAIN__";

    private static readonly JsonSerializerOptions s_json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false) },
        ReadCommentHandling = JsonCommentHandling.Skip,
        TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
    };

    /// <summary>Deserializes <paramref name="path"/>; <paramref name="what"/> names the file in errors ("orderer config").</summary>
    /// <param name="environment">Overrides by variable name; null reads the process's <c>FNZCHAIN__*</c> variables.</param>
    public static T Load<T>(string path, string what, IReadOnlyDictionary<string, string>? environment = null)
    {
        if (!File.Exists(path))
        {
            throw new OptionsException($"{what} {path} does not exist");
        }

        var overrides = (environment ?? ProcessOverrides())
            .Where(v => v.Key.StartsWith(EnvironmentPrefix, StringComparison.OrdinalIgnoreCase))
            .OrderBy(v => v.Key, StringComparer.Ordinal)
            .ToList();
        try
        {
            var root = JsonNode.Parse(File.ReadAllText(path), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip })
                as JsonObject ?? throw new OptionsException($"{what} {path} is not a JSON object");
            foreach (var (name, value) in overrides)
            {
                Override(root, s_json.GetTypeInfo(typeof(T)), name, value);
            }

            return root.Deserialize<T>(s_json) ?? throw new OptionsException($"{what} {path} is empty");
        }
        catch (JsonException e)
        {
            var from = overrides.Count == 0 ? string.Empty : $" (with overrides {string.Join(", ", overrides.Select(o => o.Key))})";
            throw new OptionsException($"{what} {path}{from}: {e.Message}", e);
        }
        catch (FormatException e)
        {
            throw new OptionsException($"{what} {path}: {e.Message}", e);
        }
    }

    private static Dictionary<string, string> ProcessOverrides() =>
        Environment.GetEnvironmentVariables().Cast<DictionaryEntry>()
            .Where(e => e.Key is string name && name.StartsWith(EnvironmentPrefix, StringComparison.OrdinalIgnoreCase))
            .ToDictionary(e => (string)e.Key, e => e.Value as string ?? string.Empty, StringComparer.Ordinal);

    /// <summary>Sets the field a <c>FNZCHAIN__a__b</c> variable names; a string field keeps the text, others take it as JSON.</summary>
    /// <remarks>
    /// Names match case-insensitively, as Microsoft.Extensions.Configuration matches keys: a field the file already
    /// has keeps its spelling; one it lacks takes the JSON name of the options property it matches
    /// (<c>FNZCHAIN__OPERATIONSADDRESS</c> sets <c>operationsAddress</c>).
    /// </remarks>
    private static void Override(JsonObject root, JsonTypeInfo rootType, string variable, string value)
    {
        var path = variable[EnvironmentPrefix.Length..].Split("__");
        if (path.Any(string.IsNullOrEmpty))
        {
            throw new FormatException($"environment variable {variable} does not name a field (FNZCHAIN__field__subfield)");
        }

        JsonNode parent = root;
        JsonTypeInfo? type = rootType;
        for (var i = 0; i < path.Length; i++)
        {
            var last = i == path.Length - 1;
            var existing = Child(parent, path[i], variable);
            var segment = parent is JsonObject ? JsonName(type, path[i]) : path[i];
            type = ChildType(type, path[i]);
            if (!last)
            {
                parent = existing ?? SetChild(parent, segment, new JsonObject(), variable);
                continue;
            }

            var text = existing?.GetValueKind() == JsonValueKind.String || type?.Type == typeof(string);
            SetChild(parent, segment, text ? JsonValue.Create(value) : ParseValue(value), variable);
        }
    }

    /// <summary>The JSON name of the property of <paramref name="type"/> that <paramref name="segment"/> names in any case; camelCase when none does.</summary>
    private static string JsonName(JsonTypeInfo? type, string segment) =>
        type?.Properties.FirstOrDefault(p => string.Equals(p.Name, segment, StringComparison.OrdinalIgnoreCase))?.Name
            ?? JsonNamingPolicy.CamelCase.ConvertName(segment);

    /// <summary>The type below <paramref name="segment"/>: a property's type in an object, the element type in an array.</summary>
    private static JsonTypeInfo? ChildType(JsonTypeInfo? type, string segment) => type?.Kind switch
    {
        JsonTypeInfoKind.Object => type.Properties.FirstOrDefault(p => string.Equals(p.Name, segment, StringComparison.OrdinalIgnoreCase)) is { } property
            ? s_json.GetTypeInfo(Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType)
            : null,
        JsonTypeInfoKind.Enumerable when type.ElementType is { } element => s_json.GetTypeInfo(element),
        _ => null,
    };

    private static JsonNode ParseValue(string value)
    {
        try
        {
            return JsonNode.Parse(value) ?? JsonValue.Create(value)!;
        }
        catch (JsonException)
        {
            return JsonValue.Create(value)!;
        }
    }

    private static JsonNode? Child(JsonNode parent, string segment, string variable) => parent switch
    {
        JsonObject o => o.FirstOrDefault(p => string.Equals(p.Key, segment, StringComparison.OrdinalIgnoreCase)).Value,
        JsonArray a => int.TryParse(segment, out var index) && index >= 0 && index <= a.Count
            ? index < a.Count ? a[index] : null
            : throw new FormatException($"environment variable {variable}: \"{segment}\" is not an index 0..{a.Count} of that array"),
        _ => throw new FormatException($"environment variable {variable}: \"{segment}\" is below a field that is not an object"),
    };

    private static JsonNode SetChild(JsonNode parent, string segment, JsonNode value, string variable)
    {
        switch (parent)
        {
            case JsonObject o:
                var name = o.FirstOrDefault(p => string.Equals(p.Key, segment, StringComparison.OrdinalIgnoreCase)).Key ?? segment;
                o[name] = value;
                return value;
            case JsonArray a:
                var index = int.Parse(segment, System.Globalization.CultureInfo.InvariantCulture);
                if (index == a.Count)
                {
                    a.Add(value);
                }
                else
                {
                    a[index] = value;
                }

                return value;
            default:
                throw new FormatException($"environment variable {variable}: cannot set \"{segment}\"");
        }
    }

    /// <summary>
    /// Parses the address of a node to connect to (an orderer endpoint, an anchor peer, a peer's orderer): <c>host:port</c>
    /// where host is an IP address (IPv6 in brackets) or a DNS name — containers and clusters name their nodes. Only
    /// addresses to listen on must be IP addresses (<see cref="ParseEndpoint"/>).
    /// </summary>
    public static (string Host, int Port) ParseRemoteAddress(string address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var colon = address.LastIndexOf(':');
        if (colon <= 0 || !ushort.TryParse(address.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port) || port == 0)
        {
            throw new FormatException($"\"{address}\" is not host:port (port 1-65535)");
        }

        var host = address[..colon];
        if (host.StartsWith('[') && host.EndsWith(']') && IPAddress.TryParse(host[1..^1], out var v6) && v6.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6)
        {
            return (host, port);
        }

        if (IPAddress.TryParse(host, out var ip) && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
        {
            return (host, port);
        }

        return IsDnsName(host)
            ? (host, port)
            : throw new FormatException($"\"{host}\" in \"{address}\" is neither an IP address (IPv6 in brackets) nor a DNS host name");
    }

    /// <summary>RFC 1123 host name: dot-separated labels of letters, digits and hyphens (1-63 characters, no hyphen at either end), 253 characters at most.</summary>
    private static bool IsDnsName(string host)
    {
        if (host.Length is 0 or > 253)
        {
            return false;
        }

        foreach (var label in host.Split('.'))
        {
            if (label.Length is 0 or > 63 || label[0] == '-' || label[^1] == '-' || !label.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Parses <c>host:port</c> where host is an IP address or <c>localhost</c>.</summary>
    public static IPEndPoint ParseEndpoint(string address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var colon = address.LastIndexOf(':');
        if (colon <= 0 || !ushort.TryParse(address.AsSpan(colon + 1), out var port))
        {
            throw new FormatException($"\"{address}\" is not host:port");
        }

        var host = address[..colon];
        if (host == "localhost")
        {
            return new IPEndPoint(IPAddress.Loopback, port);
        }

        return IPAddress.TryParse(host.Trim('[', ']'), out var ip)
            ? new IPEndPoint(ip, port)
            : throw new FormatException($"\"{host}\" is not an IP address (use 127.0.0.1, 0.0.0.0 or localhost)");
    }
}

/// <summary>A node configuration that cannot be used; the message names the file and the field.</summary>
public sealed class OptionsException : Exception
{
    public OptionsException(string message)
        : base(message)
    {
    }

    public OptionsException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
