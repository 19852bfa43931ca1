using System.Text.Json;

namespace FnzChain.InteropTests;

/// <summary>
/// The Node project <c>tests/interop</c>: Fabric's <c>@hyperledger/fabric-gateway</c>, unmodified, driving a network
/// from its <c>connection.json</c>. Installs the pinned dependencies with <c>npm ci</c> when they are missing, runs
/// <c>interop.js</c> once and keeps each check's JSON line by name.
/// </summary>
internal sealed class FabricGatewayClient
{
    private static readonly TimeSpan s_installTimeout = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan s_runTimeout = TimeSpan.FromMinutes(3);

    private FabricGatewayClient(IReadOnlyDictionary<string, JsonElement> checks, ProcessRun.Result run)
    {
        Checks = checks;
        Run = run;
    }

    /// <summary>Each check's line, by its <c>check</c> name.</summary>
    public IReadOnlyDictionary<string, JsonElement> Checks { get; }

    /// <summary>The script's exit code (the number of failed checks) and its raw output.</summary>
    public ProcessRun.Result Run { get; }

    /// <summary>tests/interop in the source tree this test assembly was built from.</summary>
    public static string ProjectFolder { get; } = FindProjectFolder();

    public static async Task<FabricGatewayClient> RunChecksAsync(string connectionFile)
    {
        await EnsureInstalledAsync();
        var run = await ProcessRun.RunAsync("node", ProjectFolder, s_runTimeout, "interop.js", connectionFile);
        var checks = new Dictionary<string, JsonElement>();
        foreach (var line in run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(l => l.StartsWith('{')))
        {
            using var document = JsonDocument.Parse(line);
            checks[document.RootElement.GetProperty("check").GetString()!] = document.RootElement.Clone();
        }

        return new FabricGatewayClient(checks, run);
    }

    /// <summary>The facts of a check that passed on the client side (fails the test, with the client's error, otherwise).</summary>
    public JsonElement Passed(string check)
    {
        Assert.That(Checks.TryGetValue(check, out var line), Is.True, $"interop.js reported no check \"{check}\":\n{Run.Output}\n{Run.Error}");
        Assert.That(line.GetProperty("ok").GetBoolean(), Is.True, $"check {check} failed on the client: {line}");
        return line;
    }

    private static async Task EnsureInstalledAsync()
    {
        if (Directory.Exists(Path.Combine(ProjectFolder, "node_modules", "@hyperledger", "fabric-gateway")))
        {
            return;
        }

        // Exactly the versions in package-lock.json; no install scripts (only the optional HSM module has one).
        var install = await ProcessRun.RunAsync("npm", ProjectFolder, s_installTimeout, "ci", "--ignore-scripts", "--no-audit", "--no-fund");
        if (install.ExitCode != 0)
        {
            throw new InvalidOperationException($"npm ci in {ProjectFolder} failed ({install.ExitCode}):\n{install.Output}\n{install.Error}");
        }
    }

    private static string FindProjectFolder()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "FnzChain.sln")))
            {
                return Path.Combine(folder.FullName, "tests", "interop");
            }
        }

        throw new InvalidOperationException($"no FnzChain.sln above {AppContext.BaseDirectory}");
    }
}
