using System.Diagnostics;
using System.Globalization;

namespace FnzChain.Cli.Network;

/// <summary>
/// Starts <c>fnzchain</c> node processes (this same executable) and waits for their "listening on" line. Attached
/// nodes die with their launcher (the demo); detached nodes write to a log file and keep running
/// (<c>network up</c>), stopped later by pid.
/// </summary>
internal static class NodeLauncher
{
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(60);

    /// <summary>The command that runs this fnzchain: <c>dotnet fnzchain.dll</c> (or the apphost).</summary>
    private static (string FileName, string[] Prefix) Self()
    {
        var dll = typeof(NodeLauncher).Assembly.Location;
        return (Environment.ProcessPath is { } path && !Path.GetFileNameWithoutExtension(path).Equals("dotnet", StringComparison.OrdinalIgnoreCase) ? path : "dotnet",
            Environment.ProcessPath is { } p && !Path.GetFileNameWithoutExtension(p).Equals("dotnet", StringComparison.OrdinalIgnoreCase) ? [] : [dll]);
    }

    /// <summary>Starts a node whose output goes to <paramref name="log"/>; returns its process id and address once ready.</summary>
    public static Task<(int Pid, string Address)> StartDetachedAsync(string kind, string config, string log, CancellationToken cancellationToken)
    {
        var (fileName, prefix) = Self();
        return StartDetachedAsync(kind, [fileName, .. prefix, kind, "start", "--config", config], log, $"{kind} listening on ", cancellationToken);
    }

    /// <summary>
    /// Starts <paramref name="command"/> (program and arguments) in the background with its output in <paramref name="log"/>,
    /// and returns its process id and the rest of its first output line that starts with <paramref name="readyPrefix"/>.
    /// </summary>
    public static async Task<(int Pid, string Address)> StartDetachedAsync(string what, IEnumerable<string> command, string log, string readyPrefix, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add($"exec {string.Join(' ', command.Select(Quote))} > {Quote(log)} 2>&1 < /dev/null");
        using var process = Process.Start(start) ?? throw new CliException($"could not start the {what}");
        var deadline = DateTime.UtcNow + s_startTimeout;
        while (DateTime.UtcNow < deadline)
        {
            if (File.Exists(log))
            {
                var line = File.ReadLines(log).FirstOrDefault(l => l.StartsWith(readyPrefix, StringComparison.Ordinal));
                if (line is not null)
                {
                    return (process.Id, line[readyPrefix.Length..].Trim());
                }
            }

            if (process.HasExited)
            {
                throw new CliException($"the {what} exited during start-up: {(File.Exists(log) ? File.ReadAllText(log).Trim() : "no output")}");
            }

            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }

        process.Kill(entireProcessTree: true);
        throw new CliException($"the {what} did not start within {s_startTimeout.TotalSeconds} s; see {log}");
    }

    /// <summary>The rest of the first line of <paramref name="log"/> that starts with <paramref name="prefix"/>, or null.</summary>
    public static string? LineAfter(string log, string prefix) =>
        File.Exists(log) && File.ReadLines(log).FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal)) is { } line ? line[prefix.Length..].Trim() : null;

    /// <summary>The <c>dotnet</c> host that runs this process (or the one on PATH), for tools shipped as assemblies next to fnzchain.dll.</summary>
    public static string DotnetHost() =>
        Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path).Equals("dotnet", StringComparison.OrdinalIgnoreCase) ? path : "dotnet";

    /// <summary>Stops a node started detached: SIGTERM, then SIGKILL after a grace period.</summary>
    public static async Task StopAsync(int pid)
    {
        if (pid <= 0)
        {
            return; // never started (and kill -TERM 0 would signal our own process group)
        }

        Process process;
        try
        {
            process = Process.GetProcessById(pid);
        }
        catch (ArgumentException)
        {
            return; // already gone
        }

        using (process)
        {
            using (var kill = Process.Start("kill", ["-TERM", pid.ToString(CultureInfo.InvariantCulture)]))
            {
                await kill!.WaitForExitAsync().ConfigureAwait(false);
            }

            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try
            {
                await process.WaitForExitAsync(grace.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    private static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
