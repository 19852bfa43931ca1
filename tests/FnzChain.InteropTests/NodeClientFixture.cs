using System.Text.Json;

namespace FnzChain.InteropTests;

/// <summary>
/// A fixture that starts the network of <c>fnzchain network up</c>, runs one Node client project's script against
/// it once, and gives its tests the reported checks; the network is always stopped (its logs and the script's output
/// are printed when a test failed).
/// </summary>
public abstract class NodeClientFixture
{
    private LocalFabricNetwork? _network;

    private protected NodeClientRun Client { get; private set; } = null!;

    /// <summary>connection.json of the network the client ran against.</summary>
    private protected JsonElement Connection { get; private set; }

    private protected abstract NodeClientProject Project { get; }

    /// <summary>Options of <c>network up</c> beyond the folder (none: TLS, the default).</summary>
    private protected virtual string[] NetworkOptions => [];

    /// <summary>The script's arguments; by default the connection file alone.</summary>
    private protected virtual string[] ScriptArguments(LocalFabricNetwork network) => [network.ConnectionFile];

    [OneTimeSetUp]
    public async Task RunTheClientAgainstANewNetwork()
    {
        _network = await LocalFabricNetwork.UpAsync(NetworkOptions);
        using (var connection = JsonDocument.Parse(await File.ReadAllTextAsync(_network.ConnectionFile)))
        {
            Connection = connection.RootElement.Clone();
        }

        Client = await NodeClientRun.RunChecksAsync(Project, ScriptArguments(_network));
    }

    [OneTimeTearDown]
    public async Task StopTheNetwork()
    {
        if (_network is null)
        {
            return;
        }

        if (TestContext.CurrentContext.Result.FailCount > 0 || Client is null)
        {
            TestContext.Out.WriteLine($"--- {Project.Script}\n{Client?.Run.Output}\n{Client?.Run.Error}\n{_network.Logs()}");
        }

        await _network.DisposeAsync();
    }

    /// <summary>The peer address of an organisation of the network.</summary>
    private protected string PeerOf(string organization) =>
        Connection.GetProperty("organizations").EnumerateArray().Single(o => o.GetProperty("name").GetString() == organization).GetProperty("peer").GetString()!;
}
