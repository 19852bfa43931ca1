using FnzChain.Ledger.State.CouchDb;

namespace FnzChain.CouchDbTests;

/// <summary>Removes every database of a test's channel from the shared server (they all start with <c>channel_</c>).</summary>
internal static class ChannelDatabases
{
    public static async Task DeleteAsync(string channel)
    {
        using var client = new CouchDbClient(TestServers.Shared.NewOptions());
        foreach (var name in await client.ListDatabasesAsync())
        {
            if (name.StartsWith(channel + "_", StringComparison.Ordinal))
            {
                await client.DeleteDatabaseAsync(name);
            }
        }
    }
}
