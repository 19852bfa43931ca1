using FnzChain.Node;

namespace FnzChain.Orderer.Hosting;

/// <summary>
/// The orderer's configuration file (see <see cref="NodeOptions"/>). Example:
/// <c>{ "listenAddress": "127.0.0.1:7050", "mspId": "OrdererMSP", "mspPath": "msp", "dataPath": "data" }</c>.
/// </summary>
public sealed class OrdererOptions : NodeOptions
{
    public static OrdererOptions Load(string path) => Load<OrdererOptions>(path, "orderer config");
}
