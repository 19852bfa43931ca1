using FnzChain.Peer.Endorser;
using FnzChain.Protos.Peer;
using Grpc.Core;
using FnzChain.Node.Audit;
using FnzChain.Node.Rpc;

namespace FnzChain.Peer.Services;

/// <summary>Fabric's <c>protos.Endorser</c>: one signed proposal in, one proposal response out.</summary>
public sealed class EndorserService(ProposalEndorser endorser, ClientFaultLog faults) : FnzChain.Protos.Peer.Endorser.EndorserBase
{
    public override async Task<ProposalResponse> ProcessProposal(SignedProposal request, ServerCallContext context)
    {
        var response = await endorser.EndorseAsync(request, context.CancellationToken, audit: AuditEntry.Of(context)).ConfigureAwait(false);
        if (response.Response.Status >= 400)
        {
            faults.Refused(context.Method, context.Peer, $"status {response.Response.Status}", response.Response.Message);
        }

        return response;
    }
}
