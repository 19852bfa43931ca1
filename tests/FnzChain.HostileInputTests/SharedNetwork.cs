using FnzChain.HostileInputTests.Network;

namespace FnzChain.HostileInputTests;

/// <summary>Starts the attacked network once for every fixture of the suite, and always stops it.</summary>
[SetUpFixture]
public sealed class SharedNetwork
{
    private static HostileNetwork? s_current;

    internal static HostileNetwork Current => s_current ?? throw new InvalidOperationException("the hostile network did not start");

    [OneTimeSetUp]
    public async Task Start()
    {
        TestContext.Progress.WriteLine($"hostile suite: {HostileSeed.Reproduce}");
        s_current = await HostileNetwork.StartAsync();
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        if (s_current is not null)
        {
            await s_current.DisposeAsync();
            s_current = null;
        }
    }
}
