using FnzChain.HostileInputTests.Wire;
using FnzChain.Protos.Orderer;
using FnzChain.Protos.Peer;
using DeliverResponse = FnzChain.Protos.Peer.DeliverResponse;
using Grpc.Core;
using BroadcastStatus = FnzChain.Protos.Common.Status;

namespace FnzChain.HostileInputTests.Requests;

/// <summary>What a method's successful answer means for a case: judged per method, since some answer rejections in-band.</summary>
internal enum Answer
{
    /// <summary>An OK status is acceptance (gateway, admin, private data).</summary>
    Plain,

    /// <summary>A ProposalResponse whose response status (>= 400, with a message) may be the rejection.</summary>
    Proposal,

    /// <summary>A Deliver stream: blocks and a final DeliverResponse.status (BAD_REQUEST, FORBIDDEN, … for a rejection).</summary>
    Deliver,

    /// <summary>A Broadcast stream: one BroadcastResponse per envelope, status and info.</summary>
    Broadcast,

    /// <summary>A server stream that stays open for a well-formed request (chaincode events).</summary>
    OpenStream,
}

/// <summary>One attacked gRPC method of one node, how to build a valid request for it, and how to read its answers.</summary>
internal sealed record HostileMethod(string Node, string Service, string Name, CallShape Shape, Answer Answer, Func<RequestSigning, byte[]> Build)
{
    public string Id => $"{Node} {Service}/{Name}";

    /// <summary>Long-polls (commit status) and open streams legitimately keep a well-formed request waiting.</summary>
    public bool MayWait => Answer is Answer.OpenStream or Answer.Deliver || Name == "CommitStatus";

    public TimeSpan Timeout => Answer == Answer.OpenStream ? TimeSpan.FromSeconds(1.5) : TimeSpan.FromSeconds(15);

    public Method<byte[], byte[]> Method { get; } = RawCall.Method(Shape, Service, Name);

    public override string ToString() => Id;

    /// <summary>Null when <paramref name="outcome"/> is an acceptable answer to <paramref name="case"/>; otherwise what is wrong.</summary>
    public string? Judge(HostileCase @case, CallOutcome outcome)
    {
        var hostile = @case.Class is not (InputClass.Replayed or InputClass.Mutated);
        if (outcome.Hung)
        {
            return outcome.Detail;
        }

        switch (outcome.Code)
        {
            case StatusCode.Unknown when !hostile && Name is "Evaluate" or "Endorse" && outcome.Detail.Contains("chaincode response", StringComparison.Ordinal):
                return null; // Fabric's gateway answers a chaincode's own error status with UNKNOWN
            case StatusCode.Unknown or StatusCode.Internal:
                return "status is a bug's, not a named rejection";
            case StatusCode.DeadlineExceeded when MayWait && !@case.OverLimit:
                return null; // the server is (legitimately) still waiting: a client-side deadline, not an answer
            case StatusCode.DeadlineExceeded:
                return "no answer within the deadline";
            case StatusCode.OK:
                return @case.OverLimit ? "a message over the receive limit was accepted" : JudgeAnswer(outcome, hostile);
            default:
                if (@case.OverLimit && outcome.Code != StatusCode.ResourceExhausted)
                {
                    return "a message over the receive limit must be RESOURCE_EXHAUSTED";
                }

                return Names(outcome.Detail) ? null : "the status detail does not name a cause";
        }
    }

    private string? JudgeAnswer(CallOutcome outcome, bool hostile)
    {
        switch (Answer)
        {
            case Answer.Proposal:
                var response = ProposalResponse.Parser.ParseFrom(outcome.Responses[0]);
                if (response.Response is null || response.Response.Status < 400)
                {
                    return hostile ? $"endorsed (response {response.Response?.Status})" : null;
                }

                return Names(response.Response.Message) ? null : $"response {response.Response.Status} without a message";
            case Answer.Deliver:
                // The peer's DeliverResponse is the orderer's plus filtered and private-data blocks: it reads both.
                var delivered = outcome.Responses.Select(r => DeliverResponse.Parser.ParseFrom(r))
                    .Select(d => (IsStatus: d.TypeCase == DeliverResponse.TypeOneofCase.Status, d.Status)).ToList();
                if (hostile && delivered.Any(d => !d.IsStatus))
                {
                    return "delivered blocks to a hostile request";
                }

                if (delivered.Count == 0 || !delivered[^1].IsStatus)
                {
                    return "stream ended OK without a final status response";
                }

                return hostile && delivered[^1].Status == BroadcastStatus.Success ? "SUCCESS for a hostile request" : null;
            case Answer.Broadcast:
                var answers = outcome.Responses.Select(r => BroadcastResponse.Parser.ParseFrom(r)).ToList();
                if (answers.Count == 0)
                {
                    return "stream ended OK without a BroadcastResponse";
                }

                if (hostile && answers.Any(a => a.Status == BroadcastStatus.Success))
                {
                    return "SUCCESS for a hostile envelope";
                }

                return answers.All(a => a.Status == BroadcastStatus.Success || Names(a.Info)) ? null : "a rejection without info";
            case Answer.OpenStream:
                return hostile && outcome.Responses.Count > 0 ? "streamed events to a hostile request" : null;
            default:
                return hostile ? "accepted a hostile request" : null;
        }
    }

