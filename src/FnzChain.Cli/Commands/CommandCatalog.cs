using System.CommandLine;

namespace FnzChain.Cli.Commands;

/// <summary>The top-level commands of <c>fnzchain</c>, in the order help lists them.</summary>
internal static class CommandCatalog
{
    public static IEnumerable<Command> All()
    {
        yield return VersionCommand.Create();
        yield return CryptoCommand.Create();
        yield return ChannelCommand.Create();
        yield return OrdererCommand.Create();
        yield return PeerCommand.Create();
        yield return ChaincodeCommand.Create();
        yield return NetworkCommand.Create();
        yield return LedgerCommand.Create();
        yield return AuditCommand.Create();
        yield return KeysCommand.Create();
        yield return PrivateCommand.Create();
        yield return BenchCommand.Create();
        yield return DemoCommand.Create();
    }
}
