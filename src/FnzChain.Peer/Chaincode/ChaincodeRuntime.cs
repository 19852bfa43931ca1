using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.Loader;
using FnzChain.Chaincode;
using FnzChain.Node;
using Microsoft.Extensions.Logging;

namespace FnzChain.Peer.Chaincode;

/// <summary>
/// Installed chaincode packages (<c>&lt;dataPath&gt;/chaincodes/&lt;sha256&gt;/</c>) and the contracts loaded from them,
/// each package in its own <see cref="AssemblyLoadContext"/>: a package brings its own dependencies, while the
/// chaincode SDK is shared with the peer so contracts and the runtime agree on its types.
/// </summary>
public sealed partial class ChaincodeRuntime(string dataPath, ILogger<ChaincodeRuntime> logger) : IChaincodeInstaller
{
    private readonly ConcurrentDictionary<string, Lazy<ContractDispatcher>> _loaded = new(StringComparer.Ordinal);

    private string ChaincodesPath => Path.Combine(dataPath, "chaincodes");

    /// <summary>Raised with the package id after a package is newly installed (channels then deploy its CouchDB indexes if it is defined).</summary>
    public event Action<string>? PackageInstalled;

    /// <summary>The CouchDB index definitions of an installed package; empty when it is not installed or ships none.</summary>
    public IReadOnlyList<PackagedIndex> IndexesOf(string packageId)
    {
        string packagePath;
        try
        {
            packagePath = Path.Combine(FolderOf(packageId), "package.zip");
        }
        catch (ChaincodePackageException)
        {
            return []; // not a package id (a definition may name anything)
        }

        return File.Exists(packagePath) ? ChaincodePackage.Read(File.ReadAllBytes(packagePath)).Indexes : [];
    }

    /// <summary>Installs a package (idempotent); returns its id.</summary>
    public string Install(byte[] packageBytes)
    {
        var package = ChaincodePackage.Read(packageBytes);
        var folder = FolderOf(package.PackageId);
        if (!Directory.Exists(folder))
        {
            var staging = folder + ".installing";
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }

            package.ExtractTo(staging);
            File.WriteAllBytes(Path.Combine(staging, "package.zip"), packageBytes);
            Directory.Move(staging, folder);
            LogInstalled(logger, package.PackageId);
            PackageInstalled?.Invoke(package.PackageId);
        }

        return package.PackageId;
    }

    /// <summary>Ids of the installed packages.</summary>
    public IReadOnlyList<string> Installed() =>
        Directory.Exists(ChaincodesPath)
            ? Directory.GetDirectories(ChaincodesPath).Where(d => !d.EndsWith(".installing", StringComparison.Ordinal))
                .Select(d => ChaincodePackage.Read(File.ReadAllBytes(Path.Combine(d, "package.zip"))).PackageId).Order(StringComparer.Ordinal).ToList()
            : [];

    /// <summary>The contract of an installed package; a <see cref="ChaincodePackageException"/> when it is not installed or cannot load.</summary>
    public ContractDispatcher Load(string packageId)
    {
        var lazy = _loaded.GetOrAdd(packageId, id => new Lazy<ContractDispatcher>(() => LoadContract(id)));
        try
        {
            return lazy.Value;
        }
        catch
        {
            _loaded.TryRemove(packageId, out _);
            throw;
        }
    }

    private ContractDispatcher LoadContract(string packageId)
    {
        var folder = FolderOf(packageId);
        var packagePath = Path.Combine(folder, "package.zip");
        if (!File.Exists(packagePath))
        {
            throw new ChaincodePackageException($"chaincode package {packageId} is not installed on this peer");
        }

        var package = ChaincodePackage.Read(File.ReadAllBytes(packagePath));
        var context = new PackageLoadContext(packageId, folder);
        try
        {
            var assembly = context.LoadFromAssemblyPath(Path.Combine(folder, package.Assembly));
            var type = assembly.GetType(package.Contract, throwOnError: false)
                ?? throw new ChaincodePackageException($"package {packageId}: {package.Assembly} has no type {package.Contract}");
            return new ContractDispatcher(type);
        }
        catch (Exception e) when (e is BadImageFormatException or FileLoadException or ArgumentException or ReflectionTypeLoadException)
        {
            throw new ChaincodePackageException($"package {packageId} cannot be loaded: {e.Message}");
        }
    }

    private string FolderOf(string packageId)
    {
        var colon = packageId.LastIndexOf(':');
        var hash = colon >= 0 ? packageId[(colon + 1)..] : string.Empty;
        if (hash.Length != 64 || !hash.All(char.IsAsciiHexDigitLower))
        {
            throw new ChaincodePackageException($"\"{packageId}\" is not a package id (label:sha256)");
        }

        return Path.Combine(ChaincodesPath, hash);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Installed chaincode package {PackageId}")]
    private static partial void LogInstalled(ILogger logger, string packageId);

    /// <summary>Resolves a package's own assemblies from its folder; the SDK and the framework from the peer.</summary>
    private sealed class PackageLoadContext(string name, string folder) : AssemblyLoadContext(name)
    {
        protected override Assembly? Load(AssemblyName assemblyName)
        {
            if (assemblyName.Name == typeof(Contract).Assembly.GetName().Name)
            {
                return null; // the peer's copy: Contract must be one type for runtime and package
            }

            var path = Path.Combine(folder, assemblyName.Name + ".dll");
            return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
        }
    }
}
