using System.Text.Json;

namespace FnzChain.InteropTests;

/// <summary>
/// One run of a <see cref="NodeClientProject"/>'s script against a network: installs the pinned dependencies when
/// they are missing, runs the script once and keeps each check's JSON line by name.
/// </summary>
internal sealed class NodeClientRun
{
    private static readonly TimeSpan s_runTimeout = TimeSpan.FromMinutes(3);

    private NodeClientRun(NodeClientProject project, IReadOnlyDictionary<string, JsonElement> checks, ProcessRun.Result run)
    {
        Project = project;
        Checks = checks;
        Run = run;
    }

    public NodeClientProject Project { get; }

    /// <summary>Each check's line, by its <c>check</c> name.</summary>
    public IReadOnlyDictionary<string, JsonElement> Checks { get; }

    /// <summary>The script's exit code (the number of failed checks) and its raw output.</summary>
    public ProcessRun.Result Run { get; }

    public static async Task<NodeClientRun> RunChecksAsync(NodeClientProject project, params string[] args)
    {
        await project.EnsureInstalledAsync();
        var run = await ProcessRun.RunAsync("node", project.Folder, s_runTimeout, [project.Script, .. args]);
        var checks = new Dictionary<string, JsonElement>();
        foreach (var line in run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(l => l.StartsWith('{')))
        {
            using var document = JsonDocument.Parse(line);
            checks[document.RootElement.GetProperty("check").GetString()!] = document.RootElement.Clone();
        }

        return new NodeClientRun(project, checks, run);
    }

    /// <summary>The line of a check, passed or not (fails the test when the script did not report it).</summary>
    public JsonElement Reported(string check)
    {
        Assert.That(Checks.TryGetValue(check, out var line), Is.True, $"{Project.Script} reported no check \"{check}\":\n{Run.Output}\n{Run.Error}");
        return line;
    }

    /// <summary>The facts of a check that passed on the client side (fails the test, with the client's error, otherwise).</summary>
    public JsonElement Passed(string check)
    {
        var line = Reported(check);
        Assert.That(line.GetProperty("ok").GetBoolean(), Is.True, $"check {check} failed on the client: {line}");
        return line;
    }
}
