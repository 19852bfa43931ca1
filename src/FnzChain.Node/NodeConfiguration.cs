using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace FnzChain.Node;

/// <summary>Reading node configuration files: JSON, camelCase, comments allowed, unknown fields refused, errors naming the file and field.</summary>
public static class NodeConfiguration
{
    private static readonly JsonSerializerOptions s_json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false) },
        ReadCommentHandling = JsonCommentHandling.Skip,
    };

    /// <summary>Deserializes <paramref name="path"/>; <paramref name="what"/> names the file in errors ("orderer config").</summary>
    public static T Load<T>(string path, string what)
    {
        if (!File.Exists(path))
        {
            throw new OptionsException($"{what} {path} does not exist");
        }

        try
        {
            return JsonSerializer.Deserialize<T>(File.ReadAllText(path), s_json) ?? throw new OptionsException($"{what} {path} is empty");
        }
        catch (JsonException e)
        {
            throw new OptionsException($"{what} {path}: {e.Message}", e);
        }
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
