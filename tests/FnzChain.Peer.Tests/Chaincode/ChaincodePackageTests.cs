using System.IO.Compression;
using System.Text;
using FnzChain.Node;
using FnzChain.Peer.Chaincode;

namespace FnzChain.Peer.Tests.Chaincode;

/// <summary>Chaincode packages carry CouchDB index definitions where Fabric's do; a bad one is refused naming its file.</summary>
public sealed class ChaincodePackageTests
{
    private string _folder = null!;

    [SetUp]
    public void SetUp()
    {
        _folder = Directory.CreateTempSubdirectory("fnzchain-package-").FullName;
        File.Copy(typeof(ChaincodePackage).Assembly.Location, Path.Combine(_folder, "Contract.dll"));
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_folder, recursive: true);

    private void Index(string relative, string json)
    {
        var path = Path.Combine(_folder, "META-INF", "statedb", "couchdb", relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, json);
    }

    [Test]
    public void Index_definitions_are_packaged_read_back_and_extracted_where_fabric_keeps_them()
    {
        Index("indexes/indexOrders.json", """{"index":{"fields":["fund","status"]},"ddoc":"ordersDoc","name":"indexOrders","type":"json"}""");
        Index("collections/investors/indexes/indexCountry.json", """{"index":{"fields":["country"]}}""");

        var package = ChaincodePackage.Create(_folder, "cc_1.0", "Contract.dll", "Some.Contract");
        var read = ChaincodePackage.Read(package.Bytes);

        Assert.That(read.Indexes.Select(i => (i.Collection, i.Path)), Is.EquivalentTo(new (string?, string)[]
        {
            (null, "META-INF/statedb/couchdb/indexes/indexOrders.json"),
            ("investors", "META-INF/statedb/couchdb/collections/investors/indexes/indexCountry.json"),
        }));
        Assert.That(read.Indexes.Single(i => i.Collection is null).Json, Does.Contain("\"indexOrders\""));
        var extracted = Path.Combine(_folder, "out");
        read.ExtractTo(extracted);
        Assert.That(File.Exists(Path.Combine(extracted, "META-INF/statedb/couchdb/indexes/indexOrders.json")), Is.True);
        Assert.That(ChaincodePackage.Create(_folder, "cc_1.0", "Contract.dll", "Some.Contract").PackageId, Is.EqualTo(package.PackageId), "the same inputs give the same package id");
    }

    [TestCase("""{"index":{"fields":["fund"]""", "index file META-INF/statedb/couchdb/indexes/bad.json is not valid JSON: ")]
    [TestCase("""{"index":{"fields":[]}}""", "index file META-INF/statedb/couchdb/indexes/bad.json: \"index.fields\" must be a non-empty array")]
    [TestCase("""{"fields":["fund"]}""", "index file META-INF/statedb/couchdb/indexes/bad.json: \"index\" must be an object")]
    [TestCase("""{"index":{"fields":["a"]},"type":"text"}""", "index file META-INF/statedb/couchdb/indexes/bad.json: \"type\" must be \"json\"")]
    public void A_bad_index_definition_is_refused_in_one_line_naming_the_file(string json, string expected)
    {
        Index("indexes/bad.json", json);

        var e = Assert.Throws<ChaincodePackageException>(() => ChaincodePackage.Create(_folder, "cc_1.0", "Contract.dll", "Some.Contract"));

        Assert.That(e!.Message, Does.StartWith(expected).And.Not.Contain("\n"));
    }

    [TestCase("META-INF/statedb/couchdb/other/x.json")]
    [TestCase("META-INF/statedb/couchdb/indexes/../../../../evil.json")]
    [TestCase("META-INF/statedb/couchdb/indexes/sub/x.json")]
    [TestCase("lib/Other.dll")]
    public void An_entry_that_is_neither_a_plain_file_nor_an_index_definition_is_refused(string entry)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            using (var metadata = new StreamWriter(zip.CreateEntry("metadata.json").Open()))
            {
                metadata.Write("""{"label":"cc_1.0","assembly":"Contract.dll","contract":"Some.Contract"}""");
            }

            zip.CreateEntry("Contract.dll").Open().Dispose();
            using var other = zip.CreateEntry(entry).Open();
            other.Write(Encoding.UTF8.GetBytes("""{"index":{"fields":["a"]}}"""));
        }

        var e = Assert.Throws<ChaincodePackageException>(() => ChaincodePackage.Read(buffer.ToArray()));

        Assert.That(e!.Message, Does.StartWith($"package entry \"{entry}\" is not a plain file name"));
    }
}
