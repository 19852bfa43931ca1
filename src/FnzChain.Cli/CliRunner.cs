using System.CommandLine;
using FnzChain.Cli.Commands;

namespace FnzChain.Cli;

/// <summary>Builds the command tree and turns every failure into one line on stderr with a non-zero exit.</summary>
public static class CliRunner
{
    /// <summary>Exit code for a command that ran and failed for a reason it could name.</summary>
    public const int Failure = 1;

    /// <summary>Exit code for a command line that could not be parsed.</summary>
    public const int UsageError = 2;

    public static RootCommand BuildRoot()
    {
        var root = new RootCommand("FnzChain: a permissioned ledger node service for fund transfer agency.");
        foreach (var command in CommandCatalog.All())
        {
            root.Subcommands.Add(command);
        }

        return root;
    }

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken = default)
    {
        var root = BuildRoot();
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            await stderr.WriteLineAsync($"fnzchain: {parsed.Errors[0].Message} (see 'fnzchain --help')").ConfigureAwait(false);
            return UsageError;
        }

        var configuration = new InvocationConfiguration
        {
            Output = stdout,
            Error = stderr,
            EnableDefaultExceptionHandler = false,
        };

        try
        {
            return await parsed.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            await stderr.WriteLineAsync("fnzchain: cancelled").ConfigureAwait(false);
            return Failure;
        }
#pragma warning disable CA1031 // The CLI boundary: every failure becomes one line, never a stack trace.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            await stderr.WriteLineAsync($"fnzchain: {DescribeFailure(ex)}").ConfigureAwait(false);
            if (Environment.GetEnvironmentVariable("FNZCHAIN_DEBUG") == "1")
            {
                await stderr.WriteLineAsync(ex.ToString()).ConfigureAwait(false);
            }

            return Failure;
        }
    }

    /// <summary>One line naming the cause: our own errors as they are, anything else with its type.</summary>
    internal static string DescribeFailure(Exception ex)
    {
        var message = ex is CliException or IOException or UnauthorizedAccessException || ex.GetType().Namespace?.StartsWith("FnzChain.", StringComparison.Ordinal) == true
            ? ex.Message
            : $"{ex.GetType().Name}: {ex.Message}";
        return message.ReplaceLineEndings(" ").Trim();
    }
}
