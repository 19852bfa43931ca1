namespace FnzChain.Node.Audit;

/// <summary>The outcome of <see cref="AuditVerifier.Verify"/>: intact, or the first problem naming the file and line.</summary>
public sealed record AuditVerification(bool IsIntact, string Message, long Lines, int Files, long LastSeq);

/// <summary>
/// Re-checks an audit folder's hash chain: every line's own hash, <c>seq</c> contiguous, <c>prev</c> equal to the
/// hash of the line before (across files: each file's first line names the previous file), and the end of the chain
/// equal to <c>head.json</c>. Read-only; safe next to a running node (the line being written may be incomplete).
/// </summary>
public static class AuditVerifier
{
    public static AuditVerification Verify(string folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        var files = AuditFileWriter.Files(folder);
        if (files.Count == 0)
        {
            return new AuditVerification(false, $"{folder}: no audit files (audit-NNNNNN.jsonl)", 0, 0, 0);
        }

        long lines = 0;
        long seq = 0;
        var prev = AuditLine.Genesis;
        string? previousFile = null;
        var lastLineInFile = 0L;
        var head = AuditHead.Read(folder);
        for (var f = 0; f < files.Count; f++)
        {
            var (number, path) = files[f];
            var name = Path.GetFileName(path);
            if (f > 0 && number != files[f - 1].Number + 1)
            {
                return Broken($"{AuditFileWriter.FileName(files[f - 1].Number + 1)} is missing (the files jump from {previousFile} to {name})");
            }

            var isLastFile = f == files.Count - 1;
            lastLineInFile = 0;
            foreach (var (lineNumber, bytes, complete) in AuditFileReader.Lines(path))
            {
                lastLineInFile = lineNumber;
                if (!complete)
                {
                    if (isLastFile)
                    {
                        lastLineInFile--; // being written now, or torn by a crash the node cuts at its next start
                        break;
                    }

                    return Broken($"{name} line {lineNumber}: the line is incomplete");
                }

                if (!AuditLine.TryRead(bytes, out var link, out var error))
                {
                    return Broken($"{name} line {lineNumber}: {error}");
                }

                if (lineNumber == 1)
                {
                    if (link.Type != "file" || link.File != name)
                    {
                        return Broken($"{name} line 1: not the file's own first line (it names {link.File ?? link.Type}; files renamed or lines removed)");
                    }

                    if (link.PreviousFile != previousFile)
                    {
                        return Broken(previousFile is null
                            ? $"{name} line 1: the chain starts after {link.PreviousFile}, which is not here (removed, or archived: verify the archive with it)"
                            : $"{name} line 1: follows {link.PreviousFile ?? "nothing"}, not {previousFile}");
                    }
                }
                else if (link.Type == "file")
                {
                    return Broken($"{name} line {lineNumber}: a file's first line in the middle of the file (lines reordered)");
                }

                if (seq != 0 && link.Seq != seq + 1)
                {
                    return Broken(link.Seq > seq + 1
                        ? $"{name} line {lineNumber}: record {link.Seq} follows record {seq} (record{(link.Seq - seq > 2 ? $"s {seq + 1}..{link.Seq - 1} were" : $" {seq + 1} was")} removed)"
                        : $"{name} line {lineNumber}: record {link.Seq} follows record {seq} (records reordered or duplicated)");
                }

                if (link.Prev != prev)
                {
                    return Broken($"{name} line {lineNumber}: does not follow the line before it (its prev hash differs: a record before it was removed, reordered or replaced)");
                }

                seq = link.Seq;
                prev = link.Hash;
                lines++;
            }

            previousFile = name;
        }

        if (head is null)
        {
            return Broken($"{AuditFileWriter.HeadFile} is missing or unreadable: the end of the chain cannot be checked");
        }

        // The node rewrites head.json after each batch: it may be a batch behind a running node, never ahead.
        if (head.Seq > seq)
        {
            return Broken($"{previousFile} ends at line {lastLineInFile} (record {seq}) but {AuditFileWriter.HeadFile} says the chain reached record {head.Seq} in {head.File} line {head.Line}: records at the end were removed");
        }

        return new AuditVerification(true, $"audit trail intact: {lines} lines in {files.Count} file{(files.Count == 1 ? string.Empty : "s")}, records 1..{seq}", lines, files.Count, seq);

        AuditVerification Broken(string message) => new(false, message, lines, files.Count, seq);
    }
}
