using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace FnzChain.Cli.Network;

/// <summary>
/// The local CouchDB-compatible servers of <c>network up --state-db couchdb</c>: pouchdb-server from npm (no Apache
/// CouchDB package installs on these machines; decision 0018), one per peer as Fabric runs one CouchDB per peer, each
/// on a free loopback port with its LevelDB files in the network folder. The npm package (versions pinned by the
/// package-lock shipped next to fnzchain) is installed once per lock into <c>~/.cache/fnzchain</c> (or
/// <c>FNZCHAIN_TOOLS_DIR</c>); installs from parallel processes wait for each other.
/// </summary>
internal static class CouchDbServers
{
    private static readonly TimeSpan s_installTimeout = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(60);

    /// <summary>The package files shipped next to fnzchain (copied from tools/couchdb-server at build).</summary>
    private static string PackageSource => Path.Combine(AppContext.BaseDirectory, "couchdb-server");

    /// <summary>Where a peer's server keeps its files and writes its log, in the network folder.</summary>
    public static string DataFolder(string folder, string peer) => Path.Combine(folder, $"couchdb-{peer}");

    /// <summary>Installs pouchdb-server if this lock's install is missing; returns the path of its start script.</summary>
    public static async Task<string> EnsureInstalledAsync(TextWriter output, CancellationToken cancellationToken)
    {
        var lockFile = Path.Combine(PackageSource, "package-lock.json");
        if (!File.Exists(lockFile))
        {
            throw new CliException($"the CouchDB test server's package files are missing from {PackageSource} (rebuild fnzchain)");
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(lockFile, cancellationToken).ConfigureAwait(false)))[..12];
        var root = Environment.GetEnvironmentVariable("FNZCHAIN_TOOLS_DIR") is { Length: > 0 } tools
            ? tools
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "fnzchain");
        var target = Path.Combine(root, $"couchdb-server-{hash}");
        var script = Path.Combine(target, "node_modules", "pouchdb-server", "bin", "pouchdb-server");
        if (File.Exists(script))
        {
            return script;
        }

        Directory.CreateDirectory(target);
        // One installer at a time: a second process waits on the lock, then finds the install done.
        await using var gate = await LockAsync(Path.Combine(target, ".install.lock"), cancellationToken).ConfigureAwait(false);
        if (File.Exists(script))
        {
            return script;
        }

        output.WriteLine($"  installing pouchdb-server (the local CouchDB-compatible server) into {target} with npm ci");
        File.Copy(Path.Combine(PackageSource, "package.json"), Path.Combine(target, "package.json"), overwrite: true);
        File.Copy(lockFile, Path.Combine(target, "package-lock.json"), overwrite: true);
        var (exitCode, error) = await RunAsync("npm", target, cancellationToken, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error").ConfigureAwait(false);
        if (exitCode != 0 || !File.Exists(script))
        {
            var last = error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "no output";
            throw new CliException($"could not install pouchdb-server with npm ci in {target} (exit {exitCode}): {last}");
        }

        return script;
    }

    /// <summary>Starts a server for <paramref name="peer"/> in the background; returns its process id and address once it answers.</summary>
    public static async Task<(int Pid, string Address)> StartAsync(string script, string folder, string peer, CancellationToken cancellationToken)
    {
        var data = DataFolder(folder, peer);
        Directory.CreateDirectory(data);
        var port = FreePort();
        var log = Path.Combine(data, "server.log");
        string[] command = ["node", script, "--port", port.ToString(CultureInfo.InvariantCulture), "--host", "127.0.0.1", "--dir", data, "--config", Path.Combine(data, "config.json"), "--no-stdout-logs"];
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, WorkingDirectory = data };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add($"exec {string.Join(' ', command.Select(Quote))} > {Quote(log)} 2>&1 < /dev/null");
        using var process = Process.Start(start) ?? throw new CliException($"could not start the CouchDB-compatible server for {peer}");
        var address = $"http://127.0.0.1:{port}";
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + s_startTimeout;
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new CliException($"the CouchDB-compatible server for {peer} exited during start-up: {(File.Exists(log) ? File.ReadAllText(log).Trim() : "no output")}");
            }

            try
            {
                using var answer = await http.GetAsync(new Uri(address + "/"), cancellationToken).ConfigureAwait(false);
                if (answer.StatusCode == HttpStatusCode.OK)
                {
                    return (process.Id, address);
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                // not listening yet
            }

            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }

        process.Kill(entireProcessTree: true);
        throw new CliException($"the CouchDB-compatible server for {peer} did not answer on {address} within {s_startTimeout.TotalSeconds} s; see {log}");
    }

    private static async Task<IAsyncDisposable> LockAsync(string path, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + s_installTimeout;
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(500, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static async Task<(int ExitCode, string Error)> RunAsync(string fileName, string folder, CancellationToken cancellationToken, params string[] arguments)
    {
        var start = new ProcessStartInfo(fileName) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new CliException($"could not start {fileName}");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new CliException($"could not start {fileName} (is Node/npm installed?): {e.Message}");
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(s_installTimeout);
            try
            {
                await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                process.Kill(entireProcessTree: true);
                throw new CliException($"{fileName} {string.Join(' ', arguments)} in {folder} did not finish within {s_installTimeout.TotalMinutes} minutes");
            }

            await stdout.ConfigureAwait(false);
            return (process.ExitCode, await stderr.ConfigureAwait(false));
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