    /// <summary>The answer in a word or two: the status, and for an OK stream its last in-band status.</summary>
    public string Describe(CallOutcome outcome)
    {
        if (outcome.Code != StatusCode.OK)
        {
            return outcome.Code.ToString();
        }

        try
        {
            return Answer switch
            {
                Answer.Deliver when outcome.Responses.Count > 0 => $"OK/{DeliverResponse.Parser.ParseFrom(outcome.Responses[^1]).Status}",
                Answer.Broadcast when outcome.Responses.Count > 0 => $"OK/{BroadcastResponse.Parser.ParseFrom(outcome.Responses[^1]).Status}",
                Answer.Proposal => $"OK/{ProposalResponse.Parser.ParseFrom(outcome.Responses[0]).Response?.Status}",
                _ => "OK",
            };
        }
        catch (Google.Protobuf.InvalidProtocolBufferException)
        {
            return "OK/undecodable";
        }
    }

    /// <summary>A message names a cause: not empty, not the framework's generic handler text.</summary>
    private static bool Names(string? detail) =>
        !string.IsNullOrWhiteSpace(detail) && detail.Trim().Length >= 8 && !detail.Contains("Exception was thrown by handler", StringComparison.Ordinal);

    /// <summary>Every gRPC method of the peer and of the orderer, with the well-formed request each is attacked around.</summary>
    public static IReadOnlyList<HostileMethod> All(ValidRequests valid) =>
    [
        new("peer", "gateway.Gateway", "Evaluate", CallShape.Unary, Answer.Plain, valid.Evaluate),
        new("peer", "gateway.Gateway", "Endorse", CallShape.Unary, Answer.Plain, valid.Endorse),
        new("peer", "gateway.Gateway", "Submit", CallShape.Unary, Answer.Plain, valid.Submit),
        new("peer", "gateway.Gateway", "CommitStatus", CallShape.Unary, Answer.Plain, valid.CommitStatus),
        new("peer", "gateway.Gateway", "ChaincodeEvents", CallShape.ServerStreaming, Answer.OpenStream, valid.ChaincodeEvents),
        new("peer", "protos.Endorser", "ProcessProposal", CallShape.Unary, Answer.Proposal, valid.ProcessProposal),
        new("peer", "protos.Deliver", "Deliver", CallShape.DuplexStreaming, Answer.Deliver, valid.SeekGenesis),
        new("peer", "protos.Deliver", "DeliverFiltered", CallShape.DuplexStreaming, Answer.Deliver, valid.SeekGenesis),
        new("peer", "protos.Deliver", "DeliverWithPrivateData", CallShape.DuplexStreaming, Answer.Deliver, valid.SeekGenesis),
        new("peer", "fnzchain.admin.NodeAdmin", "JoinChannel", CallShape.Unary, Answer.Plain, s => valid.PeerAdmin(s, valid.JoinChannel())),
        new("peer", "fnzchain.admin.NodeAdmin", "ListChannels", CallShape.Unary, Answer.Plain, s => valid.PeerAdmin(s, ValidRequests.ListChannels())),
        new("peer", "fnzchain.admin.NodeAdmin", "InstallChaincode", CallShape.Unary, Answer.Plain, s => valid.PeerAdmin(s, valid.InstallChaincode())),
        new("peer", "fnzchain.admin.NodeAdmin", "GetPrivateDataStatus", CallShape.Unary, Answer.Plain, s => valid.PeerAdmin(s, ValidRequests.PrivateDataStatus())),
        new("peer", "fnzchain.peer.PrivateData", "Push", CallShape.Unary, Answer.Plain, valid.PrivateDataPush),
        new("peer", "fnzchain.peer.PrivateData", "Pull", CallShape.Unary, Answer.Plain, valid.PrivateDataPull),
        new("orderer", "orderer.AtomicBroadcast", "Broadcast", CallShape.DuplexStreaming, Answer.Broadcast, valid.Broadcast),
        new("orderer", "orderer.AtomicBroadcast", "Deliver", CallShape.DuplexStreaming, Answer.Deliver, valid.SeekGenesis),
        new("orderer", "fnzchain.admin.NodeAdmin", "JoinChannel", CallShape.Unary, Answer.Plain, s => valid.OrdererAdmin(s, valid.JoinChannel())),
        new("orderer", "fnzchain.admin.NodeAdmin", "ListChannels", CallShape.Unary, Answer.Plain, s => valid.OrdererAdmin(s, ValidRequests.ListChannels())),
        new("orderer", "fnzchain.admin.NodeAdmin", "InstallChaincode", CallShape.Unary, Answer.Plain, s => valid.OrdererAdmin(s, valid.InstallChaincode())),
        new("orderer", "fnzchain.admin.NodeAdmin", "GetPrivateDataStatus", CallShape.Unary, Answer.Plain, s => valid.OrdererAdmin(s, ValidRequests.PrivateDataStatus())),
    ];
}
