using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using FnzChain.Node.Audit;

namespace FnzChain.Cli.Commands;

/// <summary>
/// <c>fnzchain audit verify --node &lt;data folder&gt;</c> re-checks a node's hash-chained audit trail;
/// <c>fnzchain audit tail --node &lt;data folder&gt; [-n N] [--follow] [--json]</c> prints its last records.
/// </summary>
internal static class AuditCommand
{
    private static readonly TimeSpan FollowInterval = TimeSpan.FromMilliseconds(500);

    public static Command Create()
    {
        var command = new Command("audit", "Read a node's audit trail (one hash-chained record per request, in <data folder>/audit).");
        command.Subcommands.Add(CreateVerify());
        command.Subcommands.Add(CreateTail());
        return command;
    }

    private static Option<string> NodeOption() =>
        new Option<string>("--node") { Description = "The node's data folder (its dataPath), or its audit folder.", Required = true }.MustBeFolder();

    /// <summary>The audit folder of a data folder, or the folder itself when it holds the audit files.</summary>
    private static string AuditFolder(string node)
    {
        var nested = Path.Combine(node, "audit");
        if (Directory.Exists(nested))
        {
            return nested;
        }

        return AuditFileWriter.Files(node).Count > 0 ? node : throw new CliException($"audit: {node} holds no audit trail (no audit/ folder, no audit-NNNNNN.jsonl files)");
    }

    private static Command CreateVerify()
    {
        var node = NodeOption();
        var command = new Command(
            "verify",
            "Re-check every record's hash, the sequence and the chain across files, and the end of the chain against head.json. Prints the first broken record (file and line) and exits 1, or a summary. Safe next to a running node.");
        command.Options.Add(node);
        command.SetAction((parse, _) =>
        {
            var result = AuditVerifier.Verify(AuditFolder(parse.GetValue(node)!));
            if (!result.IsIntact)
            {
                throw new CliException($"audit verify: {result.Message}");
            }

            parse.InvocationConfiguration.Output.WriteLine($"audit verify: ok: {result.Message}");
            return Task.FromResult(0);
        });
        return command;
    }

