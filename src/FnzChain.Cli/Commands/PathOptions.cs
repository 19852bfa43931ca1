using System.CommandLine;

namespace FnzChain.Cli.Commands;

/// <summary>
/// Options that name an input file or folder: checked when the command line is parsed, so a missing path is one
/// line naming the option and the path (<c>--block: file genesis.block does not exist</c>), exit code 2, before any
/// work starts.
/// </summary>
internal static class PathOptions
{
    /// <summary>Refuses a value that is not an existing file.</summary>
    public static Option<T> MustBeFile<T>(this Option<T> option)
    {
        ArgumentNullException.ThrowIfNull(option);
        option.Validators.Add(result =>
        {
            foreach (var token in result.Tokens)
            {
                if (Directory.Exists(token.Value))
                {
                    result.AddError($"{option.Name}: {token.Value} is a folder, not a file");
                }
                else if (!File.Exists(token.Value))
                {
                    result.AddError($"{option.Name}: file {token.Value} does not exist");
                }
            }
        });
        return option;
    }

    /// <summary>Refuses a value that is not an existing folder.</summary>
    public static Option<T> MustBeFolder<T>(this Option<T> option)
    {
        ArgumentNullException.ThrowIfNull(option);
        option.Validators.Add(result =>
        {
            foreach (var token in result.Tokens)
            {
                if (File.Exists(token.Value))
                {
                    result.AddError($"{option.Name}: {token.Value} is a file, not a folder");
                }
                else if (!Directory.Exists(token.Value))
                {
                    result.AddError($"{option.Name}: folder {token.Value} does not exist");
                }
            }
        });
        return option;
    }
}
