namespace FnzChain.InteropTests;

/// <summary>
/// A Node project under <c>tests/</c> that drives a network with one of Fabric's own client libraries, unmodified:
/// its folder, the script that prints one JSON line per check, and the package whose presence says its pinned
/// dependencies are installed.
/// </summary>
internal sealed record NodeClientProject(string FolderName, string Script, string InstalledPackage)
{
    private static readonly TimeSpan s_installTimeout = TimeSpan.FromMinutes(5);

    /// <summary><c>tests/interop</c>: <c>@hyperledger/fabric-gateway</c> 1.x over <c>@grpc/grpc-js</c>.</summary>
    public static NodeClientProject Gateway { get; } = new("interop", "interop.js", "@hyperledger/fabric-gateway");

    /// <summary><c>tests/interop-legacy</c>: the legacy SDK, <c>fabric-network</c> 2.2 over <c>fabric-common</c>.</summary>
    public static NodeClientProject LegacySdk { get; } = new("interop-legacy", "interop-legacy.js", "fabric-network");

    /// <summary>The project's folder in the source tree this test assembly was built from.</summary>
    public string Folder => Path.Combine(SourceRoot.Value, "tests", FolderName);

    private static Lazy<string> SourceRoot { get; } = new(FindSourceRoot);

    /// <summary>Installs exactly the versions in package-lock.json (<c>npm ci</c>) when they are missing.</summary>
    public async Task EnsureInstalledAsync()
    {
        if (Directory.Exists(Path.Combine(Folder, "node_modules", InstalledPackage)))
        {
            return;
        }

        // No install scripts: only optional HSM modules (pkcs11js) have one, and neither project uses an HSM.
        var install = await ProcessRun.RunAsync("npm", Folder, s_installTimeout, "ci", "--ignore-scripts", "--no-audit", "--no-fund");
        if (install.ExitCode != 0)
        {
            throw new InvalidOperationException($"npm ci in {Folder} failed ({install.ExitCode}):\n{install.Output}\n{install.Error}");
        }
    }

    private static string FindSourceRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "FnzChain.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"no FnzChain.sln above {AppContext.BaseDirectory}");
    }
}
