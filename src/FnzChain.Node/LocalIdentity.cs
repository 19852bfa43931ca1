using FnzChain.Crypto.Keys;
using FnzChain.Identity.Channels;
using FnzChain.Identity.Msp;
using FnzChain.Protos.Common;
using Google.Protobuf;

namespace FnzChain.Node;

/// <summary>The node's own identity: its signing key and certificate, and its organisation's MSP (who may administer it).</summary>
public sealed class LocalIdentity : IDisposable
{
    private LocalIdentity(string mspId, MspRegistry msp, SigningIdentityFiles signing)
    {
        MspId = mspId;
        Msp = msp;
        Signing = signing;
        Serialized = MspRegistry.Serialize(mspId, signing.Certificate);
        OwnSignatures = new OwnSignatures(Serialized);
    }

    public string MspId { get; }

    public MspRegistry Msp { get; }

    public SigningIdentityFiles Signing { get; }

    /// <summary>This node as a serialized <c>msp.SerializedIdentity</c>.</summary>
    public byte[] Serialized { get; }

    /// <summary>Signatures made by <see cref="SignRemembered"/>, which validation need not verify again.</summary>
    public OwnSignatures OwnSignatures { get; }

    /// <summary>Loads a cryptogen-style <c>msp</c> folder (cacerts/, signcerts/, keystore/ …); errors name the file.</summary>
    public static LocalIdentity Load(string mspPath, string mspId)
    {
        var definition = MspDefinition.LoadFolder(mspPath, mspId);
        var signing = SigningIdentityFiles.Load(mspPath);
        var msp = new MspRegistry([definition]);
        var self = msp.Deserialize(MspRegistry.Serialize(mspId, signing.Certificate));
        if (!self.IsValid)
        {
            signing.Dispose();
            throw new MspException($"the node's own certificate {signing.CertificatePath} is not valid in MSP {mspId}: {self.Error}");
        }

        return new LocalIdentity(mspId, msp, signing);
    }

    /// <summary>An envelope signed by this node (Deliver requests to orderers, for example).</summary>
    /// <param name="tlsCertHash">SHA-256 of the TLS client certificate of the connection the envelope is sent on (Deliver under mutual TLS), or null.</param>
    public Envelope SignEnvelope(string channelId, HeaderType type, ByteString data, byte[]? tlsCertHash = null) =>
        SignedEnvelope.Create(channelId, type, data, Serialized, Signing.Signer, tlsCertHash: tlsCertHash);

    /// <summary>Signs <paramref name="message"/> and remembers the signature (endorsements, which this node meets again at commit).</summary>
    public byte[] SignRemembered(ReadOnlySpan<byte> message)
    {
        var signature = Signing.Signer.Sign(message);
        OwnSignatures.Record(message, signature);
        return signature;
    }

    public void Dispose() => Signing.Dispose();
}
