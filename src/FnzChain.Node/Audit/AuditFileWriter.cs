using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace FnzChain.Node.Audit;

/// <summary>
/// Appends records to the hash-chained files of an audit folder (<see cref="AuditLine"/>): <c>audit-000001.jsonl</c>,
/// <c>audit-000002.jsonl</c>, … and <c>head.json</c>, the position of the last line written (so that lines removed
/// from the end are detected too). Each start opens a new file linked to the last line of the previous one; a line
/// torn by a crash at the end of that file is cut off first and the cut is recorded in the new file's first line.
/// One thread at a time (the trail's writer).
/// </summary>
public sealed class AuditFileWriter : IDisposable
{
    public const string HeadFile = "head.json";

    private readonly string _folder;
    private readonly long _maxFileBytes;
    private readonly TimeProvider _time;
    private readonly ArrayBufferWriter<byte> _scratch = new(2048);
    private readonly ArrayBufferWriter<byte> _line = new(2048);
    private readonly ArrayBufferWriter<byte> _batch = new(64 * 1024);
    private FileStream? _file;
    private FileStream? _head;
    private int _number;
    private string _fileName = string.Empty;
    private long _fileLength;
    private long _linesInFile;
    private long _seq;
    private string _prev = AuditLine.Genesis;

    private AuditFileWriter(string folder, long maxFileBytes, TimeProvider time)
    {
        _folder = folder;
        _maxFileBytes = maxFileBytes;
        _time = time;
    }

    /// <summary>The file being written.</summary>
    public string CurrentFile => _fileName;

    /// <summary>Sequence number of the last line written.</summary>
    public long LastSeq => _seq;

    /// <summary>Opens <paramref name="folder"/> (created if missing) and starts a new file linked to the last line there.</summary>
    public static AuditFileWriter Open(string folder, long maxFileBytes, TimeProvider time)
    {
        Directory.CreateDirectory(folder);
        var writer = new AuditFileWriter(folder, maxFileBytes, time);
        try
        {
            writer.Resume();
        }
        catch
        {
            writer.Dispose();
            throw;
        }

        return writer;
    }

    /// <summary>The audit files in <paramref name="folder"/>, by number.</summary>
    public static IReadOnlyList<(int Number, string Path)> Files(string folder) =>
        Directory.Exists(folder)
            ? [.. Directory.EnumerateFiles(folder, "audit-*.jsonl")
                .Select(path => (Number: ParseNumber(Path.GetFileName(path)), Path: path))
                .Where(f => f.Number > 0)
                .OrderBy(f => f.Number)]
            : [];

    public static string FileName(int number) => $"audit-{number.ToString("D6", CultureInfo.InvariantCulture)}.jsonl";

    private static int ParseNumber(string name) =>
        name.Length == "audit-000000.jsonl".Length && int.TryParse(name.AsSpan(6, 6), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : -1;

    private void Resume()
    {
        var files = Files(_folder);
        string? previousFile = null;
        long truncated = 0;
        if (files.Count > 0)
        {
            var (number, path) = files[^1];
            truncated = CutTornLine(path);
            var last = LastLine(path) ?? throw new InvalidOperationException($"audit file {path} holds no line to continue the chain from; move it aside");
            if (!AuditLine.TryRead(last.Bytes, out var link, out var error))
            {
                throw new InvalidOperationException($"audit file {path} line {last.Number}: {error}; run fnzchain audit verify and move the file aside");
            }

            _number = number;
            _seq = link.Seq;
            _prev = link.Hash;
            previousFile = Path.GetFileName(path);
        }

        _head = new FileStream(Path.Combine(_folder, HeadFile), FileMode.OpenOrCreate, FileAccess.Write, FileShare.Read);
        StartFile(previousFile, truncated);
        WriteHead();
    }

    /// <summary>Cuts an incomplete last line (no newline: the node stopped while writing it); returns the bytes cut.</summary>
    private static long CutTornLine(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read);
        var length = stream.Length;
        if (length == 0)
        {
            return 0;
        }

        var end = length;
        var one = new byte[1];
        while (end > 0)
        {
            stream.Position = end - 1;
            stream.ReadExactly(one);
            if (one[0] == (byte)'\n')
            {
                break;
            }

            end--;
        }

        if (end == length)
        {
            return 0;
        }

        stream.SetLength(end);
        stream.Flush(flushToDisk: true);
        return length - end;
    }

