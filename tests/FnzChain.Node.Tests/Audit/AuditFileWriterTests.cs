using System.Text;
using FnzChain.Node.Audit;

namespace FnzChain.Node.Tests.Audit;

/// <summary>The hash chain of the audit files: written, rotated, resumed, and every kind of tampering named by file and line.</summary>
public sealed class AuditFileWriterTests
{
    private string _folder = null!;

    [SetUp]
    public void CreateFolder() => _folder = Directory.CreateTempSubdirectory("fnzchain-audit-").FullName;

    [TearDown]
    public void DeleteFolder() => Directory.Delete(_folder, recursive: true);

    private static AuditRecord Record(int n) => new()
    {
        Time = new DateTimeOffset(2026, 12, 7, 9, 0, 0, TimeSpan.Zero).AddSeconds(n),
        Method = "/gateway.Gateway/Evaluate",
        Origin = "127.0.0.1",
        OriginPort = 40000 + n,
        MspId = "Org1MSP",
        Subject = "CN=User1@org1.example.com",
        TxId = $"tx{n}",
        Channel = "funds",
        Chaincode = "funds",
        Function = "ReadFund",
        GrpcStatus = "OK",
        DurationMs = 1.5,
    };

    private void Write(int count, long maxFileBytes = 1024 * 1024, int start = 0)
    {
        using var writer = AuditFileWriter.Open(_folder, maxFileBytes, TimeProvider.System);
        writer.Append([.. Enumerable.Range(start, count).Select(Record)], sync: false);
    }

    private string File1 => Path.Combine(_folder, "audit-000001.jsonl");

    private static void RewriteLines(string path, Func<List<string>, List<string>> change) =>
        File.WriteAllText(path, string.Join("\n", change([.. File.ReadAllText(path).TrimEnd('\n').Split('\n')])) + "\n");

    [Test]
    public void An_intact_trail_verifies()
    {
        Write(10);

        var result = AuditVerifier.Verify(_folder);

        Assert.That(result.IsIntact, Is.True, result.Message);
        Assert.That(result.Lines, Is.EqualTo(11)); // the file line and 10 records
        Assert.That(result.LastSeq, Is.EqualTo(11));
    }

    [Test]
    public void Each_line_carries_the_hash_of_the_line_before()
    {
        Write(2);
        var lines = File.ReadAllLines(File1);

        Assert.That(AuditLine.TryRead(Encoding.UTF8.GetBytes(lines[0]), out var first, out _), Is.True);
        Assert.That(AuditLine.TryRead(Encoding.UTF8.GetBytes(lines[1]), out var second, out _), Is.True);
        Assert.That(first.Prev, Is.EqualTo(AuditLine.Genesis));
        Assert.That(second.Prev, Is.EqualTo(first.Hash));
        Assert.That(second.Seq, Is.EqualTo(first.Seq + 1));
    }

    [Test]
    public void A_removed_line_is_named_by_file_and_line()
    {
        Write(10);
        RewriteLines(File1, lines => [.. lines.Where((_, i) => i != 4)]); // line 5: record seq 5

        var result = AuditVerifier.Verify(_folder);

        Assert.That(result.IsIntact, Is.False);
        Assert.That(result.Message, Is.EqualTo("audit-000001.jsonl line 5: record 6 follows record 4 (record 5 was removed)"));
    }

    [Test]
    public void An_edited_line_is_named_by_file_and_line()
    {
        Write(10);
        RewriteLines(File1, lines => [.. lines.Select((l, i) => i == 6 ? l.Replace("\"grpcStatus\":\"OK\"", "\"grpcStatus\":\"PermissionDenied\"", StringComparison.Ordinal) : l)]);

        var result = AuditVerifier.Verify(_folder);

        Assert.That(result.Message, Is.EqualTo("audit-000001.jsonl line 7: its hash does not match its content (the line was edited)"));
    }