    private static Command CreateTail()
    {
        var node = NodeOption();
        var count = new Option<int>("-n", "--lines") { Description = "How many records to print.", DefaultValueFactory = _ => 20 };
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing records as the node writes them (Ctrl+C stops)." };
        var json = new Option<bool>("--json") { Description = "Print the records' JSON lines as stored." };
        var command = new Command("tail", "Print the last records of a node's audit trail, one line each.");
        command.Options.Add(node);
        command.Options.Add(count);
        command.Options.Add(follow);
        command.Options.Add(json);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var folder = AuditFolder(parse.GetValue(node)!);
            var lines = parse.GetValue(count);
            if (lines < 0)
            {
                throw new CliException($"audit tail: -n {lines} is negative");
            }

            var output = parse.InvocationConfiguration.Output;
            var asJson = parse.GetValue(json);
            var (lastFile, lastLine) = PrintLast(folder, lines, asJson, output);
            if (!parse.GetValue(follow))
            {
                return 0;
            }

            try
            {
                while (true)
                {
                    await Task.Delay(FollowInterval, cancellationToken).ConfigureAwait(false);
                    (lastFile, lastLine) = PrintNew(folder, lastFile, lastLine, asJson, output);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return 0;
            }
        });
        return command;
    }

    /// <summary>Prints the last <paramref name="count"/> request records; returns where the trail ends (file number, complete lines read).</summary>
    private static (int File, long Line) PrintLast(string folder, int count, bool asJson, TextWriter output)
    {
        var files = AuditFileWriter.Files(folder);
        if (files.Count == 0)
        {
            return (0, 0);
        }

        var collected = new List<byte[]>();
        var end = (files[^1].Number, 0L);
        for (var f = files.Count - 1; f >= 0 && collected.Count < count; f--)
        {
            var records = new List<byte[]>();
            long complete = 0;
            foreach (var (number, bytes, isComplete) in AuditFileReader.Lines(files[f].Path))
            {
                if (!isComplete)
                {
                    break;
                }

                complete = number;
                if (IsRequest(bytes))
                {
                    records.Add(bytes);
                }
            }

            if (f == files.Count - 1)
            {
                end = (files[f].Number, complete);
            }

            collected.InsertRange(0, records.Skip(Math.Max(0, records.Count - (count - collected.Count))));
        }

        foreach (var line in collected)
        {
            output.WriteLine(asJson ? Encoding.UTF8.GetString(line) : Format(line));
        }

        return end;
    }

    /// <summary>Prints the records written after line <paramref name="line"/> of file <paramref name="file"/>, following into newer files.</summary>
    private static (int File, long Line) PrintNew(string folder, int file, long line, bool asJson, TextWriter output)
    {
        foreach (var (number, path) in AuditFileWriter.Files(folder).Where(f => f.Number >= file))
        {
            var from = number == file ? line : 0;
            foreach (var (lineNumber, bytes, complete) in AuditFileReader.Lines(path))
            {
                if (!complete)
                {
                    break;
                }

                if (lineNumber <= from)
                {
                    continue;
                }

                (file, line) = (number, lineNumber);
                if (IsRequest(bytes))
                {
                    output.WriteLine(asJson ? Encoding.UTF8.GetString(bytes) : Format(bytes));
                }
            }

            if (number != file)
            {
                (file, line) = (number, 0);
            }
        }

        output.Flush();
        return (file, line);
    }

    private static bool IsRequest(byte[] line) => line.AsSpan().IndexOf("\"type\":\"request\""u8) >= 0;

    /// <summary>One record as a line an operator reads: time, method, origin, creator, transaction, outcome, duration.</summary>
    internal static string Format(byte[] line)
    {
        try
        {
            using var document = JsonDocument.Parse(line);
            var r = document.RootElement;
            string? S(string name) => r.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            int? N(string name) => r.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt32() : null;
            var text = new StringBuilder();
            text.Append(S("time")).Append(' ').Append(S("method")).Append(" from ").Append(S("origin") ?? "?");
            if (N("port") is { } port)
            {
                text.Append(':').Append(port.ToString(CultureInfo.InvariantCulture));
            }

            if (S("tlsClient") is { } tls)
            {
                text.Append(" tls '").Append(tls).Append('\'');
            }

            if (S("mspId") is { } msp)
            {
                text.Append(' ').Append(msp);
                if (S("subject") is { } subject)
                {
                    text.Append(" '").Append(subject).Append('\'');
                }
            }

            if (S("channel") is { } channel)
            {
                text.Append(" channel ").Append(channel);
            }

            if (S("txId") is { } tx)
            {
                text.Append(" tx ").Append(tx);
            }

            if (S("chaincode") is { } chaincode)
            {
                text.Append(' ').Append(chaincode);
                if (S("function") is { } function)
                {
                    text.Append('.').Append(function);
                }
            }

            text.Append(" -> ").Append(S("grpcStatus"));
            if (N("status") is { } status)
            {
                text.Append(" (").Append(status.ToString(CultureInfo.InvariantCulture)).Append(')');
            }

            if (S("authFailure") is { } failure)
            {
                text.Append(" auth ").Append(failure);
            }

            if (S("reason") is { } reason)
            {
                text.Append(": ").Append(reason);
            }

            if (r.TryGetProperty("durationMs", out var duration))
            {
                text.Append(" [").Append(duration.GetDouble().ToString("0.###", CultureInfo.InvariantCulture)).Append(" ms]");
            }

            return text.Append(" #").Append(r.GetProperty("seq").GetInt64().ToString(CultureInfo.InvariantCulture)).ToString();
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return $"(unreadable record: {e.Message}) {Encoding.UTF8.GetString(line)}";
        }
    }
}
