using System.Runtime.CompilerServices;
using FnzChain.Identity.Channels;
using FnzChain.Identity.Policies;
using FnzChain.Node.Audit;
using FnzChain.Node.Channels;
using FnzChain.Peer.Channels;
using FnzChain.Peer.Endorser;
using FnzChain.Peer.Hosting;
using FnzChain.Peer.Services;
using FnzChain.Protos.Common;
using FnzChain.Protos.Lifecycle;
using FnzChain.Protos.Gateway;
using FnzChain.Protos.Orderer;
using FnzChain.Protos.Ledger.Rwset;
using FnzChain.Protos.Ledger.Rwset.Kvrwset;
using FnzChain.Protos.Peer;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;
using GrpcStatus = Grpc.Core.Status;
using Status = FnzChain.Protos.Common.Status;

namespace FnzChain.Peer.Gateway;

/// <summary>
/// Fabric's <c>gateway.Gateway</c> on a peer: Evaluate runs a proposal here; Endorse collects endorsements from the
/// organisations an <see cref="EndorsementPlan"/> picks for the chaincode's policy (this peer for its own
/// organisation, the anchor peer of each other), checks they agree and returns the transaction for the client to sign; Submit sends it to the channel's orderers (retrying and failing over);
/// CommitStatus waits for its validation code; ChaincodeEvents streams a chaincode's events from committed blocks.
/// Failures are gRPC statuses whose message names the cause, with a <see cref="ErrorDetail"/> per failing node.
/// </summary>
public sealed partial class GatewayService(
    ChannelRegistry<PeerChannel> channels,
    ProposalEndorser endorser,
    Connections connections,
    BroadcastStreams broadcasts,
    PeerOptions options) : FnzChain.Protos.Gateway.Gateway.GatewayBase
{
    public override async Task<EvaluateResponse> Evaluate(EvaluateRequest request, ServerCallContext context)
    {
        var response = await endorser.EndorseAsync(request.ProposedTransaction ?? throw Invalid(context, "proposed_transaction is missing"), context.CancellationToken, evaluateOnly: true, AuditEntry.Of(context)).ConfigureAwait(false);
        if (FailureOf(response) is { } failure)
        {
            throw Fail(context, failure.Code, $"evaluate call to endorser returned error: {failure.Message}", [Detail(options.ListenAddress, endorser.LocalMspId, failure.Message)]);
        }

        return new EvaluateResponse { Result = response.Response };
    }

    public override async Task<EndorseResponse> Endorse(EndorseRequest request, ServerCallContext context)
    {
        var signed = request.ProposedTransaction ?? throw Invalid(context, "proposed_transaction is missing");
        var audit = AuditEntry.Of(context);
        audit?.Describe(request.ChannelId, request.TransactionId);
        if (channels.Find(request.ChannelId) is not { } channel)
        {
            throw Fail(context, StatusCode.NotFound, $"channel \"{request.ChannelId}\" is not joined by this peer", []);
        }

        var localMsp = channel.Bundle.OrganizationOf(endorser.LocalMspId)?.Name;
        var applicationOrgs = channel.Bundle.Config.Organizations.Where(o => o.IsApplication).ToList();
        // The client may name the organisations; otherwise plan from the chaincode's endorsement policy. Transient
        // data (investors' personal data, say) goes only to members of the collections the transaction uses: this
        // peer endorses first, and the plan is made among those members (Fabric's gateway does the same).
        IReadOnlyList<IReadOnlyList<ChannelOrganization>> layouts;
        ProposalResponse? endorsedHere = null;
        var hasTransientData = HasTransientData(signed);
        if (request.EndorsingOrganizations.Count > 0)
        {
            layouts = [applicationOrgs.Where(o => request.EndorsingOrganizations.Contains(o.MspId)).ToList()];
        }
        else if (hasTransientData)
        {
            (applicationOrgs, endorsedHere, var policy) = await TransientDataRecipientsAsync(context, request, channel, applicationOrgs, localMsp, signed, audit).ConfigureAwait(false);
            layouts = [.. EndorsementPlan.Layouts(policy, applicationOrgs, endorser.LocalMspId).OrderBy(l => l.Any(o => o.MspId == endorser.LocalMspId) ? 0 : 1)];
        }
        else
        {
            layouts = EndorsementPlan.Layouts(ChaincodeOf(signed) is { } chaincode ? channel.EndorsementPolicy(chaincode) : null, applicationOrgs, endorser.LocalMspId);
        }

        var unreachable = new HashSet<string>(StringComparer.Ordinal);
        var targets = layouts[0];
        // A peer one block behind simulates on older state: it returns a different read/write set, or fails where
        // the others succeed. Give lagging peers a moment to catch up and endorse again before reporting either.
        for (var attempt = 1; ; attempt++)
        {
            var results = await EndorseOnAsync(targets, localMsp, signed, audit, context.CancellationToken, attempt == 1 ? endorsedHere : null).ConfigureAwait(false);
            var failures = results
                .Where(r => r.Error is not null || FailureOf(r.Response!) is not null || r.Response!.Endorsement is null)
                .Select(r => Detail(r.Address, r.MspId, r.Error ?? FailureOf(r.Response!)?.Message ?? "the proposal response carries no endorsement"))
                .ToList();
            // An organisation whose peer cannot be reached: move to a layout without it, if the policy allows one.
            unreachable.UnionWith(results.Where(r => r.Error is not null).Select(r => r.MspId));
            if (unreachable.Count > 0 && layouts.FirstOrDefault(l => !l.Any(o => unreachable.Contains(o.MspId))) is { } alternative && alternative != targets)
            {
                targets = alternative;
                continue;
            }

            if (failures.Count > 0 && (failures.Count == results.Length || attempt >= 3))
            {
                throw Fail(context, StatusCode.Aborted, $"failed to endorse transaction {request.TransactionId}: {string.Join("; ", failures.Select(f => $"{f.MspId}: {f.Message}"))}", failures);
            }

            var responses = results.Select(r => r.Response).ToList();
            if (failures.Count == 0 && responses.All(r => r!.Payload == responses[0]!.Payload))
            {
                // The plan followed the chaincode's policy; what the transaction wrote may call for more (collections
                // with endorsement policies of their own): endorse on the organisations still missing. Not with
                // transient data: its plan already followed what the write needs, or the client named the endorsers.
                if (!hasTransientData && ChaincodeOf(signed) is { } invoked && channel.HasCollectionEndorsementPolicies(invoked)
                    && MissingOrganizations(channel, responses[0]!, targets, applicationOrgs, unreachable) is { Count: > 0 } missing)
                {
                    var more = await EndorseOnAsync(missing, localMsp, signed, audit, context.CancellationToken).ConfigureAwait(false);
                    var moreFailures = more
                        .Where(r => r.Error is not null || FailureOf(r.Response!) is not null || r.Response!.Endorsement is null || r.Response.Payload != responses[0]!.Payload)
                        .Select(r => Detail(r.Address, r.MspId, r.Error ?? FailureOf(r.Response!)?.Message ?? (r.Response!.Endorsement is null ? "the proposal response carries no endorsement" : "a different result from the other endorsers")))
                        .ToList();
                    if (moreFailures.Count > 0 && attempt < 3)
                    {
                        await Task.Delay(TimeSpan.FromMilliseconds(250 * attempt), context.CancellationToken).ConfigureAwait(false);
                        continue;
                    }

                    if (moreFailures.Count > 0)
                    {
                        throw Fail(context, StatusCode.Aborted, $"failed to endorse transaction {request.TransactionId} on the organisations its collections' policies need: {string.Join("; ", moreFailures.Select(f => $"{f.MspId}: {f.Message}"))}", moreFailures);
                    }

                    responses.AddRange(more.Select(r => r.Response));
                }

                return new EndorseResponse { PreparedTransaction = Prepare(signed, responses!) };
            }

            if (attempt >= 3 && failures.Count == 0)
            {
                throw Fail(context, StatusCode.Aborted, $"endorsers returned different results for transaction {request.TransactionId} (non-deterministic chaincode, or a peer behind)",
                    results.Select(r => Detail(r.Address, r.MspId, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(r.Response!.Payload.Span)))).ToList());
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250 * attempt), context.CancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The organisations to add to <paramref name="endorsed"/> so that the policy the endorsed read/write set is bound by
    /// (<see cref="PeerChannel.RequiredEndorsementPolicy"/>) can be met: empty when it already can, or when no
    /// reachable layout of that policy exists (validation will then say which policy failed).
    /// </summary>
    private List<ChannelOrganization> MissingOrganizations(PeerChannel channel, ProposalResponse response, IReadOnlyList<ChannelOrganization> endorsed, IReadOnlyList<ChannelOrganization> applicationOrgs, HashSet<string> unreachable)
    {
        string chaincode;
        var written = new List<string>();
        var writesPublic = false;
        try
        {
            var action = ChaincodeAction.Parser.ParseFrom(ProposalResponsePayload.Parser.ParseFrom(response.Payload).Extension);
            chaincode = action.ChaincodeId?.Name ?? string.Empty;
            foreach (var ns in TxReadWriteSet.Parser.ParseFrom(action.Results).NsRwset.Where(n => n.Namespace == chaincode))
            {
                var kv = KVRWSet.Parser.ParseFrom(ns.Rwset);
                writesPublic |= kv.Writes.Count > 0 || kv.MetadataWrites.Count > 0;
                written.AddRange(ns.CollectionHashedRwset
                    .Where(c => HashedRWSet.Parser.ParseFrom(c.HashedRwset) is { } hashed && (hashed.HashedWrites.Count > 0 || hashed.MetadataWrites.Count > 0))
                    .Select(c => c.CollectionName));
            }
        }
        catch (InvalidProtocolBufferException)
        {
            return []; // our own peer's response: cannot happen; validation would reject the transaction anyway
        }

        var mspIds = endorsed.Select(o => o.MspId).ToHashSet(StringComparer.Ordinal);
        if (written.Count == 0 || channel.RequiredEndorsementPolicy(chaincode, written, writesPublic) is not { } required || required.IsSatisfiableBy(mspIds))
        {
            return [];
        }

        var layout = EndorsementPlan.Layouts(required, applicationOrgs, endorser.LocalMspId)
            .Where(l => !l.Any(o => unreachable.Contains(o.MspId)))
            .OrderBy(l => l.Count(o => !mspIds.Contains(o.MspId)))
            .FirstOrDefault();
        return layout?.Where(o => !mspIds.Contains(o.MspId)).ToList() ?? [];
    }

    /// <summary>The chaincode a proposal invokes (from its channel header extension), or null when it does not decode: the endorsers will say why.</summary>
    private static string? ChaincodeOf(SignedProposal signed)
    {
        try
        {
            var header = Header.Parser.ParseFrom(Proposal.Parser.ParseFrom(signed.ProposalBytes).Header);
            var extension = ChaincodeHeaderExtension.Parser.ParseFrom(ChannelHeader.Parser.ParseFrom(header.ChannelHeader).Extension);
            return extension.ChaincodeId?.Name;
        }
        catch (InvalidProtocolBufferException)
        {
            return null;
        }
    }

    /// <summary>Endorsements from one peer of each of <paramref name="targets"/>; this peer's is <paramref name="endorsedHere"/> when it already endorsed.</summary>
    private async Task<(string Address, string MspId, ProposalResponse? Response, string? Error)[]> EndorseOnAsync(
        IReadOnlyList<ChannelOrganization> targets, string? localMsp, SignedProposal signed, AuditEntry? audit, CancellationToken cancellationToken, ProposalResponse? endorsedHere = null)
    {
        var calls = targets.Select(async org =>
        {
            if (org.Name == localMsp)
            {
                return (Address: options.ListenAddress, org.MspId, Response: endorsedHere ?? (ProposalResponse?)await endorser.EndorseAsync(signed, cancellationToken, audit: audit).ConfigureAwait(false), Error: (string?)null);
            }

            if (org.AnchorPeers.Count == 0)
            {
                return (Address: "-", org.MspId, Response: (ProposalResponse?)null, Error: $"organization {org.Name} has no anchor peer to endorse with");
            }

            var address = org.AnchorPeers[0];
            try
            {
                var remote = await new Protos.Peer.Endorser.EndorserClient(connections.To(address))
                    .ProcessProposalAsync(signed, deadline: DateTime.UtcNow.AddSeconds(30), cancellationToken: cancellationToken).ConfigureAwait(false);
                return (Address: address, org.MspId, Response: remote, Error: (string?)null);
            }
            catch (RpcException e)
            {
                return (Address: address, org.MspId, Response: (ProposalResponse?)null, Error: $"{e.StatusCode}: {e.Status.Detail}");
            }
        });
        return await Task.WhenAll(calls).ConfigureAwait(false);
    }

    public override async Task<SubmitResponse> Submit(SubmitRequest request, ServerCallContext context)
    {
        var envelope = request.PreparedTransaction ?? throw Invalid(context, "prepared_transaction is missing");
        AuditEntry.Of(context)?.Describe(request.ChannelId, request.TransactionId); // the orderer's record of it names the creator
        if (channels.Find(request.ChannelId) is not { } channel)
        {
            throw Fail(context, StatusCode.NotFound, $"channel \"{request.ChannelId}\" is not joined by this peer", []);
        }

        var orderers = broadcasts.Order(options.OrdererAddresses.Count > 0
            ? options.OrdererAddresses
            : channel.Bundle.Config.Orderer.Endpoints.Select(e => e.Address).ToList());
        var errors = new List<ErrorDetail>();
        var attempt = 0;
        var retry = new ResiliencePipelineBuilder<BroadcastResponse?>()
            .AddRetry(new RetryStrategyOptions<BroadcastResponse?>
            {
                ShouldHandle = new PredicateBuilder<BroadcastResponse?>().Handle<RpcException>().HandleResult(r => r?.Status == Status.ServiceUnavailable),
                MaxRetryAttempts = Math.Max(2, orderers.Count * 2),
                BackoffType = DelayBackoffType.Exponential,
                Delay = TimeSpan.FromMilliseconds(100),
                UseJitter = true,
            })
            .Build();
        BroadcastResponse? response;
        try
        {
            response = await retry.ExecuteAsync(
                async ct =>
                {
                    var address = orderers[attempt++ % orderers.Count];
                    try
                    {
                        var answer = await broadcasts.SendAsync(address, envelope, ct).ConfigureAwait(false);
                        if (answer.Status == Status.ServiceUnavailable)
                        {
                            broadcasts.Failed(address);
                            errors.Add(Detail(address, OrdererMspId(channel, address), $"orderer {address} answered SERVICE_UNAVAILABLE: {answer.Info}"));
                        }
                        else
                        {
                            broadcasts.Succeeded(address);
                        }

                        return answer;
                    }
                    catch (RpcException e)
                    {
                        broadcasts.Failed(address);
                        errors.Add(Detail(address, OrdererMspId(channel, address), e.Status.Detail));
                        throw;
                    }
                },
                context.CancellationToken).ConfigureAwait(false);
        }
        catch (RpcException)
        {
            throw Fail(context, StatusCode.Unavailable, $"no orderer accepted transaction {request.TransactionId}: {LastErrors(errors)}", errors);
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            // The client's deadline passed or it went away: say what the orderers did meanwhile (the transaction may
            // still have been ordered; resubmitting the same signed transaction is safe).
            var (code, why) = context.Deadline <= DateTime.UtcNow
                ? (StatusCode.DeadlineExceeded, "the client's deadline passed")
                : (StatusCode.Cancelled, "the client cancelled");
            throw Fail(context, code, $"{why} while submitting transaction {request.TransactionId}{(errors.Count > 0 ? $": {LastErrors(errors)}" : string.Empty)}", errors);
        }

        if (response?.Status == Status.ServiceUnavailable)
        {
            throw Fail(context, StatusCode.Unavailable, $"no orderer accepted transaction {request.TransactionId}: {LastErrors(errors)}", errors);
        }

        if (response?.Status != Status.Success)
        {
            throw Fail(context, StatusCode.Aborted, $"orderer rejected transaction {request.TransactionId}: {response?.Status} {response?.Info}", errors);
        }

        return new SubmitResponse();
    }

    public override async Task<CommitStatusResponse> CommitStatus(SignedCommitStatusRequest request, ServerCallContext context)
    {
        CommitStatusRequest inner;
        try
        {
            inner = CommitStatusRequest.Parser.ParseFrom(request.Request);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw Invalid(context, $"commit status request does not parse: {e.Message}");
        }

        AuditEntry.Of(context)?.Describe(inner.ChannelId, inner.TransactionId);
        var channel = Authorize(context, inner.ChannelId, inner.Identity, request.Request, request.Signature);
        var blocks = channel.Ledger.Blocks;
        while (true)
        {
            var height = blocks.Height;
            if (blocks.GetTxLocation(inner.TransactionId) is { } location)
            {
                return new CommitStatusResponse { Result = location.Code, BlockNumber = location.BlockNumber };
            }

            await blocks.WaitForHeightAsync(height + 1, context.CancellationToken).ConfigureAwait(false);
        }
    }

    public override async Task ChaincodeEvents(SignedChaincodeEventsRequest request, IServerStreamWriter<ChaincodeEventsResponse> responseStream, ServerCallContext context)
    {
        ChaincodeEventsRequest inner;
        try
        {
            inner = ChaincodeEventsRequest.Parser.ParseFrom(request.Request);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw Invalid(context, $"chaincode events request does not parse: {e.Message}");
        }

        AuditEntry.Of(context)?.Describe(inner.ChannelId, chaincode: inner.ChaincodeId);
        var channel = Authorize(context, inner.ChannelId, inner.Identity, request.Request, request.Signature);
        var blocks = channel.Ledger.Blocks;
        var start = ChaincodeEventsStart(context, blocks, inner);
        // after_transaction_id skips, within the start block, the events up to and including that transaction's.
        var skipUntil = inner.AfterTransactionId.Length > 0 && blocks.GetTxLocation(inner.AfterTransactionId) is { } after && after.BlockNumber == start
            ? inner.AfterTransactionId
            : string.Empty;
        await foreach (var block in blocks.ReadFromAsync(start, context.CancellationToken).ConfigureAwait(false))
        {
            var response = new ChaincodeEventsResponse { BlockNumber = block.Header.Number };
            var filter = block.Metadata.Metadata[(int)BlockMetadataIndex.TransactionsFilter];
            for (var i = 0; i < block.Data.Data.Count; i++)
            {
                var chaincodeEvent = FnzChain.Peer.Services.ChaincodeEvents.Of(block.Data.Data[i]);
                if (skipUntil.Length > 0 && block.Header.Number == start)
                {
                    if (chaincodeEvent?.TxId == skipUntil || Ledger.Validation.TransactionParser.Parse(i, block.Data.Data[i]).TxId == skipUntil)
                    {
                        skipUntil = string.Empty;
                    }

                    continue;
                }

                if (chaincodeEvent is not null && chaincodeEvent.ChaincodeId == inner.ChaincodeId && (TxValidationCode)filter[i] == TxValidationCode.Valid)
                {
                    response.Events.Add(chaincodeEvent);
                }
            }

            if (block.Header.Number == start)
            {
                skipUntil = string.Empty; // the after-tx id only applies within the start block
            }

            if (response.Events.Count > 0)
            {
                await responseStream.WriteAsync(response, context.CancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Where a chaincode events stream starts, as in Fabric: the block of <c>after_transaction_id</c> when this ledger
    /// has that transaction (a checkpoint names it); otherwise the start position — a block number, or the next
    /// commit when it is unset or <c>next_commit</c>. <c>oldest</c> and <c>newest</c> are invalid here, as in Fabric.
    /// </summary>
    private ulong ChaincodeEventsStart(ServerCallContext context, Ledger.Blocks.BlockStore blocks, ChaincodeEventsRequest request)
    {
        if (request.AfterTransactionId.Length > 0 && blocks.GetTxLocation(request.AfterTransactionId) is { } after)
        {
            return after.BlockNumber;
        }

        return request.StartPosition?.TypeCase switch
        {
            null or SeekPosition.TypeOneofCase.None or SeekPosition.TypeOneofCase.NextCommit => blocks.Height,
            SeekPosition.TypeOneofCase.Specified => request.StartPosition.Specified.Number,
            var other => throw Invalid(context, $"invalid start position type: {other} (use a block number or next commit)"),
        };
    }

    /// <summary>The transaction the client signs: the proposal's header, the endorsed action, the proposal payload without its transient data.</summary>
    private static Envelope Prepare(SignedProposal signed, IReadOnlyList<ProposalResponse> responses)
    {
        var proposal = Proposal.Parser.ParseFrom(signed.ProposalBytes);
        var header = Header.Parser.ParseFrom(proposal.Header);
        var payload = ChaincodeProposalPayload.Parser.ParseFrom(proposal.Payload);
        var endorsed = new ChaincodeEndorsedAction { ProposalResponsePayload = responses[0].Payload };
        endorsed.Endorsements.AddRange(responses.Select(r => r.Endorsement));
        var transaction = new Transaction();
        transaction.Actions.Add(new TransactionAction
        {
            Header = header.SignatureHeader,
            Payload = new ChaincodeActionPayload { ChaincodeProposalPayload = new ChaincodeProposalPayload { Input = payload.Input }.ToByteString(), Action = endorsed }.ToByteString(),
        });
        return new Envelope { Payload = new Payload { Header = header, Data = transaction.ToByteString() }.ToByteString() };
    }

    /// <summary>The channel, when <paramref name="identity"/> signed <paramref name="bytes"/> and may read it.</summary>
    private PeerChannel Authorize(ServerCallContext context, string channelId, ByteString identity, ByteString bytes, ByteString signature)
    {
        if (channels.Find(channelId) is not { } channel)
        {
            throw Fail(context, StatusCode.NotFound, $"channel \"{channelId}\" is not joined by this peer", []);
        }

        var audit = AuditEntry.Of(context);
        audit?.Describe(channelId);
        if (audit?.IdentityLockout(identity.Span) is { } locked)
        {
            throw locked;
        }

        var signers = SignatureSet.Validate([new SignedData(identity.Memory, bytes.Memory, signature.Memory)], channel.Bundle.Msps);
        audit?.Signers(signers);
        var readers = channel.Bundle.Evaluate(ChannelBundle.Readers, signers);
        return readers.IsSatisfied ? channel : throw Fail(context, StatusCode.PermissionDenied, readers.Reason, []);
    }

    /// <summary>The MSP id of the organisation whose orderer listens on <paramref name="address"/> (empty for an override address the channel does not list).</summary>
    private static string OrdererMspId(PeerChannel channel, string address) =>
        channel.Bundle.Config.Orderer.Endpoints.FirstOrDefault(e => e.Address == address) is { } endpoint
            ? channel.Bundle.Config.Organizations.FirstOrDefault(o => o.Name == endpoint.Organization)?.MspId ?? string.Empty
            : string.Empty;

    /// <summary>
    /// Why a proposal response is not a success, read as Fabric's gateway reads it: a 500 without payload was produced
    /// by the peer itself (ABORTED, with its message); any other status outside 200–399 came from the chaincode
    /// (UNKNOWN, "chaincode response &lt;status&gt;, &lt;message&gt;"). Null for a success.
    /// </summary>
    private static (StatusCode Code, string Message)? FailureOf(ProposalResponse response)
    {
        var status = response.Response?.Status ?? 500;
        if (status is >= 200 and < 400)
        {
            return null;
        }

        var message = response.Response?.Message ?? string.Empty;
        return status == 500 && response.Payload.IsEmpty
            ? (StatusCode.Aborted, message)
            : (StatusCode.Unknown, $"chaincode response {status}, {message}");
    }

    /// <summary>The last failure of each orderer tried, in one line (each message already names its orderer).</summary>
    private static string LastErrors(IReadOnlyList<ErrorDetail> errors) =>
        string.Join("; ", errors.GroupBy(e => e.Address, StringComparer.Ordinal).Select(g => g.Last().Message));

    private static ErrorDetail Detail(string address, string mspId, string message) => new() { Address = address, MspId = mspId, Message = message };

    private RpcException Invalid(ServerCallContext context, string message) => Fail(context, StatusCode.InvalidArgument, message, []);

    private RpcException Fail(ServerCallContext context, StatusCode code, string message, IReadOnlyList<ErrorDetail> details)
    {
        var status = new FnzChain.Protos.Rpc.Status { Code = (int)code, Message = message };
        status.Details.AddRange(details.Select(Any.Pack));
        var trailers = new Grpc.Core.Metadata { { "grpc-status-details-bin", status.ToByteArray() } };
        return new RpcException(new GrpcStatus(code, message), trailers);
    }
}
