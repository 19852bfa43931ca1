namespace FnzChain.CouchDbTests;

/// <summary>
/// One CouchDB-compatible server for the whole assembly (starting pouchdb-server takes a second or two); tests keep
/// apart by using a channel name of their own, so their databases never meet. Tests that stop the server start their own.
/// </summary>
[SetUpFixture]
public sealed class TestServers
{
    private static CouchDbTestServer? s_shared;

    internal static CouchDbTestServer Shared => s_shared ?? throw new InvalidOperationException("the CouchDB test server was not started");

    [OneTimeSetUp]
    public async Task StartAsync() => s_shared = await CouchDbTestServer.StartAsync();

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (s_shared is not null)
        {
            await s_shared.DisposeAsync();
            s_shared = null;
        }
    }

    /// <summary>A channel name no other test uses (valid for CouchDB: lower-case letters and digits).</summary>
    internal static string NewChannel(string prefix) => prefix + Guid.NewGuid().ToString("N")[..12];
}
