using System.Text.Json;

namespace FnzChain.IntegrationTests;

/// <summary>The audit files a node wrote in its data folder, read while it may still be writing them.</summary>
internal static class AuditFiles
{
    /// <summary>The request records in <paramref name="dataPath"/>'s audit files, parsed, in order (none before the folder exists).</summary>
    public static List<JsonElement> Records(string dataPath)
    {
        var folder = Path.Combine(dataPath, "audit");
        return !Directory.Exists(folder) ? [] :
        [
            .. Directory.EnumerateFiles(folder, "audit-*.jsonl").Order()
                .SelectMany(path =>
                {
                    using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
                    using var reader = new StreamReader(stream);
                    return reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.EndsWith('}')).ToList();
                })
                .Select(line => JsonDocument.Parse(line).RootElement.Clone())
                .Where(r => r.GetProperty("type").GetString() == "request"),
        ];
    }

    /// <summary>The records of connections whose TLS handshake failed.</summary>
    public static List<JsonElement> HandshakeRecords(string dataPath) =>
        [.. Records(dataPath).Where(r => r.GetProperty("method").GetString() == "tls-handshake")];
}

/// <summary>Waiting for a condition a node reaches in its own time.</summary>
internal static class Eventually
{
    /// <summary>Waits until <paramref name="condition"/> holds, failing after <paramref name="seconds"/> naming <paramref name="what"/>.</summary>
    public static async Task UntilAsync(Func<bool> condition, string what, int seconds = 30)
    {
        var until = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            if (DateTime.UtcNow > until)
            {
                Assert.Fail($"no {what} within {seconds} s");
            }

            await Task.Delay(100);
        }
    }
}
