using System.Buffers;
using System.Text;

namespace FnzChain.Cli.Commands;

/// <summary>A value to look for, named by its field so that a finding can be reported without printing the value.</summary>
internal sealed record ScanMarker(string Field, string Value);

/// <summary>A marker found in a file (path relative to the scan's root).</summary>
internal sealed record ScanTrace(string Field, string File);

/// <summary>What a scan read, and every trace it found.</summary>
internal sealed record ScanReport(int Files, long Bytes, IReadOnlyList<ScanTrace> Traces);

/// <summary>
/// A byte scan of nodes' files for the UTF-8 bytes of given values: the plainest evidence that a value is, or no
/// longer is, anywhere on a node's disk. Block files and RocksDB's write-ahead log hold values as written; table
/// files do too when the node runs with <c>compression: none</c>, as the demo's nodes do (with LZ4 a value need not
/// appear byte for byte). The demo also scans before the erasure, to show the scan finds what is there.
/// </summary>
internal static class DataFolderScan
{
    private const int ChunkBytes = 1 << 20;

    /// <summary>
    /// Reads every file under <paramref name="paths"/> (folders, recursively, or single files) once. A path that does
    /// not exist is an error (a scan of nothing proves nothing); a file deleted while the scan runs (a RocksDB
    /// compaction) is skipped. Traces name files relative to <paramref name="root"/>.
    /// </summary>
    public static ScanReport Scan(string root, IEnumerable<string> paths, IReadOnlyList<ScanMarker> markers)
    {
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentNullException.ThrowIfNull(markers);
        var needles = markers.Select(m => Encoding.UTF8.GetBytes(m.Value)).ToArray();
        if (needles.Any(n => n.Length == 0))
        {
            throw new ArgumentException("a scan marker is empty", nameof(markers));
        }

        var (files, bytes, traces) = (0, 0L, new List<ScanTrace>());
        foreach (var path in paths)
        {
            IEnumerable<string> underPath = File.Exists(path) ? [path]
                : Directory.Exists(path) ? Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories)
                : throw new CliException($"byte scan: {path} does not exist");
            foreach (var file in underPath)
            {
                if (ScanFile(file, needles) is not { } found)
                {
                    continue;
                }

                files++;
                bytes += found.Bytes;
                traces.AddRange(found.Markers.Select(i => new ScanTrace(markers[i].Field, Path.GetRelativePath(root, file))));
            }
        }

        return new ScanReport(files, bytes, traces);
    }

    /// <summary>The length of <paramref name="file"/> and the indexes of the needles it holds; null when it vanished before it was opened.</summary>
    private static (long Bytes, List<int> Markers)? ScanFile(string file, byte[][] needles)
    {
        FileStream stream;
        try
        {
            stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1, FileOptions.SequentialScan);
        }
        catch (FileNotFoundException)
        {
            return null;
        }

        // Chunks overlap by the longest needle less one byte, so a value split across two reads is still found.
        var overlap = needles.Max(n => n.Length) - 1;
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkBytes + overlap);
        var found = new List<int>();
        var total = 0L;
        try
        {
            using (stream)
            {
                var kept = 0;
                int read;
                while ((read = stream.Read(buffer, kept, buffer.Length - kept)) > 0)
                {
                    total += read;
                    var window = buffer.AsSpan(0, kept + read);
                    for (var i = 0; i < needles.Length; i++)
                    {
                        if (!found.Contains(i) && window.IndexOf(needles[i]) >= 0)
                        {
                            found.Add(i);
                        }
                    }

                    kept = Math.Min(overlap, window.Length);
                    window[^kept..].CopyTo(buffer);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return (total, found);
    }
}
