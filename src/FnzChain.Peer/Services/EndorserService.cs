using FnzChain.Peer.Endorser;
using FnzChain.Protos.Peer;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace FnzChain.Peer.Services;

/// <summary>Fabric's <c>protos.Endorser</c>: one signed proposal in, one proposal response out.</summary>
public sealed partial class EndorserService(ProposalEndorser endorser, ILogger<EndorserService> logger) : FnzChain.Protos.Peer.Endorser.EndorserBase
{
    public override async Task<ProposalResponse> ProcessProposal(SignedProposal request, ServerCallContext context)
    {
        var response = await endorser.EndorseAsync(request, context.CancellationToken).ConfigureAwait(false);
        if (response.Response.Status >= 400)
        {
            LogNotEndorsed(logger, context.Peer, response.Response.Status, response.Response.Message);
        }

        return response;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Proposal from {Peer} not endorsed: {Status} {Message}")]
    private static partial void LogNotEndorsed(ILogger logger, string peer, int status, string message);
}
