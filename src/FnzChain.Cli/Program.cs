using System.CommandLine;
using FnzChain.Cli;

// `fnzchain`: every error leaves as one line on stderr and a non-zero exit code (see CliRunner).
return await CliRunner.RunAsync(args, Console.Out, Console.Error);
