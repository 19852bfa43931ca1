using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using FnzChain.Node;

namespace FnzChain.Peer.Chaincode;

/// <summary>
/// A chaincode package: a zip with <c>metadata.json</c> (<c>label</c>, <c>assembly</c> — the file holding the
/// contract —, <c>contract</c> — its full type name) and the contract's assemblies, and optionally CouchDB index
/// definitions where Fabric's packages keep them (<c>META-INF/statedb/couchdb/indexes/*.json</c>, and per collection
/// <c>META-INF/statedb/couchdb/collections/&lt;name&gt;/indexes/*.json</c>). Its id is <c>label:sha256(package bytes)</c>,
/// as in Fabric, so a definition names exactly the bytes peers must run.
/// </summary>
public sealed record ChaincodePackage(string Label, string Assembly, string Contract, byte[] Bytes)
{
    public const string MetadataFile = "metadata.json";
    public const int MaxBytes = 64 * 1024 * 1024;

    /// <summary>Where a package keeps its CouchDB index definitions.</summary>
    public const string IndexFolder = "META-INF/statedb/couchdb";

    /// <summary>Largest index definition file.</summary>
    public const int MaxIndexBytes = 64 * 1024;

    /// <summary>The CouchDB index definitions the package ships (checked to be JSON in Fabric's index format).</summary>
    public IReadOnlyList<PackagedIndex> Indexes { get; init; } = [];

    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
    };

    public string PackageId => $"{Label}:{Convert.ToHexStringLower(SHA256.HashData(Bytes))}";

    /// <summary>Packages every file of <paramref name="folder"/> (a build output) with the metadata.</summary>
    public static ChaincodePackage Create(string folder, string label, string assembly, string contract)
    {
        CheckMetadata(label, assembly, contract);
        if (!File.Exists(Path.Combine(folder, assembly)))
        {
            throw new ChaincodePackageException($"{assembly} is not in {folder}");
        }

        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            var metadata = zip.CreateEntry(MetadataFile, CompressionLevel.Optimal);
            metadata.LastWriteTime = DateTimeOffset.UnixEpoch.AddYears(30); // fixed time: same inputs, same package id
            using (var stream = metadata.Open())
            {
                JsonSerializer.Serialize(stream, new Metadata(label, assembly, contract), s_json);
            }

            var files = Directory.GetFiles(folder, "*.dll").Select(f => (File: f, Entry: Path.GetFileName(f)));
            var indexes = Path.Combine(folder, IndexFolder);
            if (Directory.Exists(indexes))
            {
                files = files.Concat(Directory.GetFiles(indexes, "*.json", SearchOption.AllDirectories)
                    .Select(f => (File: f, Entry: Path.GetRelativePath(folder, f).Replace(Path.DirectorySeparatorChar, '/'))));
            }

            foreach (var (file, name) in files.OrderBy(f => f.Entry, StringComparer.Ordinal))
            {
                var entry = zip.CreateEntry(name, CompressionLevel.Optimal);
                entry.LastWriteTime = DateTimeOffset.UnixEpoch.AddYears(30);
                using var target = entry.Open();
                using var source = File.OpenRead(file);
                source.CopyTo(target);
            }
        }

        // Read back: the same checks as a peer installing it (a bad index file is refused here, naming it).
        return Read(buffer.ToArray());
    }

    /// <summary>Reads a package strictly: bounded size, metadata present and valid, flat file names only (besides index definitions, each checked).</summary>
    public static ChaincodePackage Read(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        if (bytes.Length is 0 or > MaxBytes)
        {
            throw new ChaincodePackageException($"a chaincode package must be 1 byte to {MaxBytes / (1024 * 1024)} MiB, not {bytes.Length} bytes");
        }

        try
        {
            using var zip = new ZipArchive(new MemoryStream(bytes), ZipArchiveMode.Read);
            var indexes = new List<PackagedIndex>();
            foreach (var entry in zip.Entries)
            {
                if (PackagedIndex.CollectionOf(entry.FullName) is { } collection)
                {
                    indexes.Add(PackagedIndex.Read(entry, collection.Length == 0 ? null : collection));
                }
                else if (entry.FullName != Path.GetFileName(entry.FullName) || entry.FullName.StartsWith('.'))
                {
                    throw new ChaincodePackageException($"package entry \"{entry.FullName}\" is not a plain file name (nor an index definition under {IndexFolder}/indexes or {IndexFolder}/collections/<name>/indexes)");
                }
            }

            var metadataEntry = zip.GetEntry(MetadataFile) ?? throw new ChaincodePackageException($"package has no {MetadataFile}");
            Metadata metadata;
            using (var stream = metadataEntry.Open())
            {
                metadata = JsonSerializer.Deserialize<Metadata>(stream, s_json) ?? throw new ChaincodePackageException($"{MetadataFile} is empty");
            }

            CheckMetadata(metadata.Label, metadata.Assembly, metadata.Contract);
            if (zip.GetEntry(metadata.Assembly) is null)
            {
                throw new ChaincodePackageException($"package metadata names {metadata.Assembly}, which the package does not contain");
            }

            return new ChaincodePackage(metadata.Label, metadata.Assembly, metadata.Contract, bytes) { Indexes = indexes };
        }
        catch (Exception e) when (e is InvalidDataException or JsonException)
        {
            throw new ChaincodePackageException($"not a chaincode package: {e.Message}");
        }
    }

    /// <summary>Unpacks the package's files into <paramref name="folder"/>.</summary>
    public void ExtractTo(string folder)
    {
        Directory.CreateDirectory(folder);
        using var zip = new ZipArchive(new MemoryStream(Bytes), ZipArchiveMode.Read);
        foreach (var entry in zip.Entries)
        {
            // Entry names were checked when the package was read: plain names, or index definitions under META-INF.
            var target = Path.Combine(folder, entry.FullName);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            entry.ExtractToFile(target, overwrite: true);
        }
    }

    private static void CheckMetadata(string label, string assembly, string contract)
    {
        if (string.IsNullOrWhiteSpace(label) || !label.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' or '+'))
        {
            throw new ChaincodePackageException($"label \"{label}\" must be non-empty and use only letters, digits, '_', '-', '.', '+'");
        }

        if (string.IsNullOrWhiteSpace(assembly) || assembly != Path.GetFileName(assembly) || !assembly.EndsWith(".dll", StringComparison.Ordinal))
        {
            throw new ChaincodePackageException($"assembly \"{assembly}\" must be a .dll file name");
        }

        if (string.IsNullOrWhiteSpace(contract))
        {
            throw new ChaincodePackageException("contract (the contract's full type name) is empty");
        }
    }

    private sealed record Metadata(string Label, string Assembly, string Contract);
}
