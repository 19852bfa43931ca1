using System.Security.Cryptography;
using FnzChain.Protos.Common;
using FnzChain.Protos.Orderer;
using FnzChain.Protos.Peer;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Status = FnzChain.Protos.Common.Status;

namespace FnzChain.IntegrationTests;

/// <summary>
/// The client side of execute-order-validate, by hand: a signed proposal, endorsements from peers, the transaction
/// assembled from their responses and submitted to the orderer. (The .NET client SDK will take this over.)
/// </summary>
internal sealed class TestClient(Signer identity)
{
    public sealed record Proposed(SignedProposal Signed, Proposal Proposal, string TxId);

    public Proposed Propose(string chaincode, params string[] args) => Propose(chaincode, transient: null, args);

    /// <summary>A proposal carrying a transient map (private data for the chaincode, never in the transaction).</summary>
    public Proposed Propose(string chaincode, IReadOnlyDictionary<string, byte[]>? transient, params string[] args)
    {
        var nonce = RandomNumberGenerator.GetBytes(24);
        var txId = Convert.ToHexStringLower(SHA256.HashData([.. nonce, .. identity.Serialized]));
        var input = new ChaincodeInput();
        input.Args.AddRange(args.Select(ByteString.CopyFromUtf8));
        var spec = new ChaincodeInvocationSpec { ChaincodeSpec = new ChaincodeSpec { Type = ChaincodeSpec.Types.Type.Golang, ChaincodeId = new ChaincodeID { Name = chaincode }, Input = input } };
        var proposal = new Proposal
        {
            Header = new Header
            {
                ChannelHeader = new ChannelHeader
                {
                    Type = (int)HeaderType.EndorserTransaction,
                    ChannelId = TestNetwork.Channel,
                    TxId = txId,
                    Timestamp = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow),
                    Extension = new ChaincodeHeaderExtension { ChaincodeId = new ChaincodeID { Name = chaincode } }.ToByteString(),
                }.ToByteString(),
                SignatureHeader = new SignatureHeader { Creator = ByteString.CopyFrom(identity.Serialized), Nonce = ByteString.CopyFrom(nonce) }.ToByteString(),
            }.ToByteString(),
            Payload = Payload(spec, transient).ToByteString(),
        };
        var bytes = proposal.ToByteString();
        return new Proposed(new SignedProposal { ProposalBytes = bytes, Signature = ByteString.CopyFrom(identity.Files.Signer.Sign(bytes.Span)) }, proposal, txId);
    }

    private static ChaincodeProposalPayload Payload(ChaincodeInvocationSpec spec, IReadOnlyDictionary<string, byte[]>? transient)
    {
        var payload = new ChaincodeProposalPayload { Input = spec.ToByteString() };
        foreach (var (name, value) in transient ?? new Dictionary<string, byte[]>())
        {
            payload.TransientMap[name] = ByteString.CopyFrom(value);
        }

        return payload;
    }

    public static async Task<ProposalResponse> EndorseAsync(NodeProcess peer, Proposed proposed)
    {
        using var channel = TestNetwork.Connect(peer);
        return await new Endorser.EndorserClient(channel).ProcessProposalAsync(proposed.Signed);
    }

    /// <summary>The transaction envelope from endorsed responses (which must agree), signed by the client.</summary>
    public Envelope Assemble(Proposed proposed, params ProposalResponse[] responses)
    {
        var endorsed = new ChaincodeEndorsedAction { ProposalResponsePayload = responses[0].Payload };
        endorsed.Endorsements.AddRange(responses.Select(r => r.Endorsement));
        var header = Header.Parser.ParseFrom(proposed.Proposal.Header);
        var transaction = new Transaction();
        transaction.Actions.Add(new TransactionAction
        {
            Header = header.SignatureHeader,
            Payload = new ChaincodeActionPayload { ChaincodeProposalPayload = proposed.Proposal.Payload, Action = endorsed }.ToByteString(),
        });
        var payload = new Payload { Header = header, Data = transaction.ToByteString() }.ToByteString();
        return new Envelope { Payload = payload, Signature = ByteString.CopyFrom(identity.Files.Signer.Sign(payload.Span)) };
    }

    public static async Task SubmitAsync(NodeProcess orderer, params Envelope[] envelopes)
    {
        using var channel = TestNetwork.Connect(orderer);
        using var call = new AtomicBroadcast.AtomicBroadcastClient(channel).Broadcast();
        foreach (var envelope in envelopes)
        {
            await call.RequestStream.WriteAsync(envelope);
            if (!await call.ResponseStream.MoveNext(CancellationToken.None) || call.ResponseStream.Current.Status != Status.Success)
            {
                throw new AssertionException($"broadcast failed: {call.ResponseStream.Current}");
            }
        }

        await call.RequestStream.CompleteAsync();
    }

    /// <summary>Waits until <paramref name="peer"/> has committed block <paramref name="number"/> (e.g. a config block the next proposals depend on).</summary>
    public async Task WaitForBlockAsync(NodeProcess peer, ulong number)
    {
        using var channel = TestNetwork.Connect(peer);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var call = new Deliver.DeliverClient(channel).DeliverFiltered(cancellationToken: timeout.Token);
        var at = new SeekPosition { Specified = new SeekSpecified { Number = number } };
        await call.RequestStream.WriteAsync(identity.Envelope(TestNetwork.Channel, HeaderType.DeliverSeekInfo, new SeekInfo { Start = at, Stop = at }.ToByteString()));
        if (!await call.ResponseStream.MoveNext(timeout.Token) || call.ResponseStream.Current.FilteredBlock?.Number != number)
        {
            throw new AssertionException($"peer {peer.Address} did not deliver block {number}");
        }
    }

    /// <summary>Waits (filtered Deliver on <paramref name="peer"/>) until each tx id is committed; returns their codes.</summary>
    public async Task<Dictionary<string, TxValidationCode>> WaitForCommitAsync(NodeProcess peer, params string[] txIds)
    {
        using var channel = TestNetwork.Connect(peer);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var call = new Deliver.DeliverClient(channel).DeliverFiltered(cancellationToken: timeout.Token);
        var seek = new SeekInfo
        {
            Start = new SeekPosition { Oldest = new SeekOldest() },
            Stop = new SeekPosition { Specified = new SeekSpecified { Number = ulong.MaxValue } },
        };
        await call.RequestStream.WriteAsync(identity.Envelope(TestNetwork.Channel, HeaderType.DeliverSeekInfo, seek.ToByteString()));
        var found = new Dictionary<string, TxValidationCode>();
        while (found.Count < txIds.Length && await call.ResponseStream.MoveNext(timeout.Token))
        {
            foreach (var tx in call.ResponseStream.Current.FilteredBlock?.FilteredTransactions ?? [])
            {
                if (txIds.Contains(tx.Txid))
                {
                    found[tx.Txid] = tx.TxValidationCode;
                }
            }
        }

        return found;
    }
}
