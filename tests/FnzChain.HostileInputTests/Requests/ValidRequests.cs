using System.Security.Cryptography;
using FnzChain.HostileInputTests.Network;
using FnzChain.IntegrationTests;
using FnzChain.Protos.Admin;
using FnzChain.Protos.Common;
using FnzChain.Protos.Gateway;
using FnzChain.Protos.Ledger.Rwset;
using FnzChain.Protos.Orderer;
using FnzChain.Protos.Peer;
using FnzChain.Protos.PrivateData;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace FnzChain.HostileInputTests.Requests;

/// <summary>
/// A well-formed request for each attacked method, signed as <see cref="RequestSigning"/> says: the seeds the corpus
/// truncates and mutates, the replayed requests, and (signed wrongly or not at all) the signature classes.
/// </summary>
internal sealed class ValidRequests(HostileNetwork net)
{
    private const string Channel = TestNetwork.Channel;
    private int _counter;

    public byte[] Evaluate(RequestSigning signing)
    {
        var (signed, txId) = Proposal(signing, "funds", "ListFunds");
        return new EvaluateRequest { TransactionId = txId, ChannelId = Channel, ProposedTransaction = signed }.ToByteArray();
    }

    public byte[] Endorse(RequestSigning signing)
    {
        var (signed, txId) = Proposal(signing, "funds", "CreateFund", $"H{Interlocked.Increment(ref _counter)}", "Hostile", "1", "EUR");
        return new EndorseRequest { TransactionId = txId, ChannelId = Channel, ProposedTransaction = signed }.ToByteArray();
    }

    public byte[] Submit(RequestSigning signing)
    {
        var envelope = Transaction(signing);
        return new SubmitRequest { TransactionId = FnzChain.Identity.Channels.SignedEnvelope.Parse(envelope).TxId, ChannelId = Channel, PreparedTransaction = envelope }.ToByteArray();
    }

    public byte[] CommitStatus(RequestSigning signing)
    {
        var request = new CommitStatusRequest { TransactionId = net.CommittedTxId, ChannelId = Channel, Identity = ByteString.CopyFrom(net.Client.Serialized) }.ToByteString();
        return new SignedCommitStatusRequest { Request = request, Signature = signing.Sign(net.Client, request) }.ToByteArray();
    }

    public byte[] ChaincodeEvents(RequestSigning signing)
    {
        var request = new ChaincodeEventsRequest
        {
            ChannelId = Channel,
            ChaincodeId = "funds",
            Identity = ByteString.CopyFrom(net.Client.Serialized),
            StartPosition = new SeekPosition { Specified = new SeekSpecified { Number = 0 } },
        }.ToByteString();
        return new SignedChaincodeEventsRequest { Request = request, Signature = signing.Sign(net.Client, request) }.ToByteArray();
    }

    public byte[] ProcessProposal(RequestSigning signing) => Proposal(signing, "funds", "ListFunds").Signed.ToByteArray();

    /// <summary>A seek for block 0 only: answered with the genesis block and SUCCESS.</summary>
    public byte[] SeekGenesis(RequestSigning signing)
    {
        var at = new SeekPosition { Specified = new SeekSpecified { Number = 0 } };
        var envelope = net.Client.Envelope(Channel, HeaderType.DeliverSeekInfo, new SeekInfo { Start = at, Stop = at }.ToByteString());
        envelope.Signature = signing.Sign(net.Client, envelope.Payload);
        return envelope.ToByteArray();
    }

    public byte[] Broadcast(RequestSigning signing) => Transaction(signing).ToByteArray();

    public byte[] PeerAdmin(RequestSigning signing, AdminRequest command) => Admin(signing, net.Org1Admin, command);

    public byte[] OrdererAdmin(RequestSigning signing, AdminRequest command) => Admin(signing, net.OrdererAdmin, command);

    public AdminRequest JoinChannel() => new() { JoinChannel = new JoinChannelRequest { GenesisBlock = net.Network.Genesis.ToByteString() } };

    public static AdminRequest ListChannels() => new() { ListChannels = new ListChannelsRequest() };

    public AdminRequest InstallChaincode() => new() { InstallChaincode = new InstallChaincodeRequest { Package = ByteString.CopyFrom(net.FundsPackage) } };

    public static AdminRequest PrivateDataStatus() =>
        new() { PrivateDataStatus = new PrivateDataStatusRequest { ChannelId = Channel, Chaincode = "funds", Collection = "none", Key = "k" } };

    public byte[] PrivateDataPush(RequestSigning signing) => PeerMessage(signing, new PrivateDataPush
    {
        Timestamp = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow),
        ChannelId = Channel,
        TxId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)),
        PrivateData = new TxPvtReadWriteSet { DataModel = TxReadWriteSet.Types.DataModel.Kv },
    });

    public byte[] PrivateDataPull(RequestSigning signing)
    {
        var pull = new PrivateDataPull { Timestamp = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow), ChannelId = Channel, Namespace = "funds", Collection = "none" };
        pull.Keys.Add(new KeyHashRequest { KeyHash = ByteString.CopyFrom(new byte[32]), ValueHash = ByteString.CopyFrom(new byte[32]) });
        return PeerMessage(signing, pull);
    }

    private byte[] PeerMessage(RequestSigning signing, IMessage message)
    {
        var bytes = message.ToByteString();
        return new SignedPrivateDataMessage { Message = bytes, Creator = ByteString.CopyFrom(net.Org2Peer.Serialized), Signature = signing.Sign(net.Org2Peer, bytes) }.ToByteArray();
    }

    private static byte[] Admin(RequestSigning signing, Signer admin, AdminRequest command)
    {
        var request = command.Clone();
        request.Timestamp = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow);
        var bytes = request.ToByteString();
        return new SignedAdminRequest { Request = bytes, Creator = ByteString.CopyFrom(admin.Serialized), Signature = signing.Sign(admin, bytes) }.ToByteArray();
    }

    /// <summary>An endorsed transaction (both peers' endorsements) with the client's signature made as <paramref name="signing"/> says.</summary>
    private Envelope Transaction(RequestSigning signing)
    {
        var envelope = net.EndorsedTransaction($"hostile-{Interlocked.Increment(ref _counter)}", "v");
        envelope.Signature = signing.Sign(net.Client, envelope.Payload);
        return envelope;
    }

    private (SignedProposal Signed, string TxId) Proposal(RequestSigning signing, string chaincode, params string[] args)
    {
        var nonce = RandomNumberGenerator.GetBytes(24);
        var creator = net.Client.Serialized;
        var txId = Convert.ToHexStringLower(SHA256.HashData([.. nonce, .. creator]));
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
                    ChannelId = Channel,
                    TxId = txId,
                    Timestamp = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow),
                    Extension = new ChaincodeHeaderExtension { ChaincodeId = new ChaincodeID { Name = chaincode } }.ToByteString(),
                }.ToByteString(),
                SignatureHeader = new SignatureHeader { Creator = ByteString.CopyFrom(creator), Nonce = ByteString.CopyFrom(nonce) }.ToByteString(),
            }.ToByteString(),
            Payload = new ChaincodeProposalPayload { Input = spec.ToByteString() }.ToByteString(),
        }.ToByteString();
        return (new SignedProposal { ProposalBytes = proposal, Signature = signing.Sign(net.Client, proposal) }, txId);
    }
}
