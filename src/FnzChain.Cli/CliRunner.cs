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

        ClientTlsOptions.AddTo(root);
        return root;
    }

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken = default)
    {
        var root = BuildRoot();
        var parsed = root.Parse(args);
        // An unknown word where a subcommand belongs is named first, even with --help (whose action would otherwise
        // clear the error and print the parent's help): "Required command was not provided" hides the typo.
        if (UnknownSubcommand(parsed) is { } unknown)
        {
            await stderr.WriteLineAsync($"fnzchain: {unknown}").ConfigureAwait(false);
            return UsageError;
        }

        if (parsed.Errors.Count > 0)
        {
            await stderr.WriteLineAsync($"fnzchain: {parsed.Errors[0].Message} (see '{CommandPath(parsed.CommandResult)} --help')").ConfigureAwait(false);
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

    /// <summary>
    /// "unknown command 'crypt' (did you mean 'crypto'?) ..." when the first word the parser could not place stands
    /// where the deepest matched command expects one of its subcommands; null otherwise.
    /// </summary>
    internal static string? UnknownSubcommand(ParseResult parsed)
    {
        var command = parsed.CommandResult.Command;
        var word = parsed.UnmatchedTokens.FirstOrDefault();
        if (command.Subcommands.Count == 0 || word is null || word.StartsWith('-'))
        {
            return null;
        }

        var path = CommandPath(parsed.CommandResult);
        var names = command.Subcommands.Where(c => !c.Hidden).SelectMany(c => c.Aliases.Prepend(c.Name)).ToList();
        var closest = names
            .Select(name => (Name: name, Distance: EditDistance(word, name)))
            .Where(c => c.Distance <= Math.Max(2, word.Length / 3) || c.Name.StartsWith(word, StringComparison.OrdinalIgnoreCase))
            .OrderBy(c => c.Distance)
            .Select(c => c.Name)
            .FirstOrDefault();
        var suggestion = closest is null ? string.Empty : $" (did you mean '{closest}'?)";
        return $"unknown command '{word}' for '{path}'{suggestion}; its commands: {string.Join(", ", command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name))} (see '{path} --help')";
    }

    /// <summary>"fnzchain crypto generate": the words that lead to <paramref name="result"/>'s command.</summary>
    private static string CommandPath(System.CommandLine.Parsing.CommandResult result)
    {
        var words = new List<string>();
        for (var at = result; at is not null; at = at.Parent as System.CommandLine.Parsing.CommandResult)
        {
            words.Add(at.Command is RootCommand ? "fnzchain" : at.Command.Name);
        }

        words.Reverse();
        return string.Join(' ', words);
    }

    /// <summary>Levenshtein distance, case-insensitive.</summary>
    private static int EditDistance(string a, string b)
    {
        a = a.ToLowerInvariant();
        b = b.ToLowerInvariant();
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            previous = current;
        }

        return previous[b.Length];
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
