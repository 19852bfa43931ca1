using FnzChain.Ledger.State.CouchDb;

namespace FnzChain.CouchDbTests;

[Category("CouchDb")]
public sealed class CouchDbOptionsTests
{
    private static IEnumerable<TestCaseData> InvalidOptions()
    {
        yield return new TestCaseData(new CouchDbOptions { Address = "localhost:5984" }, "couchDb.address").SetArgDisplayNames("no scheme");
        yield return new TestCaseData(new CouchDbOptions { Address = "ftp://h:1" }, "couchDb.address").SetArgDisplayNames("ftp");
        yield return new TestCaseData(new CouchDbOptions { Address = "http://u:p@h:1" }, "must not carry credentials").SetArgDisplayNames("credentials in address");
        yield return new TestCaseData(new CouchDbOptions { Address = "http://h:1/db" }, "no path").SetArgDisplayNames("path");
        yield return new TestCaseData(new CouchDbOptions { Password = "p" }, "couchDb.username").SetArgDisplayNames("password without user");
        yield return new TestCaseData(new CouchDbOptions { MaxRetries = 11 }, "couchDb.maxRetries").SetArgDisplayNames("retries");
        yield return new TestCaseData(new CouchDbOptions { RequestTimeout = TimeSpan.Zero }, "couchDb.requestTimeout").SetArgDisplayNames("timeout");
        yield return new TestCaseData(new CouchDbOptions { MaxBatchUpdateSize = 0 }, "couchDb.maxBatchUpdateSize").SetArgDisplayNames("batch");
        yield return new TestCaseData(new CouchDbOptions { MaxSnapshotLifetime = TimeSpan.Zero }, "couchDb.maxSnapshotLifetime").SetArgDisplayNames("snapshot");
        yield return new TestCaseData(new CouchDbOptions { CircuitBreakDuration = TimeSpan.FromMilliseconds(1) }, "couchDb.circuitBreakDuration").SetArgDisplayNames("breaker");
        yield return new TestCaseData(new CouchDbOptions { CacheDocuments = -1 }, "couchDb.cacheDocuments").SetArgDisplayNames("cache documents");
        yield return new TestCaseData(new CouchDbOptions { CacheMegabytes = 100_000 }, "couchDb.cacheMegabytes").SetArgDisplayNames("cache megabytes");
    }

    [TestCaseSource(nameof(InvalidOptions))]
    public void Invalid_option_is_refused_in_one_line_naming_the_field(CouchDbOptions options, string names)
    {
        var e = Assert.Throws<ArgumentException>(options.Validate);

        Assert.That(e!.Message, Does.Contain(names));
        Assert.That(e.Message, Does.Not.Contain('\n'));
    }

    [Test]
    public void Defaults_are_valid()
    {
        Assert.DoesNotThrow(new CouchDbOptions().Validate);
    }

    [Test]
    public void Url_with_credentials_gives_address_user_and_password()
    {
        var options = CouchDbOptions.FromUrl("http://ad%40min:s3cr%3At@couch.example:5984");

        Assert.That(options.Address, Is.EqualTo("http://couch.example:5984"));
        Assert.That(options.Username, Is.EqualTo("ad@min"));
        Assert.That(options.Password, Is.EqualTo("s3cr:t"));
        Assert.DoesNotThrow(options.Validate);
    }
}