    [Test]
    public void An_edited_line_with_its_hash_recomputed_breaks_the_next_line()
    {
        Write(10);
        // A forger who recomputes the edited line's own hash still cannot make the next line's prev match it.
        var lines = File.ReadAllText(File1).TrimEnd('\n').Split('\n');
        var edited = lines[6].Replace("\"tx5\"", "\"txX\"", StringComparison.Ordinal);
        Assert.That(edited, Is.Not.EqualTo(lines[6]));
        var body = edited[..edited.LastIndexOf(",\"hash\":\"", StringComparison.Ordinal)] + "}";
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(body)));
        lines[6] = body[..^1] + ",\"hash\":\"" + hash + "\"}";
        File.WriteAllText(File1, string.Join("\n", lines) + "\n");

        var result = AuditVerifier.Verify(_folder);

        Assert.That(result.Message, Does.StartWith("audit-000001.jsonl line 8: does not follow the line before it"));
    }

    [Test]
    public void Reordered_lines_are_detected()
    {
        Write(10);
        RewriteLines(File1, lines => [.. lines.Take(3), lines[4], lines[3], .. lines.Skip(5)]);

        var result = AuditVerifier.Verify(_folder);

        Assert.That(result.Message, Is.EqualTo("audit-000001.jsonl line 4: record 5 follows record 3 (record 4 was removed)"));
    }

    [Test]
    public void Lines_removed_from_the_end_are_detected_by_the_head()
    {
        Write(10);
        RewriteLines(File1, lines => [.. lines.Take(8)]);

        var result = AuditVerifier.Verify(_folder);

        Assert.That(result.Message, Does.StartWith("audit-000001.jsonl ends at line 8 (record 8) but head.json says the chain reached record 11"));
    }

    [Test]
    public void Files_rotate_by_size_and_the_chain_runs_across_them()
    {
        Write(60, maxFileBytes: 4096);

        var files = AuditFileWriter.Files(_folder);
        var result = AuditVerifier.Verify(_folder);

        Assert.That(files, Has.Count.GreaterThan(2));
        Assert.That(files.Select(f => new FileInfo(f.Path).Length), Has.All.LessThanOrEqualTo(4096));
        Assert.That(result.IsIntact, Is.True, result.Message);
        Assert.That(File.ReadLines(files[1].Path).First(), Does.Contain("\"previousFile\":\"audit-000001.jsonl\""));
    }

    [Test]
    public void A_removed_middle_file_is_named()
    {
        Write(60, maxFileBytes: 4096);
        File.Delete(Path.Combine(_folder, "audit-000002.jsonl"));

        var result = AuditVerifier.Verify(_folder);

        Assert.That(result.Message, Is.EqualTo("audit-000002.jsonl is missing (the files jump from audit-000001.jsonl to audit-000003.jsonl)"));
    }

    [Test]
    public void A_restart_continues_the_chain_in_a_new_file()
    {
        Write(5);
        Write(5, start: 5);

        var result = AuditVerifier.Verify(_folder);

        Assert.That(AuditFileWriter.Files(_folder), Has.Count.EqualTo(2));
        Assert.That(result.IsIntact, Is.True, result.Message);
        Assert.That(result.LastSeq, Is.EqualTo(12));
    }

    [Test]
    public void A_line_torn_by_a_crash_is_cut_at_restart_and_the_cut_is_recorded()
    {
        Write(5);
        File.AppendAllText(File1, "{\"seq\":7,\"type\":\"requ"); // the node died mid-write

        Write(1, start: 5);

        var result = AuditVerifier.Verify(_folder);
        Assert.That(result.IsIntact, Is.True, result.Message);
        Assert.That(File.ReadLines(Path.Combine(_folder, "audit-000002.jsonl")).First(), Does.Contain("\"truncatedBytes\":21"));
    }

    [Test]
    public void An_incomplete_line_in_an_older_file_fails_verification()
    {
        Write(5);
        Write(1, start: 5);
        File.AppendAllText(File1, "{\"seq\":99");

        var result = AuditVerifier.Verify(_folder);

        Assert.That(result.Message, Is.EqualTo("audit-000001.jsonl line 7: the line is incomplete"));
    }
}
