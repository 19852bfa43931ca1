using System.Text;

namespace FnzChain.IntegrationTests;

/// <summary>Byte scans of nodes' data folders: the evidence that a value is, or is no longer, anywhere on disk.</summary>
internal static class DataFolderScan
{
    /// <summary>The files under <paramref name="folder"/> (relative paths) holding the UTF-8 bytes of <paramref name="marker"/>.</summary>
    public static List<string> FilesContaining(string folder, string marker)
    {
        var needle = Encoding.UTF8.GetBytes(marker);
        var found = new List<string>();
        foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
        {
            byte[] bytes;
            try
            {
                using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                using var copy = new MemoryStream();
                stream.CopyTo(copy);
                bytes = copy.ToArray();
            }
            catch (FileNotFoundException)
            {
                continue; // deleted while scanning (compaction)
            }

            if (bytes.AsSpan().IndexOf(needle) >= 0)
            {
                found.Add(Path.GetRelativePath(folder, file));
            }
        }

        return found;
    }

    /// <summary>"marker in folder/file" for every marker found in any of the folders.</summary>
    public static List<string> Traces(IEnumerable<string> folders, IEnumerable<string> markers) =>
        folders.SelectMany(folder => markers.SelectMany(m => FilesContaining(folder, m).Select(f => $"{m} in {Path.GetFileName(folder)}/{f}"))).ToList();

    /// <summary>Re-runs <paramref name="check"/> every 500 ms until it finds nothing or 60 s pass (erasure runs in the background); returns the last findings.</summary>
    public static async Task<List<string>> UntilNoneAsync(Func<List<string>> check)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        var found = check();
        while (found.Count > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(500);
            found = check();
        }

        return found;
    }
}
