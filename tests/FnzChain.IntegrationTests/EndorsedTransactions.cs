using FnzChain.Identity.Channels;
using FnzChain.Orderer.Channels;
using FnzChain.Protos.Common;
using FnzChain.Protos.Lifecycle;
using FnzChain.Protos.Ledger.Rwset;
using FnzChain.Protos.Ledger.Rwset.Kvrwset;
using FnzChain.Protos.Peer;
using Google.Protobuf;

namespace FnzChain.IntegrationTests;

/// <summary>
/// Builds endorsed transactions by hand, as a client would assemble them from endorsers' responses: a read/write
/// set in a ChaincodeAction, endorsements signed over the proposal response payload ‖ endorser, and the envelope
/// signed by the creator. Until the endorser and gateway exist, this is how tests feed the committer.
/// </summary>
internal static class EndorsedTransactions
{
    public static Envelope Create(Signer creator, string chaincode, IEnumerable<(string Key, string Value)> writes, IEnumerable<Signer> endorsers, string? eventName = null)
    {
        var kv = new KVRWSet();
        kv.Writes.AddRange(writes.Select(w => new KVWrite { Key = w.Key, Value = ByteString.CopyFromUtf8(w.Value) }));
        var rwset = new TxReadWriteSet { DataModel = TxReadWriteSet.Types.DataModel.Kv };
        rwset.NsRwset.Add(new NsReadWriteSet { Namespace = chaincode, Rwset = kv.ToByteString() });
        var action = new ChaincodeAction
        {
            Results = rwset.ToByteString(),
            Response = new Response { Status = 200 },
            ChaincodeId = new ChaincodeID { Name = chaincode, Version = "1.0" },
        };
        if (eventName is not null)
        {
            action.Events = new ChaincodeEvent { ChaincodeId = chaincode, EventName = eventName, Payload = ByteString.CopyFromUtf8("payload") }.ToByteString();
        }

        var responsePayload = new ProposalResponsePayload { ProposalHash = ByteString.CopyFrom(new byte[32]), Extension = action.ToByteString() }.ToByteString();
        var endorsed = Endorsed(responsePayload, endorsers);

        var transaction = new Transaction();
        transaction.Actions.Add(new TransactionAction { Payload = new ChaincodeActionPayload { Action = endorsed }.ToByteString() });
        return creator.Envelope(TestNetwork.Channel, HeaderType.EndorserTransaction, transaction.ToByteString());
    }

    /// <summary>
    /// A _lifecycle CommitChaincodeDefinition transaction as peers would endorse it: <paramref name="definition"/>
    /// approved by <paramref name="approvers"/> (admins), written under its key, endorsed by <paramref name="endorsers"/>.
    /// </summary>
    public static Envelope Define(Signer creator, ChaincodeDefinition definition, IEnumerable<Signer> approvers, IEnumerable<Signer> endorsers)
    {
        var approvals = new DefinitionApprovals { Proposal = new DefinitionProposal { ChannelId = TestNetwork.Channel, Definition = definition.ToByteString() }.ToByteString() };
        approvals.Approvals.AddRange(approvers.Select(a => ConfigUpdates.Sign(approvals.Proposal, a.Serialized, a.Files.Signer)));
        var kv = new KVRWSet();
        kv.Writes.Add(new KVWrite { Key = ChaincodeLifecycle.DefinitionKey(definition.Name), Value = definition.ToByteString() });
        var rwset = new TxReadWriteSet { DataModel = TxReadWriteSet.Types.DataModel.Kv };
        rwset.NsRwset.Add(new NsReadWriteSet { Namespace = ChaincodeLifecycle.Namespace, Rwset = kv.ToByteString() });
        var action = new ChaincodeAction { Results = rwset.ToByteString(), Response = new Response { Status = 200 }, ChaincodeId = new ChaincodeID { Name = ChaincodeLifecycle.Namespace } };
        var responsePayload = new ProposalResponsePayload { ProposalHash = ByteString.CopyFrom(new byte[32]), Extension = action.ToByteString() }.ToByteString();
        var endorsed = Endorsed(responsePayload, endorsers);

        var input = new ChaincodeInput();
        input.Args.Add(ByteString.CopyFromUtf8(ChaincodeLifecycle.CommitFunction));
        input.Args.Add(approvals.ToByteString());
        var proposalPayload = new ChaincodeProposalPayload
        {
            Input = new ChaincodeInvocationSpec { ChaincodeSpec = new ChaincodeSpec { ChaincodeId = new ChaincodeID { Name = ChaincodeLifecycle.Namespace }, Input = input } }.ToByteString(),
        };
        var transaction = new Transaction();
        transaction.Actions.Add(new TransactionAction { Payload = new ChaincodeActionPayload { ChaincodeProposalPayload = proposalPayload.ToByteString(), Action = endorsed }.ToByteString() });
        return creator.Envelope(TestNetwork.Channel, HeaderType.EndorserTransaction, transaction.ToByteString());
    }

    /// <summary>The endorsed action: each endorser's signature over the proposal response payload ‖ its identity.</summary>
    private static ChaincodeEndorsedAction Endorsed(ByteString responsePayload, IEnumerable<Signer> endorsers)
    {
        var endorsed = new ChaincodeEndorsedAction { ProposalResponsePayload = responsePayload };
        foreach (var endorser in endorsers)
        {
            endorsed.Endorsements.Add(new Endorsement
            {
                Endorser = ByteString.CopyFrom(endorser.Serialized),
                Signature = ByteString.CopyFrom(endorser.Files.Signer.Sign([.. responsePayload.Span, .. endorser.Serialized])),
            });
        }

        return endorsed;
    }
}
