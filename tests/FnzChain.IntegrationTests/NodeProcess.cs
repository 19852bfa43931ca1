using System.Diagnostics;
using System.Text;

namespace FnzChain.IntegrationTests;

/// <summary>
/// A node (<c>fnzchain orderer start</c>, later peers) as a child process on a free loopback port: started from a
/// config file, ready once it prints its address, always killed on dispose. Its output is kept for failure messages.
/// </summary>
internal sealed class NodeProcess : IAsyncDisposable
{
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(60);
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private NodeProcess(Process process, string address)
    {
        _process = process;
        Address = address;
    }

    /// <summary>host:port the node listens on.</summary>
    public string Address { get; }

    /// <summary>How test code connects to this node (<see cref="TestNetwork.Connect"/>): plaintext unless the network runs TLS.</summary>
    public FnzChain.Client.Connections.ClientTls ClientTls { get; set; } = FnzChain.Client.Connections.ClientTls.Plaintext;

    public int Pid => _process.Id;

    /// <summary>The node process's resident set size now, from /proc (Linux).</summary>
    public long ResidentBytes()
    {
        var line = File.ReadLines($"/proc/{_process.Id}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;
    }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static async Task<NodeProcess> StartAsync(string workDir, string readyPrefix, params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "fnzchain.dll");
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = workDir, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start fnzchain");
        var output = new StringBuilder();
        var ready = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        void Collect(string? line)
        {
            if (line is null)
            {
                ready.TrySetException(new InvalidOperationException($"the node exited before it was ready:\n{output}"));
                return;
            }

            lock (output)
            {
                output.AppendLine(line);
            }

            if (line.StartsWith(readyPrefix, StringComparison.Ordinal))
            {
                ready.TrySetResult(line[readyPrefix.Length..].Trim());
            }
        }

        process.OutputDataReceived += (_, e) => Collect(e.Data);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (output)
                {
                    output.AppendLine(e.Data);
                }
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var address = await ready.Task.WaitAsync(s_startTimeout);
            var node = new NodeProcess(process, address);
            node._output.Append(output);
            process.OutputDataReceived += (_, e) =>
            {
                lock (node._output)
                {
                    node._output.AppendLine(e.Data);
                }
            };
            return node;
        }
        catch
        {
            process.Kill(entireProcessTree: true);
            process.Dispose();
            throw;
        }
    }

    /// <summary>Asks the node to stop (SIGTERM) and waits for it; kills it if it does not stop in time.</summary>
    public async Task StopAsync()
    {
        if (_process.HasExited)
        {
            return;
        }

        Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])?.WaitForExit();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
        }
    }

    /// <summary>Kills the node at once (SIGKILL: no shutdown, as a crash) and waits until it is gone; the process stays for <see cref="Output"/>.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
