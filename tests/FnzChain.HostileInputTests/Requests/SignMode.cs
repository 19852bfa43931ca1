using FnzChain.IntegrationTests;
using Google.Protobuf;

namespace FnzChain.HostileInputTests.Requests;

/// <summary>How a request's signature is made: properly, not at all, by another key, or properly and then one bit flipped.</summary>
internal enum SignMode
{
    Valid,
    Unsigned,
    OtherKey,
    FlippedBit,
}

/// <summary>Signs bytes as an identity under a <see cref="SignMode"/>; the stranger's key stands in for "another key".</summary>
internal sealed class RequestSigning(SignMode mode, Signer stranger, Random random)
{
    public SignMode Mode => mode;

    public ByteString Sign(Signer signer, ByteString bytes)
    {
        switch (mode)
        {
            case SignMode.Unsigned:
                return ByteString.Empty;
            case SignMode.OtherKey:
                return ByteString.CopyFrom(stranger.Files.Signer.Sign(bytes.Span));
            case SignMode.FlippedBit:
                var signature = signer.Files.Signer.Sign(bytes.Span);
                signature[random.Next(signature.Length)] ^= (byte)(1 << random.Next(8));
                return ByteString.CopyFrom(signature);
            default:
                return ByteString.CopyFrom(signer.Files.Signer.Sign(bytes.Span));
        }
    }
}
