using System.Diagnostics;
using System.Text;
using System.Threading.Channels;

namespace FnzChain.KafkaTests;

/// <summary>
/// The mock-cluster host (<c>dotnet FnzChain.KafkaMock.dll</c>) as a child process: ready once it prints its
/// bootstrap line, driven by one-line commands, always killed on dispose. Its stderr is kept for failure messages.
/// </summary>
internal sealed class KafkaMockProcess : IAsyncDisposable
{
    private const string BootstrapPrefix = "kafka-mock bootstrap ";
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan s_answerTimeout = TimeSpan.FromSeconds(30);
    private readonly Process _process;
    private readonly Channel<string?> _lines;
    private readonly StringBuilder _errors;
    private readonly SemaphoreSlim _oneCommandAtATime = new(1, 1);

    private KafkaMockProcess(Process process, Channel<string?> lines, StringBuilder errors, string bootstrap)
    {
        _process = process;
        _lines = lines;
        _errors = errors;
        Bootstrap = bootstrap;
    }

    /// <summary>The brokers' host:port list, comma separated.</summary>
    public string Bootstrap { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>What the host wrote on stderr so far (which library it loaded, the stand-in warning, librdkafka's log).</summary>
    public string Errors
    {
        get
        {
            lock (_errors)
            {
                return _errors.ToString();
            }
        }
    }

    public static async Task<KafkaMockProcess> StartAsync(params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "FnzChain.KafkaMock.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardInputEncoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
        };
        start.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start FnzChain.KafkaMock");
        var lines = Channel.CreateUnbounded<string?>(new UnboundedChannelOptions { SingleReader = true });
        var errors = new StringBuilder();
        process.OutputDataReceived += (_, e) => lines.Writer.TryWrite(e.Data);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (errors)
                {
                    errors.AppendLine(e.Data);
                }
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.StandardInput.AutoFlush = true;
        try
        {
            var first = await lines.Reader.ReadAsync().AsTask().WaitAsync(s_startTimeout);
            if (first is null || !first.StartsWith(BootstrapPrefix, StringComparison.Ordinal))
            {
                await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
                throw new InvalidOperationException($"the mock host did not start (first line '{first}'):\n{Text(errors)}");
            }

            return new KafkaMockProcess(process, lines, errors, first[BootstrapPrefix.Length..].Trim());
        }
        catch
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            process.Dispose();
            throw;
        }
    }

    /// <summary>Sends one command line and returns the host's one answer line.</summary>
    public async Task<string> SendAsync(string command)
    {
        await _oneCommandAtATime.WaitAsync();
        try
        {
            await _process.StandardInput.WriteLineAsync(command);
            var answer = await _lines.Reader.ReadAsync().AsTask().WaitAsync(s_answerTimeout);
            return answer ?? throw new InvalidOperationException($"the mock host exited instead of answering '{command}':\n{Errors}");
        }
        finally
        {
            _oneCommandAtATime.Release();
        }
    }

    /// <summary>Sends a command that must succeed (a fault or a topic the test needs).</summary>
    public async Task CommandAsync(string command)
    {
        var answer = await SendAsync(command);
        if (!answer.StartsWith("ok ", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"the mock host refused '{command}': {answer}");
        }
    }

    /// <summary>Closes the host's stdin, as a parent that dies does, and waits for it to exit.</summary>
    public async Task<int> CloseInputAsync()
    {
        _process.StandardInput.Close();
        await _process.WaitForExitAsync().WaitAsync(s_answerTimeout);
        return _process.ExitCode;
    }

    /// <summary>Closes the host's stdin without waiting for anything (a detached host must keep serving).</summary>
    public void CloseInput() => _process.StandardInput.Close();

    /// <summary>Sends SIGTERM, as <c>network down</c> does, and waits for the host to exit.</summary>
    public async Task<int> TerminateAsync()
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill!.WaitForExitAsync();
        }

        await _process.WaitForExitAsync().WaitAsync(s_answerTimeout);
        return _process.ExitCode;
    }

    /// <summary>Waits (bounded) until the host's stderr contains <paramref name="text"/>; false if it never does.</summary>
    public async Task<bool> WaitForErrorsAsync(string text)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!Errors.Contains(text, StringComparison.Ordinal))
        {
            if (timeout.IsCancellationRequested)
            {
                return false;
            }

            await Task.Delay(50, CancellationToken.None);
        }

        return true;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        _oneCommandAtATime.Dispose();
    }

    private static string Text(StringBuilder errors)
    {
        lock (errors)
        {
            return errors.ToString();
        }
    }
}