    private static (long Number, byte[] Bytes)? LastLine(string path)
    {
        long number = 0;
        byte[]? last = null;
        foreach (var line in AuditFileReader.Lines(path))
        {
            number = line.Number;
            last = line.Bytes;
        }

        return last is null ? null : (number, last);
    }

    private void StartFile(string? previousFile, long truncatedBytes)
    {
        _number++;
        _fileName = FileName(_number);
        var path = Path.Combine(_folder, _fileName);
        if (File.Exists(path))
        {
            throw new InvalidOperationException($"audit file {path} already exists");
        }

        _file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, 1, FileOptions.None);
        _fileLength = 0;
        _linesInFile = 0;
        _batch.ResetWrittenCount();
        _prev = AuditLine.WriteFileHeader(_scratch, _batch, ++_seq, _prev, _fileName, previousFile, _time.GetUtcNow(), truncatedBytes);
        _linesInFile = 1;
        WriteBatch(sync: true);
    }

    /// <summary>Appends <paramref name="records"/>, rotating when a file would pass its size; flushes them to the operating system (and to disk with <paramref name="sync"/>).</summary>
    public void Append(IReadOnlyList<AuditRecord> records, bool sync)
    {
        ArgumentNullException.ThrowIfNull(records);
        _batch.ResetWrittenCount();
        foreach (var record in records)
        {
            _line.ResetWrittenCount();
            var hash = AuditLine.WriteRecord(_scratch, _line, _seq + 1, _prev, record);
            if (_fileLength + _batch.WrittenCount + _line.WrittenCount > _maxFileBytes && _linesInFile > 1)
            {
                WriteBatch(sync: true);
                var previous = _fileName;
                _file!.Dispose();
                StartFile(previous, 0);
                _line.ResetWrittenCount();
                hash = AuditLine.WriteRecord(_scratch, _line, _seq + 1, _prev, record);
            }

            _batch.Write(_line.WrittenSpan);
            _seq++;
            _prev = hash;
            _linesInFile++;
        }

        WriteBatch(sync);
        WriteHead();
    }

    private void WriteBatch(bool sync)
    {
        if (_batch.WrittenCount > 0)
        {
            _file!.Write(_batch.WrittenSpan);
            _fileLength += _batch.WrittenCount;
            _batch.ResetWrittenCount();
        }

        _file!.Flush(flushToDisk: sync);
    }

    private void WriteHead()
    {
        var head = JsonSerializer.SerializeToUtf8Bytes(new AuditHead(_fileName, _linesInFile, _seq, _prev), AuditHead.JsonOptions);
        _head!.Position = 0;
        _head.Write(head);
        _head.SetLength(head.Length);
        _head.Flush();
    }

    /// <summary>Flushes to disk and closes the files.</summary>
    public void Dispose()
    {
        if (_file is not null)
        {
            _file.Flush(flushToDisk: true);
            _file.Dispose();
            _file = null;
        }

        if (_head is not null)
        {
            _head.Flush(flushToDisk: true);
            _head.Dispose();
            _head = null;
        }
    }
}

/// <summary><c>head.json</c>: where the chain ends (file, its line count, the last seq and hash).</summary>
public sealed record AuditHead(string File, long Line, long Seq, string Hash)
{
    internal static readonly JsonSerializerOptions JsonOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static AuditHead? Read(string folder)
    {
        var path = Path.Combine(folder, AuditFileWriter.HeadFile);
        if (!System.IO.File.Exists(path))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<AuditHead>(System.IO.File.ReadAllBytes(path), JsonOptions);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>Reads the lines of an audit file as bytes, numbered from 1, and whether the last one is complete.</summary>
public static class AuditFileReader
{
    public static IEnumerable<(long Number, byte[] Bytes, bool Complete)> Lines(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var buffer = new byte[64 * 1024];
        var line = new ArrayBufferWriter<byte>(2048);
        long number = 0;
        int read;
        while ((read = stream.Read(buffer)) > 0)
        {
            var start = 0;
            int newline;
            while ((newline = Array.IndexOf(buffer, (byte)'\n', start, read - start)) >= 0)
            {
                line.Write(buffer.AsSpan(start, newline - start));
                var bytes = line.WrittenSpan.ToArray();
                line.ResetWrittenCount();
                start = newline + 1;
                yield return (++number, bytes, true);
            }

            line.Write(buffer.AsSpan(start, read - start));
        }

        if (line.WrittenCount > 0)
        {
            yield return (++number, line.WrittenSpan.ToArray(), false);
        }
    }

    internal static string Text(byte[] bytes) => Encoding.UTF8.GetString(bytes);
}
