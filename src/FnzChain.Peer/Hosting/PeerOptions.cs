using FnzChain.Node;

namespace FnzChain.Peer.Hosting;

/// <summary>
/// The peer's configuration file (see <see cref="NodeOptions"/>). Example:
/// <c>{ "listenAddress": "127.0.0.1:7051", "mspId": "Org1MSP", "mspPath": "msp", "dataPath": "data" }</c>.
/// </summary>
public sealed class PeerOptions : NodeOptions
{
    /// <summary>Orderers to pull blocks from and submit to, overriding the channel configuration's endpoints (Fabric's OrdererEndpointOverrides).</summary>
    public List<string> OrdererAddresses { get; init; } = [];

    public static PeerOptions Load(string path) => Load<PeerOptions>(path, "peer config");

    protected override void Validate()
    {
        foreach (var orderer in OrdererAddresses)
        {
            try
            {
                _ = NodeConfiguration.ParseEndpoint(orderer);
            }
            catch (FormatException e)
            {
                throw new FormatException($"ordererAddresses: {e.Message}", e);
            }
        }
    }
}
