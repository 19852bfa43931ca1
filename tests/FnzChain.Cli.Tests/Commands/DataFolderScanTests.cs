using System.Text;
using FnzChain.Cli.Commands;

namespace FnzChain.Cli.Tests.Commands;

/// <summary>The byte scan behind the demo's erasure evidence.</summary>
public sealed class DataFolderScanTests
{
    private static readonly ScanMarker[] Markers = [new("name", "Lise Meitner"), new("tax id", "47036892816")];

    [Test]
    public void A_value_is_reported_by_field_and_file_relative_to_the_root()
    {
        using var folder = new TempFolder();
        Directory.CreateDirectory(folder.File("peer/db"));
        File.WriteAllText(folder.File("peer/db/000004.log"), "..{\"name\":\"Lise Meitner\"}..");
        File.WriteAllText(folder.File("peer/db/CURRENT"), "MANIFEST-000005\n");

        var report = DataFolderScan.Scan(folder.Path, [folder.File("peer")], Markers);

        Assert.That(report.Traces, Is.EqualTo(new[] { new ScanTrace("name", Path.Combine("peer", "db", "000004.log")) }));
        Assert.That((report.Files, report.Bytes), Is.EqualTo((2, 27L + 16L)));
    }

    [Test]
    public void A_value_split_across_two_reads_is_found()
    {
        using var folder = new TempFolder();
        var bytes = new byte[(1 << 20) + 100];
        Encoding.UTF8.GetBytes("47036892816").CopyTo(bytes, (1 << 20) - 5);
        File.WriteAllBytes(folder.File("blockfile_000000"), bytes);

        var report = DataFolderScan.Scan(folder.Path, [folder.File("blockfile_000000")], Markers);

        Assert.That(report.Traces.Select(t => t.Field), Is.EqualTo(new[] { "tax id" }));
    }

    [Test]
    public void Clean_files_give_no_trace_and_count_what_was_read()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder.File("a.log"), "Lise M. 4703689281");

        var report = DataFolderScan.Scan(folder.Path, [folder.Path], Markers);

        Assert.That((report.Files, report.Bytes, report.Traces.Count), Is.EqualTo((1, 18L, 0)));
    }

    [Test]
    public void A_path_that_does_not_exist_is_an_error_not_a_clean_scan()
    {
        using var folder = new TempFolder();

        var error = Assert.Throws<CliException>(() => DataFolderScan.Scan(folder.Path, [folder.File("orderer")], Markers));

        Assert.That(error!.Message, Is.EqualTo($"byte scan: {folder.File("orderer")} does not exist"));
    }
}
