using FnzChain.Ledger.State;
using FnzChain.Protos.Common;
using FnzChain.Protos.Ledger.Rwset;
using FnzChain.Protos.Ledger.Rwset.Kvrwset;
using FnzChain.Protos.Peer;
using Google.Protobuf;

namespace FnzChain.Ledger.Validation;

/// <summary>
/// Decodes the transactions of a block down to their read/write sets: Envelope → Payload → ChannelHeader, and
/// for endorser transactions Transaction → ChaincodeActionPayload → ProposalResponsePayload → ChaincodeAction →
/// TxReadWriteSet → KVRWSet per namespace. Never throws for bad bytes: the problem is returned, naming the layer.
/// </summary>
public static class TransactionParser
{
    /// <summary>Decodes every transaction of a block, in parallel when the block is large enough to benefit.</summary>
    public static ParsedTransaction[] ParseBlock(Block block)
    {
        ArgumentNullException.ThrowIfNull(block);
        var data = block.Data?.Data;
        if (data is null || data.Count == 0)
        {
            return [];
        }

        var parsed = new ParsedTransaction[data.Count];
        if (data.Count < 64)
        {
            for (var i = 0; i < parsed.Length; i++)
            {
                parsed[i] = Parse(i, data[i]);
            }
        }
        else
        {
            Parallel.For(0, parsed.Length, i => parsed[i] = Parse(i, data[i]));
        }

        return parsed;
    }

    /// <summary>Decodes one transaction envelope (entry <paramref name="index"/> of a block's data).</summary>
    public static ParsedTransaction Parse(int index, ByteString envelopeBytes)
    {
        ArgumentNullException.ThrowIfNull(envelopeBytes);
        var txId = string.Empty;
        var layer = "envelope";
        try
        {
            var envelope = Envelope.Parser.ParseFrom(envelopeBytes);
            layer = "payload";
            var payload = Payload.Parser.ParseFrom(envelope.Payload);
            if (payload.Header is null)
            {
                return ParsedTransaction.Failed(index, txId, "payload has no header");
            }

            layer = "channel header";
            var channelHeader = ChannelHeader.Parser.ParseFrom(payload.Header.ChannelHeader);
            txId = channelHeader.TxId;
            var type = (HeaderType)channelHeader.Type;
            var timestamp = channelHeader.Timestamp is { } ts ? ts.ToDateTimeOffset() : DateTimeOffset.UnixEpoch;
            if (type != HeaderType.EndorserTransaction)
            {
                return new ParsedTransaction(index, txId, type, timestamp, [], null);
            }

            layer = "transaction";
            var transaction = Transaction.Parser.ParseFrom(payload.Data);
            if (transaction.Actions.Count != 1)
            {
                return ParsedTransaction.Failed(index, txId, $"transaction has {transaction.Actions.Count} actions, expected exactly 1");
            }

            layer = "chaincode action payload";
            var actionPayload = ChaincodeActionPayload.Parser.ParseFrom(transaction.Actions[0].Payload);
            if (actionPayload.Action is null)
            {
                return ParsedTransaction.Failed(index, txId, "chaincode action payload has no endorsed action");
            }

            layer = "proposal response payload";
            var responsePayload = ProposalResponsePayload.Parser.ParseFrom(actionPayload.Action.ProposalResponsePayload);
            layer = "chaincode action";
            var chaincodeAction = ChaincodeAction.Parser.ParseFrom(responsePayload.Extension);
            layer = "read/write set";
            var rwset = TxReadWriteSet.Parser.ParseFrom(chaincodeAction.Results);
            if (rwset.DataModel != TxReadWriteSet.Types.DataModel.Kv)
            {
                return ParsedTransaction.Failed(index, txId, $"read/write set has unknown data model {(int)rwset.DataModel}");
            }

            var namespaces = new NamespaceReadWriteSet[rwset.NsRwset.Count];
            for (var i = 0; i < namespaces.Length; i++)
            {
                var ns = rwset.NsRwset[i];
                layer = $"read/write set of namespace \"{ns.Namespace}\"";
                var kv = KVRWSet.Parser.ParseFrom(ns.Rwset);
                if (CheckKeys(ns.Namespace, kv) is { } keyProblem)
                {
                    return ParsedTransaction.Failed(index, txId, $"{layer}: {keyProblem}");
                }

                namespaces[i] = new NamespaceReadWriteSet(ns.Namespace, kv);
            }

            return new ParsedTransaction(index, txId, type, timestamp, namespaces, null);
        }
        catch (InvalidProtocolBufferException e)
        {
            return ParsedTransaction.Failed(index, txId, $"{layer} does not parse: {e.Message}");
        }
    }

    private static string? CheckKeys(string ns, KVRWSet rwset)
    {
        try
        {
            StateLimits.ValidateNamespace(ns);
            foreach (var read in rwset.Reads)
            {
                StateLimits.ValidateKey(ns, read.Key);
            }

            foreach (var write in rwset.Writes)
            {
                StateLimits.ValidateKey(ns, write.Key);
            }

            foreach (var write in rwset.MetadataWrites)
            {
                StateLimits.ValidateKey(ns, write.Key);
            }

            foreach (var range in rwset.RangeQueriesInfo)
            {
                StateLimits.ValidateRangeBound(ns, range.StartKey);
                StateLimits.ValidateRangeBound(ns, range.EndKey);
                if (range.RawReads is { } raw)
                {
                    foreach (var read in raw.KvReads)
                    {
                        StateLimits.ValidateKey(ns, read.Key);
                    }
                }
            }

            return null;
        }
        catch (ArgumentException e)
        {
            return e.Message;
        }
    }
}
