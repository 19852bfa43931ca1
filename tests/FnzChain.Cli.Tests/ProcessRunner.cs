using System.Diagnostics;

namespace FnzChain.Cli.Tests;

/// <summary>The outcome of a child process.</summary>
internal sealed record ProcessResult(int ExitCode, string StandardOutput, string StandardError)
{
    public string[] ErrorLines => StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    public override string ToString() => $"exit {ExitCode}\nstdout: {StandardOutput}\nstderr: {StandardError}";
}

/// <summary>
/// Runs the real <c>fnzchain</c> (the CLI's <c>fnzchain.dll</c>, which the project reference copies next to the
/// test assembly) and <c>openssl</c> as child processes.
/// </summary>
internal static class ProcessRunner
{
    // A guard against a hung command, not a timing assertion: a loaded 2-core CI machine runs the demos several times slower.
    private static readonly TimeSpan s_timeout = TimeSpan.FromMinutes(15);

    public static string FnzchainDll
    {
        get
        {
            var path = Path.Combine(AppContext.BaseDirectory, "fnzchain.dll");
            if (!File.Exists(path))
            {
                Assert.Fail($"fnzchain.dll not found at {path}; the test project must reference src/FnzChain.Cli (build it first)");
            }

            return path;
        }
    }

    public static Task<ProcessResult> FnzchainAsync(string workingDirectory, params string[] args) =>
        RunAsync("dotnet", [FnzchainDll, .. args], workingDirectory);

    /// <summary>fnzchain with extra environment variables (configuration overrides, for example).</summary>
    public static Task<ProcessResult> FnzchainAsync(string workingDirectory, IReadOnlyDictionary<string, string> environment, params string[] args) =>
        RunAsync("dotnet", [FnzchainDll, .. args], workingDirectory, environment);

    public static async Task<ProcessResult> OpensslAsync(string workingDirectory, params string[] args)
    {
        try
        {
            return await RunAsync("openssl", args, workingDirectory);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            Assert.Fail($"openssl is required by these tests and was not found on PATH ({ex.Message}); install it (e.g. apt-get install openssl)");
            throw;
        }
    }

    public static async Task<ProcessResult> RunAsync(string fileName, IEnumerable<string> args, string workingDirectory, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment.Remove("FNZCHAIN_DEBUG");
        foreach (var inherited in start.Environment.Keys.Where(k => k.StartsWith("FNZCHAIN__", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(inherited);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {fileName}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(s_timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{fileName} {string.Join(' ', args)} did not finish within {s_timeout}");
        }

        return new ProcessResult(process.ExitCode, await stdout, await stderr);
    }
}
