using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using FnzChain.Ledger.State.CouchDb;

namespace FnzChain.CouchDbTests;

/// <summary>
/// The CouchDB-compatible server the tests talk to: pouchdb-server (tools/couchdb-server, pinned by its package-lock.json and
/// installed with <c>npm ci</c> when node_modules is missing) started on a free loopback port with its LevelDB data in
/// a temp folder — or, when <c>FNZCHAIN_TEST_COUCHDB=http://user:pass@host:port</c> is set, that real CouchDB 3.x,
/// which is then neither started nor stopped. Always stopped (with its data folder removed) by <see cref="DisposeAsync"/>.
/// </summary>
internal sealed class CouchDbTestServer : IAsyncDisposable
{
    public const string EnvironmentVariable = "FNZCHAIN_TEST_COUCHDB";

    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan s_installTimeout = TimeSpan.FromMinutes(5);
    private static readonly SemaphoreSlim s_installGate = new(1, 1);

    private readonly string? _dataFolder;
    private Process? _process;

    private CouchDbTestServer(CouchDbOptions options, string? dataFolder, int port)
    {
        Options = options;
        _dataFolder = dataFolder;
        Port = port;
    }

    /// <summary>Where and as whom to connect (fresh options per call site should copy these).</summary>
    public CouchDbOptions Options { get; }

    /// <summary>True when the server is an external CouchDB named by <see cref="EnvironmentVariable"/>.</summary>
    public bool IsExternal => _dataFolder is null;

    /// <summary>The pouchdb-server data folder (LevelDB files), or null for an external server.</summary>
    public string? DataFolder => _dataFolder;

    public int Port { get; }

    /// <summary>Options for a database: the server's address and credentials with test-friendly retry settings.</summary>
    public CouchDbOptions NewOptions() => new()
    {
        Address = Options.Address,
        Username = Options.Username,
        Password = Options.Password,
        MaxRetries = 2,
        RetryBaseDelay = TimeSpan.FromMilliseconds(50),
        RequestTimeout = TimeSpan.FromSeconds(30),
        CircuitBreakDuration = TimeSpan.FromMilliseconds(500),
    };

    public static async Task<CouchDbTestServer> StartAsync()
    {
        var external = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(external))
        {
            var options = CouchDbOptions.FromUrl(external);
            return new CouchDbTestServer(options, null, new Uri(options.Address).Port);
        }

        await EnsureInstalledAsync();
        var port = FreePort();
        var folder = Path.Combine(Path.GetTempPath(), "fnzchain-couch-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(folder, "data"));
        var server = new CouchDbTestServer(new CouchDbOptions { Address = $"http://127.0.0.1:{port}" }, folder, port);
        await server.RestartAsync();
        return server;
    }

    /// <summary>Starts pouchdb-server (again, on the same port and data folder) and waits until <c>GET /</c> answers.</summary>
    public async Task RestartAsync()
    {
        if (IsExternal)
        {
            throw new InvalidOperationException("an external CouchDB cannot be restarted by the tests");
        }

        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = _dataFolder!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { Path.Combine(PackageFolder, "node_modules", "pouchdb-server", "bin", "pouchdb-server"), "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--host", "127.0.0.1", "--dir", Path.Combine(_dataFolder!, "data"), "--config", Path.Combine(_dataFolder!, "config.json"), "--no-stdout-logs" })
        {
            start.ArgumentList.Add(arg);
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException("could not start pouchdb-server (node)");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"pouchdb-server exited with code {_process.ExitCode} during start-up (port {Port}, folder {_dataFolder})");
            }

            try
            {
                using var response = await http.GetAsync(Options.Address + "/");
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            catch (TaskCanceledException)
            {
                // no answer yet
            }

            if (deadline.Elapsed > s_startTimeout)
            {
                await StopAsync();
                throw new TimeoutException($"pouchdb-server did not answer GET / on port {Port} within {s_startTimeout}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Kills pouchdb-server (SIGKILL: as a crash would) and waits for it to exit.</summary>
    public async Task StopAsync()
    {
        if (_process is null)
        {
            return;
        }

        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
        _process.Dispose();
        _process = null;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        if (_dataFolder is not null && Directory.Exists(_dataFolder))
        {
            Directory.Delete(_dataFolder, recursive: true);
        }
    }

    private static string PackageFolder => Path.Combine(SourceRoot(), "tools", "couchdb-server");

    /// <summary>Installs exactly the versions in package-lock.json (<c>npm ci</c>) when they are missing.</summary>
    private static async Task EnsureInstalledAsync()
    {
        await s_installGate.WaitAsync();
        try
        {
            if (File.Exists(Path.Combine(PackageFolder, "node_modules", "pouchdb-server", "bin", "pouchdb-server")))
            {
                return;
            }

            // No install scripts: leveldown ships prebuilt binaries (node-gyp-build loads them at run time).
            var start = new ProcessStartInfo("npm") { WorkingDirectory = PackageFolder, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var arg in new[] { "ci", "--ignore-scripts", "--no-audit", "--no-fund" })
            {
                start.ArgumentList.Add(arg);
            }

            using var npm = Process.Start(start) ?? throw new InvalidOperationException("could not start npm");
            var output = npm.StandardOutput.ReadToEndAsync();
            var error = npm.StandardError.ReadToEndAsync();
            using var limit = new CancellationTokenSource(s_installTimeout);
            try
            {
                await npm.WaitForExitAsync(limit.Token);
            }
            catch (OperationCanceledException)
            {
                npm.Kill(entireProcessTree: true);
                throw new TimeoutException($"npm ci in {PackageFolder} did not finish within {s_installTimeout}");
            }

            if (npm.ExitCode != 0)
            {
                throw new InvalidOperationException($"npm ci in {PackageFolder} failed ({npm.ExitCode}):\n{await output}\n{await error}");
            }
        }
        finally
        {
            s_installGate.Release();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string SourceRoot()
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
