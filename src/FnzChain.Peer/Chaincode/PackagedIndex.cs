using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using FnzChain.Node;

namespace FnzChain.Peer.Chaincode;

/// <summary>
/// A CouchDB index definition shipped in a chaincode package (Fabric's convention): for the chaincode's public state
/// (<paramref name="Collection"/> null) or for one of its private data collections.
/// </summary>
/// <param name="Path">The entry in the package, e.g. <c>META-INF/statedb/couchdb/indexes/indexOrders.json</c>.</param>
/// <param name="Json">The definition: <c>{"index":{"fields":[...]},"ddoc":"...","name":"...","type":"json"}</c>.</param>
public sealed partial record PackagedIndex(string? Collection, string Path, string Json)
{
    [GeneratedRegex(@"^META-INF/statedb/couchdb/(?:indexes|collections/(?<collection>[A-Za-z0-9_-]{1,64})/indexes)/[A-Za-z0-9._-]{1,100}\.json$")]
    private static partial Regex EntryPattern();

    /// <summary>
    /// For a package entry: "" when it is an index of the chaincode's public state, the collection's name when it is a
    /// collection's index, null when it is not an index definition at all.
    /// </summary>
    internal static string? CollectionOf(string entry) =>
        entry.StartsWith("META-INF/", StringComparison.Ordinal) && EntryPattern().Match(entry) is { Success: true } match
            ? match.Groups["collection"].Value
            : null;

    /// <summary>Reads and checks one index entry; a problem is one line naming the file.</summary>
    internal static PackagedIndex Read(ZipArchiveEntry entry, string? collection)
    {
        if (entry.Length > ChaincodePackage.MaxIndexBytes)
        {
            throw new ChaincodePackageException($"index file {entry.FullName} is {entry.Length} bytes, more than {ChaincodePackage.MaxIndexBytes}");
        }

        string json;
        using (var reader = new StreamReader(entry.Open(), Encoding.UTF8))
        {
            json = reader.ReadToEnd();
        }

        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 16 });
            var root = document.RootElement;
            var problem = root.ValueKind != JsonValueKind.Object ? "it is not a JSON object"
                : !root.TryGetProperty("index", out var index) || index.ValueKind != JsonValueKind.Object ? "\"index\" must be an object"
                : !index.TryGetProperty("fields", out var fields) || fields.ValueKind != JsonValueKind.Array || fields.GetArrayLength() == 0 ? "\"index.fields\" must be a non-empty array"
                : root.TryGetProperty("type", out var type) && !type.ValueEquals("json") ? "\"type\" must be \"json\""
                : null;
            return problem is null
                ? new PackagedIndex(collection, entry.FullName, json)
                : throw new ChaincodePackageException($"index file {entry.FullName}: {problem}");
        }
        catch (JsonException e)
        {
            throw new ChaincodePackageException($"index file {entry.FullName} is not valid JSON: {e.Message.ReplaceLineEndings(" ")}");
        }
    }
}
