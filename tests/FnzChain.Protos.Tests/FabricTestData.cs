using System.Security.Cryptography;
using System.Text;
using Google.Protobuf;

namespace FnzChain.Protos.Tests;

/// <summary>Reads the messages Fabric's own JS classes wrote (TestData/generator) and mirrors the
/// generator's deterministic inputs so tests can state exact expectations.</summary>
internal static class FabricTestData
{
    public const string ChannelId = "mychannel";
    public const string ChaincodeName = "basic";
    public const long TimestampSeconds = 1700000000;
    public const int TimestampNanos = 123456789;

    public static byte[] Read(string name) =>
        File.ReadAllBytes(Path.Combine(TestContext.CurrentContext.TestDirectory, "TestData", name + ".bin"));

    /// <summary>Parses <paramref name="bytes"/> and asserts our classes write exactly the same bytes back.</summary>
    public static T DecodeAndAssertReencodes<T>(MessageParser<T> parser, ByteString bytes)
        where T : IMessage<T> => DecodeAndAssertReencodes(parser, bytes.ToByteArray());

    public static T DecodeAndAssertReencodes<T>(MessageParser<T> parser, byte[] bytes)
        where T : IMessage<T>
    {
        var message = parser.ParseFrom(bytes);
        Assert.That(message.ToByteArray(), Is.EqualTo(bytes), $"{typeof(T).Name} re-encoded differently");
        return message;
    }

    /// <summary>Same as generate.js `bytes(label, length)`: a SHA-256 chain seeded by the label.</summary>
    public static byte[] Pseudo(string label, int length)
    {
        var result = new byte[length];
        var block = Encoding.UTF8.GetBytes(label);
        for (var offset = 0; offset < length; offset += 32)
        {
            block = SHA256.HashData(block);
            Array.Copy(block, 0, result, offset, Math.Min(32, length - offset));
        }

        return result;
    }

    public static ByteString PseudoBytes(string label, int length) => ByteString.CopyFrom(Pseudo(label, length));

    public static ByteString Utf8(string text) => ByteString.CopyFromUtf8(text);

    public static ByteString Sha256(params ByteString[] parts)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var part in parts)
        {
            hash.AppendData(part.Span);
        }

        return ByteString.CopyFrom(hash.GetHashAndReset());
    }

    /// <summary>The PEM-looking certificate the generator puts into identity <paramref name="label"/>.</summary>
    public static ByteString Certificate(string label) =>
        Utf8($"-----BEGIN CERTIFICATE-----\n{Convert.ToBase64String(Pseudo(label, 48))}\n-----END CERTIFICATE-----\n");
}
