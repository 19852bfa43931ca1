using FnzChain.Ledger.State.CouchDb;
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

    /// <summary>
    /// Where the public world state lives: <c>rocksdb</c> (embedded, the default) or <c>couchdb</c> (the server in
    /// <see cref="CouchDb"/>; rich queries). Private data collections stay in RocksDB either way (decision 0017).
    /// </summary>
    public string StateDatabase { get; init; } = "rocksdb";

    /// <summary>
    /// The CouchDB server with <c>stateDatabase: couchdb</c>: <c>{ "address": "http://127.0.0.1:5984", "username": …,
    /// "password": …, "maxRetries": 3, "requestTimeout": "00:00:35", … }</c>. Keep the password out of the file with the
    /// environment variable <c>FNZCHAIN__COUCHDB__PASSWORD</c>.
    /// </summary>
    public CouchDbOptions? CouchDb { get; init; }

    public static PeerOptions Load(string path) => Load<PeerOptions>(path, "peer config");

    protected override void Validate()
    {
        switch (StateDatabase)
        {
            case "rocksdb":
                break;
            case "couchdb":
                if (CouchDb is null)
                {
                    throw new FormatException("stateDatabase is couchdb but couchDb (address, credentials) is missing");
                }

                try
                {
                    CouchDb.Validate();
                }
                catch (ArgumentException e)
                {
                    throw new FormatException(e.Message, e);
                }

                break;
            default:
                throw new FormatException($"stateDatabase must be rocksdb or couchdb, not \"{StateDatabase}\"");
        }

        foreach (var orderer in OrdererAddresses)
        {
            try
            {
                _ = NodeConfiguration.ParseRemoteAddress(orderer);
            }
            catch (FormatException e)
            {
                throw new FormatException($"ordererAddresses: {e.Message}", e);
            }
        }
    }
}
