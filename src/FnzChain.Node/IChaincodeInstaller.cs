namespace FnzChain.Node;

/// <summary>Installs chaincode packages (peers only; orderers have none, and NodeAdmin then answers UNIMPLEMENTED).</summary>
public interface IChaincodeInstaller
{
    /// <summary>Installs a package and returns its id (label:sha256); a bad package is a <see cref="ChaincodePackageException"/> saying why.</summary>
    string Install(byte[] package);
}

/// <summary>A chaincode package that cannot be installed or loaded; the message says why.</summary>
public sealed class ChaincodePackageException(string message) : Exception(message);

/// <summary>Answers what a peer holds of a private key (peers only; orderers hold no private data).</summary>
public interface IPrivateDataInspector
{
    /// <summary>
    /// The status, or an <see cref="ArgumentException"/> naming what is unknown (channel, chaincode, collection).
    /// Asynchronous: it reads the world state, which may be a remote database.
    /// </summary>
    Task<Protos.Admin.PrivateDataStatus> InspectAsync(Protos.Admin.PrivateDataStatusRequest request, CancellationToken cancellationToken = default);
}
