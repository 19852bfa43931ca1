using FnzChain.Ledger;
using FnzChain.Ledger.Validation;
using FnzChain.Protos.Common;
using FnzChain.Protos.Peer;

namespace FnzChain.Peer.Services;

/// <summary>A committed block reduced to what filtered Deliver shows: per transaction its id, type, validation code and chaincode event (without payload).</summary>
public static class FilteredBlocks
{
    public static FilteredBlock From(Block block)
    {
        ArgumentNullException.ThrowIfNull(block);
        var data = block.Data?.Data ?? [];
        var filter = block.Metadata?.Metadata.ElementAtOrDefault((int)BlockMetadataIndex.TransactionsFilter);
        var filtered = new FilteredBlock { Number = block.Header.Number };
        for (var i = 0; i < data.Count; i++)
        {
            var parsed = TransactionParser.Parse(i, data[i]);
            var code = filter is not null && i < filter.Length ? (TxValidationCode)filter[i] : TxValidationCode.NotValidated;
            var transaction = new FilteredTransaction { Txid = parsed.TxId, Type = parsed.Type, TxValidationCode = code };
            if (ChaincodeEvents.Of(data[i]) is { } chaincodeEvent)
            {
                var actions = new FilteredTransactionActions();
                actions.ChaincodeActions.Add(new FilteredChaincodeAction
                {
                    ChaincodeEvent = new ChaincodeEvent { ChaincodeId = chaincodeEvent.ChaincodeId, TxId = chaincodeEvent.TxId, EventName = chaincodeEvent.EventName },
                });
                transaction.TransactionActions = actions;
            }

            filtered.FilteredTransactions.Add(transaction);
            if (filtered.ChannelId.Length == 0 && parsed.Problem is null)
            {
                filtered.ChannelId = ChannelOf(data[i]);
            }
        }

        return filtered;
    }

    private static string ChannelOf(Google.Protobuf.ByteString envelope)
    {
        try
        {
            return Identity.Channels.SignedEnvelope.Parse(Envelope.Parser.ParseFrom(envelope)).ChannelId;
        }
        catch (Exception e) when (e is FormatException or Google.Protobuf.InvalidProtocolBufferException)
        {
            return string.Empty;
        }
    }
}

/// <summary>The chaincode event an endorser transaction carries, if any.</summary>
public static class ChaincodeEvents
{
    public static ChaincodeEvent? Of(Google.Protobuf.ByteString envelopeBytes)
    {
        try
        {
            var payload = Payload.Parser.ParseFrom(Envelope.Parser.ParseFrom(envelopeBytes).Payload);
            var transaction = Transaction.Parser.ParseFrom(payload.Data);
            if (transaction.Actions.Count != 1)
            {
                return null;
            }

            var action = ChaincodeActionPayload.Parser.ParseFrom(transaction.Actions[0].Payload).Action;
            var extension = ChaincodeAction.Parser.ParseFrom(ProposalResponsePayload.Parser.ParseFrom(action?.ProposalResponsePayload ?? Google.Protobuf.ByteString.Empty).Extension);
            return extension.Events.IsEmpty ? null : ChaincodeEvent.Parser.ParseFrom(extension.Events);
        }
        catch (Google.Protobuf.InvalidProtocolBufferException)
        {
            return null;
        }
    }
}
