using FnzChain.Protos.Common;
using Google.Protobuf;

namespace FnzChain.Client;

/// <summary>
/// An endorsed transaction as signed by the client: exactly the bytes sent to the orderers. Resubmitting these
/// bytes (<see cref="Network.ResubmitAsync"/>) can never apply the transaction twice: peers accept only the first
/// copy of a transaction id and commit any later copy as <see cref="Protos.Peer.TxValidationCode.DuplicateTxid"/>.
/// </summary>
/// <example>
/// Keep the bytes to resubmit after the application restarts:
/// <code>
/// File.WriteAllBytes(path, notCommitted.Transaction!.ToBytes());
/// // later
/// var status = await network.ResubmitAsync(SignedTransaction.FromBytes(File.ReadAllBytes(path)));
/// </code>
/// </example>
public sealed class SignedTransaction
{
    private SignedTransaction(Envelope envelope, string transactionId)
    {
        Envelope = envelope;
        TransactionId = transactionId;
    }

    /// <summary>The transaction id (from the envelope's channel header).</summary>
    public string TransactionId { get; }

    /// <summary>The channel the transaction is for.</summary>
    public string ChannelId => ChannelHeader.Parser.ParseFrom(Payload.Parser.ParseFrom(Envelope.Payload).Header.ChannelHeader).ChannelId;

    internal Envelope Envelope { get; }

    /// <summary>The signed envelope's bytes, to store or send elsewhere.</summary>
    public byte[] ToBytes() => Envelope.ToByteArray();

    /// <summary>Reads a signed transaction back from <see cref="ToBytes"/>; throws <see cref="FormatException"/> naming what is wrong.</summary>
    public static SignedTransaction FromBytes(ReadOnlySpan<byte> bytes)
    {
        try
        {
            var envelope = Envelope.Parser.ParseFrom(bytes);
            var header = Payload.Parser.ParseFrom(envelope.Payload).Header ?? throw new FormatException("the transaction's payload has no header");
            var txId = ChannelHeader.Parser.ParseFrom(header.ChannelHeader).TxId;
            return txId.Length > 0 ? new SignedTransaction(envelope, txId) : throw new FormatException("the transaction's channel header has no tx id");
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new FormatException($"not a signed transaction envelope: {e.Message}", e);
        }
    }

    internal static SignedTransaction Of(Envelope envelope, string transactionId) => new(envelope, transactionId);
}
