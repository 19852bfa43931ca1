using System.CommandLine;
using FnzChain.Client.Connections;
using FnzChain.Crypto.Tls;

namespace FnzChain.Cli.Commands;

/// <summary>
/// How every command that connects to a node secures the connection — options on the root command, so they apply to
/// every subcommand: TLS by default, trusting the TLS CAs next to the <c>--identity</c> msp folder (its <c>tlscacerts/</c>
/// and every organisation's in the same cryptogen-layout crypto folder) and presenting that identity's TLS client
/// certificate (<c>../tls/client.crt</c>) for nodes that require mutual TLS; <c>--tls-ca</c> (and
/// <c>--tls-cert</c>/<c>--tls-key</c>) name them explicitly; <c>--insecure</c> connects in plaintext (and makes
/// <c>network up</c>, <c>demo</c> and <c>bench network</c> start their nodes without TLS), and says so.
/// </summary>
internal static class ClientTlsOptions
{
    public const string Insecure = "--insecure";
    public const string Ca = "--tls-ca";
    public const string Certificate = "--tls-cert";
    public const string Key = "--tls-key";

    public static void AddTo(RootCommand root)
    {
        root.Options.Add(new Option<bool>(Insecure)
        {
            Description = "Plaintext gRPC instead of TLS: connect to nodes started without TLS; network up, demo and bench network start their nodes without TLS. Insecure; local development only.",
            Recursive = true,
        });
        root.Options.Add(new Option<string[]>(Ca)
        {
            Description = "TLS CA certificate (PEM file or folder of them) that nodes' certificates must chain to; repeatable. Default: the TLS CAs of the organisations in the --identity's crypto folder.",
            Recursive = true,
            AllowMultipleArgumentsPerToken = false,
        }.MustBeFileOrFolder());
        root.Options.Add(new Option<string?>(Certificate) { Description = "TLS client certificate (PEM) for nodes that require mutual TLS. Default: the --identity's tls/client.crt.", Recursive = true }.MustBeFile());
        root.Options.Add(new Option<string?>(Key) { Description = "The private key of --tls-cert (PEM).", Recursive = true }.MustBeFile());
    }

    /// <summary>True when the command line asks for plaintext.</summary>
    public static bool IsInsecure(ParseResult parse) => parse?.GetValue<bool>(Insecure) ?? false;

    /// <summary>
    /// The TLS settings for a command acting as the identity in <paramref name="identityFolder"/>; with <c>--insecure</c>,
    /// plaintext, said once on stderr. A bad TLS file is one line naming it.
    /// </summary>
    public static ClientTls Resolve(ParseResult parse, string identityFolder)
    {
        ArgumentNullException.ThrowIfNull(parse);
        if (IsInsecure(parse))
        {
            parse.InvocationConfiguration.Error.WriteLine("fnzchain: --insecure: connecting in plaintext, without TLS");
            return ClientTls.Plaintext;
        }

        try
        {
            var cas = parse.GetValue<string[]>(Ca) ?? [];
            var (certificate, key) = (parse.GetValue<string?>(Certificate), parse.GetValue<string?>(Key));
            if (cas.Length == 0 && certificate is null && key is null)
            {
                return ClientTls.FromMspFolder(identityFolder);
            }

            if (certificate is null && key is null)
            {
                var own = ClientTls.FromMspFolder(identityFolder);
                return ClientTls.Create(TlsCertificateFiles.LoadCertificateAuthorities(cas, DateTimeOffset.UtcNow, "--tls-ca"), own.ClientCertificate);
            }

            var roots = cas.Length > 0 ? cas : [.. ClientTls.OrganizationTlsCaFolders(identityFolder)];
            return ClientTls.FromFiles(roots, certificate, key);
        }
        catch (TlsConfigurationException e)
        {
            throw new CliException(e.Message);
        }
    }

    private static Option<T> MustBeFileOrFolder<T>(this Option<T> option)
    {
        option.Validators.Add(result =>
        {
            foreach (var token in result.Tokens.Where(t => !File.Exists(t.Value) && !Directory.Exists(t.Value)))
            {
                result.AddError($"{option.Name}: {token.Value} does not exist");
            }
        });
        return option;
    }
}
