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
            DateTimeOffset timestamp;
            try
            {
                timestamp = channelHeader.Timestamp?.ToDateTimeOffset() ?? DateTimeOffset.UnixEpoch;
            }
            catch (InvalidOperationException)
            {
                // Protobuf refuses seconds outside years 1-9999 and nanos outside 0-999,999,999: a signer's choice.
                return ParsedTransaction.Failed(index, txId, $"channel header timestamp (seconds {channelHeader.Timestamp!.Seconds}, nanos {channelHeader.Timestamp.Nanos}) is not a valid time");
            }
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

            var namespaces = new List<NamespaceReadWriteSet>(rwset.NsRwset.Count);
            var deletions = new List<PrivateDeletion>();
            foreach (var ns in rwset.NsRwset)
            {
                layer = $"read/write set of namespace \"{ns.Namespace}\"";
                if (PrivateNamespaces.IsDerived(ns.Namespace) || ns.Namespace.Contains('$', StringComparison.Ordinal))
                {
                    return ParsedTransaction.Failed(index, txId, $"{layer}: a chaincode namespace cannot contain '$'");
                }

                var kv = KVRWSet.Parser.ParseFrom(ns.Rwset);
                if (CheckKeys(ns.Namespace, kv) is { } keyProblem)
                {
                    return ParsedTransaction.Failed(index, txId, $"{layer}: {keyProblem}");
                }

                namespaces.Add(new NamespaceReadWriteSet(ns.Namespace, kv));
                foreach (var collection in ns.CollectionHashedRwset)
                {
                    layer = $"hashed read/write set of collection \"{collection.CollectionName}\" of namespace \"{ns.Namespace}\"";
                    if (PrivateNamespaces.CollectionNameProblem(collection.CollectionName) is { } nameProblem)
                    {
                        return ParsedTransaction.Failed(index, txId, $"{layer}: {nameProblem}");
                    }

                    var hashed = HashedRWSet.Parser.ParseFrom(collection.HashedRwset);
                    if (Derive(ns.Namespace, collection.CollectionName, hashed, namespaces, deletions) is { } hashProblem)
                    {
                        return ParsedTransaction.Failed(index, txId, $"{layer}: {hashProblem}");
                    }
                }
            }

            return new ParsedTransaction(index, txId, type, timestamp, namespaces, null) { PrivateDeletions = deletions };
        }
        catch (InvalidProtocolBufferException e)
        {
            return ParsedTransaction.Failed(index, txId, $"{layer} does not parse: {e.Message}");
        }
    }

    /// <summary>
    /// The state-database view of a collection's hashed read/write set: reads and writes of key hashes in the
    /// collection's hashed namespace (value = value hash), and for each delete or purge a delete of its key-index
    /// entry (so that the committer has the plaintext key a member peer must delete).
    /// </summary>
    private static string? Derive(string ns, string collection, HashedRWSet hashed, List<NamespaceReadWriteSet> namespaces, List<PrivateDeletion> deletions)
    {
        if (hashed.MetadataWrites.Count > 0)
        {
            return "metadata writes of private keys (key-level endorsement) are not supported";
        }

        var hashedSet = new KVRWSet();
        var keyIndex = new KVRWSet();
        foreach (var read in hashed.HashedReads)
        {
            if (read.KeyHash.Length != 32)
            {
                return $"a read's key hash has {read.KeyHash.Length} bytes, expected 32";
            }

            hashedSet.Reads.Add(new KVRead { Key = PrivateNamespaces.HashKey(read.KeyHash.Span), Version = read.Version });
        }

        foreach (var write in hashed.HashedWrites)
        {
            if (write.KeyHash.Length != 32)
            {
                return $"a write's key hash has {write.KeyHash.Length} bytes, expected 32";
            }

            var delete = write.IsDelete || write.IsPurge;
            if (!delete && write.ValueHash.Length != 32)
            {
                return $"a write's value hash has {write.ValueHash.Length} bytes, expected 32";
            }

            var key = PrivateNamespaces.HashKey(write.KeyHash.Span);
            hashedSet.Writes.Add(new KVWrite { Key = key, IsDelete = delete, Value = delete ? ByteString.Empty : write.ValueHash });
            if (delete)
            {
                keyIndex.Writes.Add(new KVWrite { Key = key, IsDelete = true });
                deletions.Add(new PrivateDeletion(ns, collection, key, write.IsPurge));
            }
        }

        namespaces.Add(new NamespaceReadWriteSet(PrivateNamespaces.Hashed(ns, collection), hashedSet, collection));
        if (keyIndex.Writes.Count > 0)
        {
            namespaces.Add(new NamespaceReadWriteSet(PrivateNamespaces.KeyIndex(ns, collection), keyIndex, collection));
        }

        return null;
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
                StateLimits.ValidateValue(ns, write.Key, write.Value.Length);
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
