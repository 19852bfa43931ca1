using System.Runtime.InteropServices;

namespace FnzChain.KafkaMock.Native;

/// <summary>
/// Finds a librdkafka that loads and has the mock cluster API, and points <see cref="LibRdKafka"/> at it.
/// The <c>librdkafka.redist</c> package's default Linux build needs <c>libsasl2.so.3</c>, which Debian lacks; the
/// self-contained <c>centos8-librdkafka.so</c> beside it does not, so every file of the package's native folder is
/// tried in turn (the default first), then the system's.
/// </summary>
internal static class LibRdKafkaLoader
{
    private const string MockEntryPoint = "rd_kafka_mock_cluster_new";

    /// <summary>Loads the library, reporting each file that did not load on <paramref name="log"/>.</summary>
    /// <returns>The loaded file's path (or name when the system resolved it), or null when none loaded.</returns>
    public static string? Load(TextWriter log)
    {
        foreach (var candidate in Candidates())
        {
            nint handle;
            try
            {
                handle = NativeLibrary.Load(candidate);
            }
            catch (Exception e) when (e is DllNotFoundException or BadImageFormatException)
            {
                log.WriteLine($"kafka-mock: {candidate} did not load: {Reason(e.Message)}");
                continue;
            }

            if (!NativeLibrary.TryGetExport(handle, MockEntryPoint, out _))
            {
                log.WriteLine($"kafka-mock: {candidate} loaded but has no {MockEntryPoint}");
                NativeLibrary.Free(handle);
                continue;
            }

            NativeLibrary.SetDllImportResolver(typeof(LibRdKafka).Assembly, (name, _, _) => name == LibRdKafka.LibraryName ? handle : 0);
            return candidate;
        }

        return null;
    }

    private static IEnumerable<string> Candidates()
    {
        var (rid, defaultName, systemNames) = Platform();
        var nativeDir = Path.Combine(AppContext.BaseDirectory, "runtimes", rid, "native");
        var defaultPath = Path.Combine(nativeDir, defaultName);
        if (File.Exists(defaultPath))
        {
            yield return defaultPath;
        }

        if (Directory.Exists(nativeDir))
        {
            // centos8-librdkafka.so (glibc, no system dependencies) sorts before alpine-librdkafka.so (musl): right
            // order for Debian and most distributions.
            var variants = Directory.GetFiles(nativeDir, "*" + defaultName)
                .Where(f => !string.Equals(Path.GetFileName(f), defaultName, StringComparison.Ordinal))
                .OrderBy(f => Path.GetFileName(f).StartsWith("centos", StringComparison.Ordinal) ? 0 : 1)
                .ThenBy(f => f, StringComparer.Ordinal);
            foreach (var variant in variants)
            {
                yield return variant;
            }
        }

        foreach (var name in systemNames)
        {
            yield return name;
        }
    }

    private static (string Rid, string DefaultName, string[] SystemNames) Platform()
    {
        var arch = RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => "x64",
            Architecture.Arm64 => "arm64",
            Architecture.X86 => "x86",
            var other => other.ToString(),
        };
        if (OperatingSystem.IsWindows())
        {
            return ($"win-{arch}", "librdkafka.dll", ["librdkafka.dll"]);
        }

        if (OperatingSystem.IsMacOS())
        {
            return ($"osx-{arch}", "librdkafka.dylib", ["librdkafka.1.dylib", "librdkafka.dylib"]);
        }

        return ($"linux-{arch}", "librdkafka.so", ["librdkafka.so.1", "librdkafka.so"]);
    }

    // .NET's message ends with the loader's own reason (dlerror on Linux) on its last line, after general advice.
    private static string Reason(string message) =>
        message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? message;
}
