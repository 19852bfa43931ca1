using System.Text.Json;

namespace FnzChain.InteropTests;

/// <summary>
/// The network a user gets from <c>fnzchain network up --dir</c> (solo orderer, one peer each for TransferAgent and
/// Distributor, the sample fund contract defined with AND of both), in a temp folder; always stopped on dispose.
/// </summary>
internal sealed class LocalFabricNetwork : IAsyncDisposable
{
    private LocalFabricNetwork(string folder) => Folder = folder;

    public string Folder { get; }

    /// <summary>connection.json: channel, chaincode, and per organisation its peer and User1 msp folder.</summary>
    public string ConnectionFile => Path.Combine(Folder, "connection.json");

    /// <summary>Starts the network with the extra <c>network up</c> <paramref name="options"/> (e.g. <c>--mutual-tls</c>); TLS by default.</summary>
    public static async Task<LocalFabricNetwork> UpAsync(params string[] options)
    {
        var network = new LocalFabricNetwork(Directory.CreateTempSubdirectory("fnzchain-interop-").FullName);
        var up = await Fnzchain(TimeSpan.FromMinutes(3), ["network", "up", "--dir", network.Folder, .. options]);
        if (up.ExitCode != 0)
        {
            await network.DisposeAsync();
            throw new InvalidOperationException($"fnzchain network up failed ({up.ExitCode}):\n{up.Output}\n{up.Error}");
        }

        return network;
    }

    /// <summary>The <c>fnzchain</c> this test assembly was built with, as a command line: dotnet and its fnzchain.dll.</summary>
    public static IReadOnlyList<string> FnzchainCommand { get; } = ["dotnet", Path.Combine(AppContext.BaseDirectory, "fnzchain.dll")];

    /// <summary>Every node's log (for failure messages).</summary>
    public string Logs() => string.Join('\n', Directory.GetFiles(Folder, "*.log").Order().Select(f => $"--- {Path.GetFileName(f)}\n{File.ReadAllText(f)}"));

    public async ValueTask DisposeAsync()
    {
        if (File.Exists(ConnectionFile))
        {
            var pids = NodePids();
            var down = await Fnzchain(TimeSpan.FromMinutes(1), "network", "down", "--dir", Folder);
            if (down.ExitCode != 0)
            {
                foreach (var pid in pids)
                {
                    Kill(pid);
                }
            }
        }

        Directory.Delete(Folder, recursive: true);
    }

    private List<int> NodePids()
    {
        using var connection = JsonDocument.Parse(File.ReadAllText(ConnectionFile));
        var root = connection.RootElement;
        return [root.GetProperty("ordererPid").GetInt32(), .. root.GetProperty("organizations").EnumerateArray().Select(o => o.GetProperty("peerPid").GetInt32())];
    }

    private static void Kill(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            process.Kill(entireProcessTree: true);
        }
        catch (ArgumentException)
        {
            // already gone
        }
    }

    private static Task<ProcessRun.Result> Fnzchain(TimeSpan timeout, params string[] args) =>
        ProcessRun.RunAsync(FnzchainCommand[0], AppContext.BaseDirectory, timeout, [.. FnzchainCommand.Skip(1), .. args]);
}
