namespace FnzChain.Cli.Tests.Commands;

/// <summary>
/// <c>network up</c> / <c>network down</c> on a folder used before: what an operator meets when starting again where
/// a stopped network is, or stopping twice. Real node processes; every test stops what it started.
/// </summary>
public sealed class NetworkCommandTests
{
    [Test]
    [Category("Integration")]
    public async Task Up_where_a_stopped_network_is_is_refused_naming_force_and_force_starts_a_new_one()
    {
        using var folder = new TempFolder();
        var dir = folder.File("net");
        try
        {
            await UpAndDownAsync(folder.Path, dir);

            var refused = await ProcessRunner.FnzchainAsync(folder.Path, "network", "up", "--dir", dir);
            var forced = await ProcessRunner.FnzchainAsync(folder.Path, "network", "up", "--dir", dir, "--force");

            Assert.That(refused.ExitCode, Is.EqualTo(1), refused.ToString());
            Assert.That(refused.ErrorLines, Is.EqualTo(new[] { $"fnzchain: {dir} holds a stopped network (crypto, configs, ledgers, logs); pass --force to erase it and start a new one there, or choose another folder" }));
            Assert.That(forced.ExitCode, Is.Zero, forced.ToString());
            Assert.That(forced.StandardOutput, Does.Contain($"--force: erased the stopped network in {dir}").And.Contain("network up: connection details in"));
        }
        finally
        {
            await ProcessRunner.FnzchainAsync(folder.Path, "network", "down", "--dir", dir);
        }
    }

    [Test]
    [Category("Integration")]
    public async Task Force_never_touches_a_running_network()
    {
        using var folder = new TempFolder();
        var dir = folder.File("net");
        try
        {
            var up = await ProcessRunner.FnzchainAsync(folder.Path, "network", "up", "--dir", dir);
            Assert.That(up.ExitCode, Is.Zero, up.ToString());

            var again = await ProcessRunner.FnzchainAsync(folder.Path, "network", "up", "--dir", dir, "--force");

            Assert.That(again.ExitCode, Is.EqualTo(1), again.ToString());
            Assert.That(again.ErrorLines, Is.EqualTo(new[] { $"fnzchain: {dir} holds a running network (connection.json); stop it first with: fnzchain network down --dir {dir}" }));
            Assert.That(File.Exists(Path.Combine(dir, "connection.json")), Is.True);
        }
        finally
        {
            await ProcessRunner.FnzchainAsync(folder.Path, "network", "down", "--dir", dir);
        }
    }

    [Test]
    [Category("Integration")]
    public async Task Down_on_a_stopped_network_says_it_is_already_stopped()
    {
        using var folder = new TempFolder();
        var dir = folder.File("net");
        await UpAndDownAsync(folder.Path, dir);

        var again = await ProcessRunner.FnzchainAsync(folder.Path, "network", "down", "--dir", dir);

        Assert.That(again.ExitCode, Is.Zero, again.ToString());
        Assert.That(again.StandardOutput.Trim(), Is.EqualTo($"network down: the network in {dir} is already stopped; nothing to do (start a new one there with: fnzchain network up --dir {dir} --force)"));
    }

    [Test]
    public async Task Down_where_no_network_was_started_says_so()
    {
        using var folder = new TempFolder();

        var empty = await ProcessRunner.FnzchainAsync(folder.Path, "network", "down", "--dir", folder.Path);
        var absent = await ProcessRunner.FnzchainAsync(folder.Path, "network", "down", "--dir", folder.File("absent"));

        Assert.That((empty.ExitCode, absent.ExitCode), Is.EqualTo((1, 1)));
        Assert.That(empty.ErrorLines, Is.EqualTo(new[] { $"fnzchain: {folder.Path} holds no network: it has no connection.json and none of the files network up writes" }));
        Assert.That(absent.ErrorLines, Is.EqualTo(new[] { $"fnzchain: {folder.File("absent")} does not exist: no network there to stop" }));
    }

    [Test]
    [Category("Integration")]
    public async Task Demo_keep_where_a_stopped_network_is_offers_force_and_force_runs_the_demo_there()
    {
        using var folder = new TempFolder();
        var dir = folder.File("net");
        await UpAndDownAsync(folder.Path, dir);

        var refused = await ProcessRunner.FnzchainAsync(folder.Path, "demo", "sample", "--keep", dir);
        var forced = await ProcessRunner.FnzchainAsync(folder.Path, "demo", "sample", "--keep", dir, "--force");

        Assert.That(refused.ExitCode, Is.EqualTo(1), refused.ToString());
        Assert.That(refused.ErrorLines, Has.Length.EqualTo(1).And.Some.Contains("pass --force to erase it"));
        Assert.That(forced.ExitCode, Is.Zero, forced.ToString());
        Assert.That(forced.StandardOutput.TrimEnd(), Does.Match(@"demo: done in [\d.]+ s$"));
    }

    private static async Task UpAndDownAsync(string workDir, string dir)
    {
        var up = await ProcessRunner.FnzchainAsync(workDir, "network", "up", "--dir", dir);
        var down = await ProcessRunner.FnzchainAsync(workDir, "network", "down", "--dir", dir);
        Assert.That((up.ExitCode, down.ExitCode), Is.EqualTo((0, 0)), $"{up}\n{down}");
    }
}
