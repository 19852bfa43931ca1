using FnzChain.Ledger.State;
using FnzChain.Ledger.State.CouchDb;
using FnzChain.Tests.Shared;

namespace FnzChain.CouchDbTests.State;

/// <summary>
/// The state database conformance kit against CouchDB (pouchdb-server, or the CouchDB that FNZCHAIN_TEST_COUCHDB
/// names): each test on a channel of its own, its databases deleted afterwards.
/// </summary>
[Category("CouchDb")]
public sealed class CouchDbStateDatabaseTests : StateDatabaseConformanceTests
{
    private string _channel = null!;

    protected override bool SupportsRichQueries => true;

    protected override bool CommitWaitsForOpenSnapshots => true;

    protected override async Task<IStateDatabase> CreateDatabaseAsync()
    {
        _channel = TestServers.NewChannel("kit");
        return await CouchDbStateDatabase.OpenAsync(TestServers.Shared.NewOptions(), _channel);
    }

    protected override async Task<IStateDatabase> ReopenAsync(IStateDatabase db)
    {
        db.Dispose();
        return await CouchDbStateDatabase.OpenAsync(TestServers.Shared.NewOptions(), _channel);
    }

    protected override Task DeleteStorageAsync() => ChannelDatabases.DeleteAsync(_channel);
}
