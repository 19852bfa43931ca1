using FnzChain.Crypto.Keys;
using FnzChain.Crypto.Signatures;
using FnzChain.Protos.Msp;
using Google.Protobuf;

namespace FnzChain.Client;

/// <summary>
/// Who the application acts as: an MSP id, its X.509 certificate and the key that signs proposals, transactions
/// and requests. Load it from a cryptogen-style msp folder.
/// </summary>
/// <example><code>using var user = ClientIdentity.FromMspFolder("crypto/peerOrganizations/org1.example.com/users/User1@org1.example.com/msp", "Org1MSP");</code></example>
public sealed class ClientIdentity : IDisposable
{
    private readonly SigningIdentityFiles _files;

    private ClientIdentity(string mspId, SigningIdentityFiles files, string? mspFolder = null)
    {
        MspId = mspId;
        _files = files;
        MspFolder = mspFolder;
        Serialized = new SerializedIdentity { Mspid = mspId, IdBytes = ByteString.CopyFromUtf8(files.Certificate.ExportCertificatePem() + "\n") }.ToByteArray();
    }

    /// <summary>The organisation's MSP id.</summary>
    public string MspId { get; }

    /// <summary>The identity as a serialized <c>msp.SerializedIdentity</c> (MSP id and PEM certificate), as Fabric sends it.</summary>
    public byte[] Serialized { get; }

    /// <summary>Loads the certificate (signcerts/) and private key (keystore/) of an msp folder.</summary>
    public static ClientIdentity FromMspFolder(string mspFolder, string mspId) => new(mspId, SigningIdentityFiles.Load(mspFolder), mspFolder);

    /// <summary>The msp folder this identity was loaded from (null when made otherwise).</summary>
    public string? MspFolder { get; }

    /// <summary>ECDSA P-256 signature (low-S DER) over SHA-256 of <paramref name="message"/>.</summary>
    public byte[] Sign(ReadOnlySpan<byte> message) => _files.Signer.Sign(message);

    /// <inheritdoc />
    public void Dispose() => _files.Dispose();
}
