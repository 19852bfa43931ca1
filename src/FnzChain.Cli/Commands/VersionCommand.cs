using System.CommandLine;
using System.Reflection;

namespace FnzChain.Cli.Commands;

/// <summary><c>fnzchain version</c>: the build's version and the Fabric protocol level it speaks.</summary>
internal static class VersionCommand
{
    public static Command Create()
    {
        var command = new Command("version", "Print the FnzChain version and the Fabric protocol level it is compatible with.");
        command.SetAction(parse =>
        {
            var version = typeof(VersionCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
            parse.InvocationConfiguration.Output.WriteLine($"fnzchain {version} (Fabric client protocol v2.5)");
            return 0;
        });
        return command;
    }
}
