namespace FnzChain.Ledger.State.CouchDb;

/// <summary>
/// How a peer reaches its CouchDB server and how hard it tries. Bound from the peer's <c>couchDb</c> configuration
/// section; <see cref="Validate"/> runs before the first request so a bad value stops start-up with one line that
/// names the field, not with a confusing HTTP error later.
/// </summary>
public sealed class CouchDbOptions
{
    /// <summary>Base address of the server, <c>http://host:port</c> (https also accepted). No path, no credentials.</summary>
    public string Address { get; set; } = "http://127.0.0.1:5984";

    /// <summary>User name for basic authentication; empty means no credentials are sent (CouchDB "admin party").</summary>
    public string Username { get; set; } = "";

    /// <summary>Password for <see cref="Username"/>. Keep it out of files: the peer reads it from the environment.</summary>
    public string Password { get; set; } = "";

    /// <summary>Retries after a transient failure (connection refused, timeout, 5xx) before a request fails; 0 to 10.</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>Delay before the first retry; doubled for each further retry (with jitter).</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Time limit of one HTTP attempt (connect, send, read the whole answer).</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(35);

    /// <summary>Documents per <c>_bulk_docs</c> request and keys per bulk read; larger blocks are split into chunks.</summary>
    public int MaxBatchUpdateSize { get; set; } = 1000;

    /// <summary>How long the circuit stays open (every request refused at once) after repeated failures.</summary>
    public TimeSpan CircuitBreakDuration { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Longest time a snapshot (an endorsement's read view) may hold back block commits. CouchDB has no snapshots:
    /// a snapshot is a shared lock that commits wait for; after this time it is released and its reads fail.
    /// </summary>
    public TimeSpan MaxSnapshotLifetime { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Most documents of the public state the peer remembers (revision and value of keys read or written, see
    /// <see cref="DocumentCache"/>), so that endorsements, MVCC checks and commits need no request for a known key;
    /// 0 turns the cache off. When full, the oldest quarter is dropped.
    /// </summary>
    public int CacheDocuments { get; set; } = 100_000;

    /// <summary>
    /// Most memory the cached values may take, in MiB (Fabric's <c>cacheSize</c>, 64 by default); 0 keeps revisions
    /// only. A value larger than a sixty-fourth of it is not cached.
    /// </summary>
    public int CacheMegabytes { get; set; } = 64;

    /// <summary>Largest rich query (Mango JSON) accepted, in characters.</summary>
    public int MaxQueryLength { get; set; } = 64 * 1024;

    /// <summary>Throws <see cref="ArgumentException"/> with one line naming the first invalid field.</summary>
    public void Validate()
    {
        if (!Uri.TryCreate(Address, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"couchDb.address \"{Address}\" must be an absolute http:// or https:// address such as http://127.0.0.1:5984");
        }

        if (uri.UserInfo.Length > 0)
        {
            throw new ArgumentException("couchDb.address must not carry credentials; set couchDb.username and couchDb.password");
        }

        if (uri.AbsolutePath != "/" || uri.Query.Length > 0)
        {
            throw new ArgumentException($"couchDb.address \"{Address}\" must have no path or query (the server root)");
        }

        if (Username.Length == 0 && Password.Length > 0)
        {
            throw new ArgumentException("couchDb.password is set but couchDb.username is empty");
        }

        Check(MaxRetries is >= 0 and <= 10, "maxRetries", MaxRetries, "0 to 10");
        Check(RetryBaseDelay >= TimeSpan.FromMilliseconds(1) && RetryBaseDelay <= TimeSpan.FromSeconds(30), "retryBaseDelay", RetryBaseDelay, "1 ms to 30 s");
        Check(RequestTimeout >= TimeSpan.FromMilliseconds(100) && RequestTimeout <= TimeSpan.FromMinutes(10), "requestTimeout", RequestTimeout, "100 ms to 10 min");
        Check(MaxBatchUpdateSize is >= 1 and <= 100_000, "maxBatchUpdateSize", MaxBatchUpdateSize, "1 to 100000");
        Check(CircuitBreakDuration >= TimeSpan.FromMilliseconds(500) && CircuitBreakDuration <= TimeSpan.FromMinutes(10), "circuitBreakDuration", CircuitBreakDuration, "500 ms to 10 min");
        Check(MaxSnapshotLifetime >= TimeSpan.FromMilliseconds(10) && MaxSnapshotLifetime <= TimeSpan.FromHours(1), "maxSnapshotLifetime", MaxSnapshotLifetime, "10 ms to 1 h");
        Check(CacheDocuments is >= 0 and <= 10_000_000, "cacheDocuments", CacheDocuments, "0 to 10000000");
        Check(CacheMegabytes is >= 0 and <= 65_536, "cacheMegabytes", CacheMegabytes, "0 to 65536");
        Check(MaxQueryLength is >= 16 and <= 16 * 1024 * 1024, "maxQueryLength", MaxQueryLength, "16 to 16777216");
    }

    /// <summary>
    /// Options from a URL of the form <c>http://user:pass@host:port</c> (user info optional, percent-encoded), as the
    /// <c>FNZCHAIN_TEST_COUCHDB</c> variable gives it.
    /// </summary>
    public static CouchDbOptions FromUrl(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            throw new ArgumentException($"CouchDB URL \"{url}\" is not an absolute URL such as http://user:pass@host:5984");
        }

        var options = new CouchDbOptions { Address = $"{uri.Scheme}://{uri.Authority}" };
        if (uri.UserInfo.Length > 0)
        {
            var colon = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
            options.Username = Uri.UnescapeDataString(colon < 0 ? uri.UserInfo : uri.UserInfo[..colon]);
            options.Password = colon < 0 ? "" : Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]);
        }

        return options;
    }

    private static void Check(bool ok, string field, object value, string range)
    {
        if (!ok)
        {
            throw new ArgumentException($"couchDb.{field} {value} is out of range ({range})");
        }
    }
}
